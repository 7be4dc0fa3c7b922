"""Stored XSS, checked in a real browser: every user-editable text of one workspace holds a
payload (an <img onerror>, a `"><script>` breaking out of an attribute, an element carrying
an `hx-get` that htmx would fire on load), and every page and fragment that shows them must
render them as inert text: no dialog, no request to the probe URL, no injected element, and
the payload readable as text (so broken escaping that hides the text also fails).
"""

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.workspace_world import World, build_world
from tests.factories import PASSWORD

MARKER = "xss-probe-7f3a"
IMG = "<img src=x onerror=alert(1)>"


def payload(label: str, limit: int) -> str:
    """The label wrapped in as much of the payload mix as the field's max length allows."""
    full = (
        f'{label} {IMG} "><script>alert(2)</script> '
        f'<b hx-get="/{MARKER}" hx-trigger="load">{label}</b>'
    )
    if len(full) <= limit:
        return full
    medium = f'{label}"><img src=x onerror=alert(1)><b hx-get=/{MARKER} hx-trigger=load>'
    if len(medium) <= limit:
        return medium
    # Niche names (50): one niche gets the <img>, the other the hx-get.
    return (
        f"{label}{IMG}" if label.endswith("1") else f'{label}"><b hx-get=/{MARKER} hx-trigger=load>'
    )


@pytest.fixture
def world(transactional_db) -> World:
    return build_world(payload)


def _pages(world: World) -> list[tuple[str, list[str]]]:
    """(url, labels whose payload the page must show as text or as a form field's value)."""
    campaign, rows = world.campaign, world.rows
    active, version = world.active, world.active.accepted_version
    terms = ["Vobjectives", "Vproduct", "Vfrequency", "Vlabel", "Vcancel", "Vcompetitor"]
    return [
        (reverse("home"), ["Wname", "Uowner", "Kname", "Cname0", "Pdisclosure"]),
        (reverse("creator_list"), ["Cname0", "Cname3", "N1", "N2", "Ssearch"]),
        (reverse("creator_list") + "?q=creator", ["Cname0", "Cname3"]),
        (
            reverse("creator_detail", args=[world.creator.pk]),
            ["Cname0", "Cnotes0", "Cteamnote", "Fnote"],
        ),
        (reverse("creator_edit", args=[world.creator.pk]), ["=Cname0", "=Cnotes0"]),
        (reverse("campaign_list"), ["Kname", "Kbrand"]),
        (
            reverse("campaign_detail", args=[campaign.pk]),
            ["Kname", "Kbrand", "Kproduct", "Kkw", "Cname0", "Cname3"],
        ),
        (reverse("campaign_edit", args=[campaign.pk]), ["=Kname", "=Kbrand", "=Kproduct", "N1"]),
        (reverse("campaign_board", args=[campaign.pk]), ["Kname", "Cname0", "Cname1", "Cname3"]),
        (reverse("campaign_table", args=[campaign.pk]), ["Cname0", "Cname2", "Rreason2"]),
        (reverse("campaign_creator_move", args=[campaign.pk, rows[3].pk]), ["Cname3"]),
        (reverse("outreach_template_list"), ["Mname", "Msubject"]),
        (
            reverse("outreach_template_edit", args=[world.message_template.pk]),
            ["=Mname", "=Msubject", "=Mbody"],
        ),
        (reverse("outreach_send", args=[campaign.pk]), ["Mname", f"Obody{rows[0].pk}"]),
        (
            reverse("outreach_timeline", args=[campaign.pk, rows[0].pk]),
            ["Cname0", f"Osubject{rows[0].pk}", f"Obody{rows[0].pk}"],
        ),
        (reverse("contract_list"), ["Htitle", "Htitlesent", "Htitledecl", "Htitledraft"]),
        (
            reverse("contract_detail", args=[active.pk]),
            ["Htitle", "Gfullname", "Ddesc", "Dtag", "Dmention", *terms],
        ),
        (reverse("contract_detail", args=[world.declined.pk]), ["Htitledecl", "Gcomment"]),
        (
            reverse("contract_edit", args=[world.draft.pk]),
            ["Htitledraft", "=Vobjectives", "=Vcancel", "=Vlabel", "=Ddraftdesc"],
        ),
        (reverse("contract_compare", args=[active.pk]), ["Htitle", "Vbody"]),
        (reverse("contract_history", args=[active.pk]), ["Htitle", *terms]),
        (
            reverse("contract_document", args=[active.pk, version.number]),
            ["Htitle", "Vbody", "Gfullname", "Ddesc", *terms[:-1]],
        ),
        (reverse("clause_list"), ["Qtitle", "Qbody"]),
        (reverse("contract_template_list"), ["Tname", "Tdesc", "Qtitle"]),
        (reverse("contract_template_edit", args=[world.contract_template.pk]), ["=Tname"]),
        (reverse("deliverable_list"), ["Cname0", "Htitle", "Ddesc", "Dtag"]),
        (
            reverse("deliverable_detail", args=[world.deliverable.pk]),
            ["Ddesc", "Vlabel", "Pdisclosure"],
        ),
        (
            reverse("campaign_conversions", args=[campaign.pk]),
            ["Lsource", "Lmedium", "Lcampaign", "Lcontent", "Pdesc", "Corder"],
        ),
        (reverse("campaign_report", args=[campaign.pk]), ["Kname", "Cname0"]),
        (reverse("share_link_list", args=[campaign.pk]), ["Blabel"]),
        (reverse("report_overview"), ["Kname"]),
        (reverse("members"), ["Uowner", "Umate"]),
    ]


def _public_pages(world: World) -> list[tuple[str, list[str]]]:
    return [
        (
            reverse("contract_public", args=[world.acceptance_token]),
            ["Htitlesent", "Kbrand", "Vbody", "Vobjectives", "Vlabel", "Vcancel"],
        ),
        (reverse("shared_report", args=[world.share_token]), ["Kname", "Cname0"]),
    ]


class Probe:
    """Records what a payload could make the browser do."""

    def __init__(self, page):
        self.dialogs: list[str] = []
        self.probe_requests: list[str] = []
        page.on("dialog", self._dialog)
        page.on("request", self._request)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _request(self, request) -> None:
        if MARKER in request.url:
            self.probe_requests.append(request.url)


INJECTED = f'img[src="x"], [onerror], [hx-get*="{MARKER}"], [hx-trigger="load"][hx-get*="probe"]'
SCRIPTS_WITH_ALERT = "[...document.scripts].filter(s => s.text.includes('alert(')).length"


def _check_page(page, url: str, labels: list[str], texts: dict[str, str]) -> list[str]:
    """What is wrong on this page (empty when the payloads are inert and readable)."""
    response = page.goto(url)
    if response is None or response.status != 200:
        return [f"{url} answered {response and response.status}"]
    page.wait_for_load_state("networkidle")
    problems = []
    if page.locator(INJECTED).count():
        problems.append(f"an injected element is live on {url}")
    if page.evaluate(SCRIPTS_WITH_ALERT):
        problems.append(f"an injected <script> is live on {url}")
    text = page.locator("body").inner_text()
    shown = [label for label in labels if not label.startswith("=")]
    # Escaping must keep the payload readable: the page shows it as text...
    if shown and IMG not in text and "onerror=alert(1)" not in text:
        problems.append(f"no payload text on {url}")
    problems += [f"{label} is not shown on {url}" for label in shown if label not in text]
    # ...and a form gives it back exactly as stored (no attribute broken out of).
    values = page.evaluate("[...document.querySelectorAll('input, textarea')].map(e => e.value)")
    problems += [
        f"{label[1:]} is not the value of a field on {url}"
        for label in labels
        if label.startswith("=") and texts[label[1:]] not in values
    ]
    return problems


def _check_fragment(page, url: str) -> list[str]:
    """The htmx partial of the same URL: its raw HTML carries no live tag of the payload."""
    response = page.request.get(url, headers={"HX-Request": "true"})
    if response.status != 200:
        return [f"the htmx request of {url} answered {response.status}"]
    html = response.text()
    return [
        f"{live!r} unescaped in the htmx response of {url}"
        for live in ("<img src=x", "<script>alert", "<b hx-get", '"><script')
        if live in html
    ]


def _sign_in(page, world: World) -> None:
    page.goto(reverse("login"))
    page.get_by_label("Email").fill(world.owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign in")).to_have_count(0)


def test_stored_payloads_are_inert_text_on_every_page_and_fragment(
    page, browser, live_server, world
):
    probe = Probe(page)
    _sign_in(page, world)
    problems = []
    for url, labels in _pages(world):
        problems += _check_page(page, url, labels, world.texts)
        problems += _check_fragment(page, url)

    # The pages for people without an account, in a browser of their own.
    context = browser.new_context(base_url=live_server.url)
    public = context.new_page()
    public.set_default_timeout(10_000)
    public_probe = Probe(public)
    try:
        for url, labels in _public_pages(world):
            problems += _check_page(public, url, labels, world.texts)
            problems += _check_fragment(public, url)
    finally:
        context.close()
    assert problems == []

    # Filtering discovery brings rows in through htmx: they are inert too.
    page.goto(reverse("creator_list"))
    page.get_by_role("searchbox", name="Search").press_sequentially("creator", delay=20)
    expect(page).to_have_url(f"{live_server.url}{reverse('creator_list')}?q=creator")
    page.wait_for_load_state("networkidle")
    assert page.locator(INJECTED).count() == 0

    assert probe.dialogs == [] and public_probe.dialogs == []
    assert probe.probe_requests == [] and public_probe.probe_requests == []


def test_the_api_returns_the_stored_strings_unmodified(world):
    """JSON is not HTML: no escaping there (the client escapes when it renders)."""
    client = Client()
    client.force_login(world.owner)
    creator = client.get(f"/api/v1/creators/{world.creator.pk}/")
    assert creator.status_code == 200, creator.content
    assert creator.json()["name"] == world.texts["Cname0"]
    campaign = client.get(f"/api/v1/campaigns/{world.campaign.pk}/")
    assert campaign.status_code == 200, campaign.content
    body = campaign.json()
    assert body["name"] == world.texts["Kname"] and body["brand"] == world.texts["Kbrand"]
    # The raw response has the characters, JSON-encoded, never as HTML entities.
    assert "&lt;" not in campaign.content.decode() and "&quot;" not in campaign.content.decode()
