"""The whole journey in a real browser (issue #8), through the pages only.

A new owner signs in, creates the workspace, invites a teammate, imports creators from a CSV,
filters discovery, reads a creator's authenticity breakdown, creates a campaign, shortlists
three creators, emails one from a template, moves cards on the board, drafts a contract from a
template and sends it; the creator accepts in a browser of their own; a post is attached to
the deliverable, conversions are recorded, the dashboard shows the numbers and the share link
opens without signing in.

The ORM only reads: the links the app emails (from the mail outbox) and what the pages wrote.
Screenshots of the main pages go to $JOURNEY_SCREENSHOTS (default: pytest's tmp_path), with
journey.txt holding the journey's duration.
"""

import datetime
import os
import re
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from apps.campaigns.models import Campaign, CampaignCreator, OutreachMessage
from apps.contracts.models import Contract, ContractDecision
from apps.creators.models import Creator
from config.celery import app as celery_app
from tests.factories import PASSWORD, UserFactory

OWNER_EMAIL = "olivia@acme-outdoors.test"
TEAMMATE_EMAIL = "sam@acme-outdoors.test"
WORKSPACE = "Acme Outdoors"
CAMPAIGN = "Trail season"

CSV = """name,email,country,language,niches,platform,handle,followers,following,posts
Priya Raman,priya@creator.test,GB,en,outdoors|food,instagram,priya_hikes,48.2k,610,412
Marco Bianchi,marco@creator.test,IT,it,outdoors,instagram,marco.trails,31000,820,296
Lena Fischer,lena@creator.test,DE,de,fitness|outdoors,instagram,lena_climbs,22500,430,188
Tom Baker,tom@creator.test,GB,en,food,instagram,tom_bakes,8500,1200,97
Sam Lee,sam.lee@creator.test,US,en,gaming,tiktok,samplays,1.2M,150,840
"""
SHORTLIST = ("Priya Raman", "Marco Bianchi", "Lena Fischer")
# Headless Chromium says so in its user agent, and tracked links rightly count no bots.
PERSON_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


@pytest.fixture
def tasks_run_in_request():
    """No Celery worker runs here: queued emails and imports run inside the request.

    Celery reads Django settings once, so its own config is what must change.
    """
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def shots(tmp_path) -> Path:
    directory = Path(os.environ.get("JOURNEY_SCREENSHOTS") or tmp_path / "journey")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


class Browser:
    """Contexts of one browser, each with the page errors it logged."""

    def __init__(self, browser, base_url: str):
        self.browser = browser
        self.base_url = base_url
        self.contexts = []
        self.errors: list[str] = []

    def new_page(self, **options):
        context = self.browser.new_context(
            base_url=self.base_url, viewport={"width": 1280, "height": 800}, **options
        )
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: {exc}"))
        page.on(
            "console",
            lambda msg: (
                self.errors.append(f"{page.url}: {msg.text} {msg.location.get('url')}")
                if msg.type == "error"
                else None
            ),
        )
        return page

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsers(browser, live_server):
    opened = Browser(browser, live_server.url)
    yield opened
    opened.close()
    assert not opened.errors, f"The pages logged errors: {opened.errors}"


def _snap(page, shots: Path, name: str, at=None) -> None:
    """The viewport (1280x800), scrolled so `at` is near the top, else to the top."""
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    if at is None:
        page.evaluate("() => window.scrollTo({top: 0, behavior: 'instant'})")
    else:
        at.evaluate(
            "el => window.scrollTo({top: el.getBoundingClientRect().top + window.scrollY - 24,"
            " behavior: 'instant'})"
        )
    page.wait_for_timeout(250)  # the indicators' fade-out and the scroll, for the picture
    page.screenshot(path=str(shots / f"{name}.png"), full_page=False)


def _toast(page, text: str) -> None:
    expect(page.locator("#toasts")).to_contain_text(text)


def _select_containing(select, text: str) -> None:
    """Choose the option whose label contains `text` (labels carry extra detail)."""
    value = select.locator("option", has_text=text).first.get_attribute("value")
    select.select_option(value=value)


def _link_in(body: str, pattern: str) -> str:
    found = re.search(pattern, body)
    assert found, f"No link matching {pattern!r} in the email:\n{body}"
    return found.group(0)


def _metric(scope, label: str):
    """The value of the first metric called `label` (the totals come first)."""
    name = scope.page.locator("dt", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))
    return scope.locator(".report-metric", has=name).first.locator("dd")


def _menu(page, item: str) -> None:
    """An item of the signed-in user's menu (top right)."""
    page.locator("details.menu summary").click()
    page.locator("details.menu").get_by_role("link", name=item).click()


def _open_campaign(page) -> None:
    page.get_by_role("link", name="Campaigns", exact=True).first.click()
    page.get_by_role("link", name=CAMPAIGN, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(CAMPAIGN)


def _column(page, stage: str):
    return page.locator(f'#board .board-column[data-stage="{stage}"]')


def _move(page, name: str, stage_label: str) -> None:
    card = page.locator(".board-card", has_text=name)
    card.locator("summary", has_text="Move").click()
    card.get_by_label("Move to").select_option(label=stage_label)
    card.get_by_role("button", name="Move").click()


def test_the_whole_journey_from_sign_in_to_the_shared_report(
    browsers, live_server, tasks_run_in_request, shots, tmp_path
):
    UserFactory(email=OWNER_EMAIL, full_name="Olivia Owner")  # no public sign-up: an account
    started = time.monotonic()
    page = browsers.new_page()

    # --- 1. Sign in; with no workspace yet, the app asks for one.
    page.goto("/")
    page.get_by_label("Email").fill(OWNER_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New workspace")
    page.get_by_label("Workspace name").fill(WORKSPACE)
    page.get_by_role("button", name="Create workspace").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(WORKSPACE)
    expect(page.get_by_text("You are owner in this workspace.")).to_be_visible()

    # --- 2. Invite a teammate; they join through the emailed link in a browser of their own.
    _menu(page, "Members")
    invite = page.locator("section.card", has_text="Invite a teammate")
    invite.get_by_label("Email").fill(TEAMMATE_EMAIL)
    invite.get_by_label("Role").select_option(label="Member")
    invite.get_by_role("button", name="Send invitation").click()
    _toast(page, f"Invitation sent to {TEAMMATE_EMAIL}.")
    expect(page.get_by_text(f"{TEAMMATE_EMAIL} as member")).to_be_visible()
    assert [m.to for m in mail.outbox] == [[TEAMMATE_EMAIL]]
    assert WORKSPACE in mail.outbox[0].subject
    invitation = _link_in(mail.outbox[0].body, r"/invitations/[A-Za-z0-9_:-]+/")
    teammate = browsers.new_page()
    teammate.goto(invitation)
    teammate.get_by_label("Your name").fill("Sam Teammate")
    teammate.get_by_label("Choose a password").fill("a long and uncommon passphrase 42")
    teammate.get_by_role("button").filter(has_text=re.compile("join|accept", re.I)).click()
    expect(teammate.get_by_role("heading", level=1)).to_have_text(WORKSPACE)
    expect(teammate.get_by_text("You are member in this workspace.")).to_be_visible()
    page.reload()
    expect(page.locator("table tbody")).to_contain_text(TEAMMATE_EMAIL)

    # --- 3. Import creators from a CSV: preview first, nothing written before the confirm.
    upload = tmp_path / "trail-creators.csv"
    upload.write_text(CSV, encoding="utf-8")
    page.get_by_role("link", name="Discover").click()
    page.get_by_role("link", name="Import CSV").click()
    page.get_by_label("CSV file").set_input_files(str(upload))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import of trail-creators.csv")
    expect(page.locator("table.import-rows tbody tr")).to_have_count(5)
    expect(page.get_by_text("1,200,000")).to_be_visible()
    assert not Creator.objects.exists()
    page.get_by_role("button", name="Import 5 creators").click()
    expect(page.get_by_text("Imported 5 creators.")).to_be_visible()

    # --- 4. Filter discovery: Instagram, 20,000 followers and more.
    page.get_by_role("link", name="See them in discovery").click()
    results = page.locator("#results tbody tr")
    expect(results).to_have_count(5)
    filters = page.locator("#filters")
    filters.get_by_text("Instagram", exact=True).click()
    expect(results).to_have_count(4)
    expect(page).to_have_url(re.compile(r"platform=instagram"))
    filters.get_by_label("Followers from").fill("20000")
    filters.get_by_role("button", name="Apply filters").click()
    expect(results).to_have_count(3)
    expect(page).to_have_url(re.compile(r"followers_min=20000"))
    for name in SHORTLIST:
        expect(results.filter(has_text=name)).to_have_count(1)
    expect(results.filter(has_text="Tom Baker")).to_have_count(0)
    expect(results.filter(has_text="Sam Lee")).to_have_count(0)
    discovery_url = page.url
    _snap(page, shots, "discovery")

    # --- 5. The creator page: the authenticity breakdown, signal by signal.
    results.filter(has_text="Priya Raman").get_by_role("link", name="Priya Raman").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Priya Raman")
    section = page.locator(".account-section", has_text="@priya_hikes")
    expect(section.get_by_role("heading", name=re.compile("^Authenticity"))).to_be_visible()
    for column in ("Signal", "Value", "Normal range", "Weight", "Verdict", "Why"):
        expect(section.locator("table.signals thead")).to_contain_text(column)
    signals = section.locator("table.signals tbody tr")
    expect(signals.first).to_be_visible()
    assert signals.count() >= 5, signals.all_inner_texts()
    # Measured from the imported counts: value, normal range, weight, verdict and why.
    ratio = signals.filter(has_text="Following / followers")
    expect(ratio.locator("td")).to_have_text(
        ["0.0127", "≤ 0.5", "10", "ok", re.compile("follows 610 for 48,200 followers")]
    )
    # Not measurable without posts: said so, never guessed.
    expect(signals.filter(has_text="Comments per like")).to_contain_text("unknown")
    _snap(page, shots, "creator", at=section.get_by_role("heading", name="Posting frequency"))

    # --- 6. Create the campaign.
    page.get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="New campaign").first.click()
    page.get_by_label("Name").fill(CAMPAIGN)
    page.get_by_label("Brand").fill("Acme Outdoors")
    page.get_by_label("Product").fill("Ridge hiking boots")
    page.get_by_label("Goal").select_option(label="Conversions")
    page.get_by_label("Budget").fill("5000")
    page.get_by_label("Currency").fill("USD")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(CAMPAIGN)
    campaign = Campaign.objects.get(name=CAMPAIGN)

    # --- 7. Shortlist three creators from the filtered discovery list.
    page.goto(discovery_url)  # the filters live in the URL: a bookmark brings them back
    expect(results).to_have_count(3)
    for handle in ("priya_hikes", "marco.trails", "lena_climbs"):
        page.get_by_label(f"Select @{handle}").check()
    page.get_by_role("button", name="Add to campaign…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add 3 creators to a campaign")
    page.get_by_label("Campaign").select_option(label=CAMPAIGN)
    page.get_by_role("button", name="Add to campaign").click()
    _toast(page, f"Added 3 creators to “{CAMPAIGN}”.")
    _open_campaign(page)
    shortlist = page.locator("table.shortlist-table tbody tr")
    expect(shortlist).to_have_count(3)

    # --- 8. A message template, then a templated email to Priya.
    _menu(page, "Message templates")
    page.get_by_role("link", name="New template").first.click()
    page.get_by_label("Name").fill("Trail intro")
    page.get_by_label("Subject").fill("{{ campaign.name }} with Acme Outdoors")
    page.get_by_label("Body").fill(
        "Hi {{ creator.first_name }}, we would love you on {{ campaign.name }}."
    )
    page.get_by_role("button", name="Save").click()
    _open_campaign(page)
    shortlist.filter(has_text="Priya Raman").get_by_role("link", name="Email").click()
    expect(page.get_by_role("checkbox", name="Priya Raman")).to_be_checked()
    page.get_by_label("Template").select_option(label="Trail intro")
    page.get_by_role("button", name="Preview").click()
    draft = page.locator("#drafts article")
    expect(draft).to_have_count(1)
    expect(draft.locator("pre")).to_have_text("Hi Priya, we would love you on Trail season.")
    page.get_by_role("button", name="Send").click()
    _toast(page, "Queued 1 message.")
    outreach = mail.outbox[-1]
    assert outreach.to == ["priya@creator.test"]
    assert outreach.subject == "Trail season with Acme Outdoors"
    _open_campaign(page)
    shortlist.filter(has_text="Priya Raman").get_by_role("link", name="Timeline").click()
    message = page.locator(".outreach-timeline .outreach-message")
    expect(message).to_have_count(1)
    expect(message.locator(".badge")).to_have_text("Sent")
    expect(message.locator("pre")).to_have_text("Hi Priya, we would love you on Trail season.")
    expect(page.locator(".stage-changes")).to_contain_text("Prospect → Contacted")
    priya_row = CampaignCreator.objects.get(campaign=campaign, creator__name="Priya Raman")
    assert OutreachMessage.objects.get(campaign_creator=priya_row).status == "sent"

    # --- 9. The board: move cards with their Move menus.
    _open_campaign(page)
    page.get_by_role("link", name="Board", exact=True).click()
    expect(_column(page, "contacted")).to_contain_text("Priya Raman")  # sending moved her
    _move(page, "Priya Raman", "Replied")
    expect(_column(page, "replied")).to_contain_text("Priya Raman")
    _move(page, "Priya Raman", "Negotiating")
    expect(_column(page, "negotiating")).to_contain_text("Priya Raman")
    _move(page, "Marco Bianchi", "Contacted")
    expect(_column(page, "contacted")).to_contain_text("Marco Bianchi")
    expect(_column(page, "prospect").locator(".board-card")).to_have_count(1)

    # --- 10. A contract template, then Priya's contract drafted from it and sent.
    page.get_by_role("link", name="Contracts", exact=True).first.click()
    page.get_by_role("link", name="Templates", exact=True).click()
    page.get_by_role("link", name="New template").first.click()
    page.get_by_label("Name").fill("Standard creator deal")
    page.get_by_label("Cash amount").fill("750.00")
    page.get_by_role("button", name="Save template").click()
    _open_campaign(page)
    page.get_by_role("link", name="Board", exact=True).click()
    page.locator(".board-card", has_text="Priya Raman").get_by_role(
        "link", name="Draft contract"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contract for Priya Raman")
    page.get_by_label("Template").select_option(label="Standard creator deal")
    page.get_by_role("button", name="Start draft").click()
    _toast(page, "Draft contract started for Priya Raman.")
    new_row = page.locator("fieldset.deliverable-row").last
    new_row.get_by_label("Platform").select_option(label="Instagram")
    new_row.get_by_label("Format").select_option(label="Reel")
    new_row.get_by_label("Quantity").fill("1")
    due = datetime.date.today() + datetime.timedelta(days=14)
    new_row.get_by_label("Due date").fill(due.isoformat())
    new_row.get_by_label("Hashtags").fill("#ad, #acmeoutdoors")
    page.get_by_role("button", name="Save draft").click()
    _toast(page, "Saved version 1.")
    expect(page.locator(".deliverable-table tbody tr")).to_have_count(1)
    expect(page.locator("dl.facts")).to_contain_text("750.00 USD")
    page.get_by_role("button", name="Send to creator").click()
    _toast(page, "Sent to priya@creator.test.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sent")
    page.reload()  # the page without its toast, for the picture
    _snap(page, shots, "contract")
    contract = Contract.objects.get(campaign_creator=priya_row)
    acceptance = _link_in(mail.outbox[-1].body, r"/c/[A-Za-z0-9_-]+/")
    assert mail.outbox[-1].to == ["priya@creator.test"]

    # --- 11. The creator: a fresh browser, no session, only the link from the email.
    creator = browsers.new_page()
    creator.goto(acceptance)
    expect(creator.locator(".contract-title")).to_have_text(contract.title)
    expect(creator.locator(".topbar")).to_have_count(0)
    expect(creator.locator(".contract-document")).to_contain_text("750.00")
    creator.get_by_label("Your full name").fill("Priya Raman")
    creator.get_by_label("I will mark every sponsored post with “#ad”").check()
    creator.get_by_label("I grant the usage rights").check()
    _snap(creator, shots, "acceptance", at=creator.locator("#accept-heading"))
    creator.get_by_role("button", name="Accept").click()
    expect(creator.get_by_role("heading", level=1)).to_have_text("You accepted this contract")
    decision = ContractDecision.objects.get(version__contract=contract)
    assert decision.full_name == "Priya Raman"

    # --- 12. Back in the team's browser: Contracted on the board, the contract accepted.
    _open_campaign(page)
    page.get_by_role("link", name="Board", exact=True).click()
    expect(_column(page, "contracted")).to_contain_text("Priya Raman")
    expect(_column(page, "contracted")).to_contain_text("Contract: accepted")
    expect(_column(page, "contacted")).to_contain_text("Marco Bianchi")
    expect(_column(page, "prospect")).to_contain_text("Lena Fischer")
    _snap(page, shots, "board")
    _column(page, "contracted").get_by_role("link", name=re.compile("^Contract:")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Accepted")
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Active")

    # --- 13. The deliverables to-do: attach the published post.
    page.get_by_role("link", name="Contracts", exact=True).first.click()
    page.get_by_role("link", name="Deliverables to do").click()
    todo = page.locator("tr.deliverable-row", has_text="Priya Raman")
    expect(todo).to_have_count(1)
    todo.get_by_role("link", name="Posts & metrics").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Priya Raman")
    page.get_by_label("Post link").fill("https://www.instagram.com/reel/DAcmeTrail01/")
    page.get_by_role("button", name="Attach post").click()
    expect(page.locator("article.published-post")).to_have_count(1)
    post = page.locator("article.published-post")
    expect(post).to_contain_text("DAcmeTrail01")
    # No platform connection here: the numbers come from the creator's insights screenshot.
    post.locator("summary", has_text="Enter numbers by hand").click()
    post.get_by_label("Date").fill(datetime.date.today().isoformat())
    for label, value in (("Views", "18000"), ("Reach", "15000"), ("Likes", "1200")):
        post.get_by_label(label).fill(value)
    for label, value in (("Comments", "140"), ("Shares", "60"), ("Saves", "100")):
        post.get_by_label(label).fill(value)
    post.get_by_role("button", name="Save numbers").click()
    expect(page.locator("article.published-post table.post-numbers tbody")).to_contain_text("18000")

    # --- 14. Conversions: a promo code, a tracked link (clicked by a stranger), a sale.
    _open_campaign(page)
    page.get_by_role("link", name="Conversions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Conversions")
    promo = page.locator("#promo-codes")
    promo.locator("summary", has_text="New promo code").click()
    _select_containing(promo.get_by_label("Creator"), "Priya Raman")
    promo.get_by_label("Code").fill("PRIYA15")
    promo.get_by_role("button", name="Add promo code").click()
    expect(page.locator("#promo-codes")).to_contain_text("PRIYA15")
    links = page.locator("#links")
    links.locator("summary", has_text="New tracked link").click()
    _select_containing(links.get_by_label("Creator"), "Priya Raman")
    links.get_by_label("Destination").fill("https://shop.acme-outdoors.test/ridge-boots")
    links.get_by_role("button", name="Create link").click()
    short_link = page.locator("#links input[readonly]").first
    expect(short_link).to_have_value(re.compile(r"/r/[A-Za-z0-9_-]+$"))
    short_path = re.search(r"/r/[A-Za-z0-9_-]+$", short_link.input_value()).group(0)
    # A stranger follows it (no session); the shop itself is not on this network, so the
    # redirect is read rather than followed.
    stranger = browsers.new_page(user_agent=PERSON_UA)
    click = stranger.request.get(short_path, max_redirects=0)
    assert click.status in (301, 302), click.status
    assert click.headers["location"].startswith("https://shop.acme-outdoors.test/ridge-boots")
    assert "utm_source=" in click.headers["location"]
    conversions = page.locator("#conversions")
    conversions.locator("summary", has_text="Add a conversion by hand").click()
    _select_containing(conversions.get_by_label("Creator"), "Priya Raman")
    _select_containing(conversions.get_by_label("Promo code"), "PRIYA15")
    conversions.get_by_label("Date").fill(datetime.date.today().isoformat())
    conversions.get_by_label("Uses").fill("3")
    conversions.get_by_label("Revenue").fill("420.00")
    conversions.get_by_label("Currency").select_option("USD")
    conversions.get_by_role("button", name="Add conversion").click()
    expect(page.locator("#conversion-list")).to_contain_text("420")

    # --- 15. The dashboard: the numbers and the charts.
    _open_campaign(page)
    page.get_by_role("link", name="Report", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{CAMPAIGN}: report")
    report = page.locator("main")
    expected = {
        "Posts live": "1 of 1 planned",
        "Views to date": "18,000",  # the post's numbers
        "Clicks": "1",  # the stranger's visit
        "Conversions": "3",
        "Revenue": "420.00 USD",  # by hand
        "Spend": "750.00 USD",  # the accepted contract
        "CPA": "250.00 USD",  # 750 / 3
        "ROAS": "0.56×",  # 420 / 750
    }
    for label, value in expected.items():
        if value.isdigit():
            expect(_metric(report, label)).to_have_text(value)
        else:
            expect(_metric(report, label)).to_contain_text(value)
    expect(report.locator("svg").first).to_be_visible()
    assert report.locator("svg").count() >= 3
    _snap(page, shots, "dashboard")

    # --- 16. A share link, opened by someone who never signed in.
    page.get_by_role("link", name="Share links").click()
    page.get_by_role("button", name="Create link").click()
    share_url = page.get_by_label("Link").input_value()
    assert "/s/" in share_url
    guest = browsers.new_page()
    guest.goto(share_url)
    expect(guest.locator("body")).to_contain_text(CAMPAIGN)
    for label in ("Revenue", "Spend", "Conversions", "Clicks"):
        expect(_metric(guest.locator("main"), label)).to_contain_text(expected[label])
    expect(guest.locator("body")).to_contain_text("Priya Raman")
    assert "@creator.test" not in guest.content()
    assert guest.locator("svg").count() >= 1
    _snap(guest, shots, "shared_report")

    elapsed = time.monotonic() - started
    (shots / "journey.txt").write_text(f"journey time: {elapsed:.1f} s\n", encoding="utf-8")
    print(f"\njourney time: {elapsed:.1f} s (screenshots in {shots})")
    assert Contract.objects.get(pk=contract.pk).status == Contract.Status.ACTIVE
    assert Decimal(str(contract.current_version.total_value)) == Decimal("750.00")
