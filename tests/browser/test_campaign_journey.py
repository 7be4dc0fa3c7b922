"""The campaign journey in a real browser: shortlist from Discover, move on the board, email, timeline."""

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from apps.campaigns.models import CampaignCreator, OutreachMessage
from config.celery import app as celery_app
from tests.browser.conftest import screenshot
from tests.factories import (
    PASSWORD,
    CampaignFactory,
    MessageTemplateFactory,
    SocialAccountFactory,
)

CREATORS = (
    ("Priya Raman", "priya_cooks", 40_000),
    ("John Carter", "john", 30_000),
    ("Nina Cat", "nina", 20_000),
    ("Omar Haddad", "omar_runs", 10_000),
)


@pytest.fixture
def tasks_run_in_request():
    """No Celery worker runs here: the queued email is sent inside the request.

    Celery reads Django settings once, so its own config is what must change.
    """
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def spring_launch(team):
    for name, handle, followers in CREATORS:
        SocialAccountFactory(
            creator__workspace=team.workspace,
            creator__name=name,
            creator__email=f"{handle}@creator.test",
            handle=handle,
            followers=followers,
        )
    MessageTemplateFactory(
        workspace=team.workspace,
        name="Spring intro",
        subject="{{ campaign.name }}",
        body="Hi {{ creator.first_name }}, join {{ campaign.name }}",
    )
    return CampaignFactory(workspace=team.workspace, owner=team.teammate, name="Spring launch")


def _column(page, stage: str):
    return page.locator(f'#board .board-column[data-stage="{stage}"]')


def test_a_member_shortlists_moves_emails_a_creator_and_sees_it_on_the_timeline(
    page, team, spring_launch, tasks_run_in_request
):
    campaign = spring_launch
    page.goto("/creators/")  # signing in brings us back here
    page.get_by_label("Email").fill(team.teammate.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Discover: tick three rows and add them to the campaign through the chooser page.
    expect(page.locator("#results tbody tr")).to_have_count(4)
    for handle in ("priya_cooks", "john", "nina"):
        page.get_by_label(f"Select @{handle}").check()
    page.get_by_role("button", name="Add to campaign…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add 3 creators to a campaign")
    page.get_by_label("Campaign").select_option(label="Spring launch")
    page.get_by_role("button", name="Add to campaign").click()
    expect(page.locator("#toasts")).to_contain_text("Added 3 creators to “Spring launch”.")

    page.goto(reverse("campaign_detail", args=[campaign.pk]))
    expect(page.get_by_role("heading", name="Shortlist (3)")).to_be_visible()
    shortlist = page.locator("table.shortlist-table tbody tr")
    expect(shortlist).to_have_count(3)
    for name in ("Priya Raman", "John Carter", "Nina Cat"):
        expect(shortlist.filter(has_text=name)).to_have_count(1)
    expect(shortlist.filter(has_text="Omar Haddad")).to_have_count(0)

    # Board: drag Priya from Prospect to Contacted.
    page.get_by_role("link", name="Board").click()
    expect(_column(page, "prospect").locator(".board-card")).to_have_count(3)
    page.locator(".board-card", has_text="Priya Raman").drag_to(_column(page, "contacted"))
    expect(_column(page, "contacted").locator(".board-card")).to_have_count(1)
    expect(_column(page, "contacted")).to_contain_text("Priya Raman")
    expect(_column(page, "prospect").locator(".board-card")).to_have_count(2)

    # Campaign page: Priya's "Email" link, pick the template, preview, send.
    page.get_by_role("link", name="Spring launch").click()
    priya = shortlist.filter(has_text="Priya Raman")
    expect(priya).to_contain_text("Contacted")
    priya.get_by_role("link", name="Email").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Outreach")
    expect(page.get_by_role("checkbox", name="Priya Raman")).to_be_checked()
    page.get_by_label("Template").select_option(label="Spring intro")
    page.get_by_role("button", name="Preview").click()
    draft = page.locator("#drafts article")
    expect(draft).to_have_count(1)
    expect(draft).to_contain_text("priya_cooks@creator.test")
    expect(draft.locator("pre")).to_have_text("Hi Priya, join Spring launch")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#toasts")).to_contain_text("Queued 1 message.")

    # Timeline: the rendered message, sent.
    page.goto(reverse("campaign_detail", args=[campaign.pk]))
    priya.get_by_role("link", name="Timeline").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Priya Raman")
    message = page.locator(".outreach-timeline .outreach-message")
    expect(message).to_have_count(1)
    expect(message.locator("pre")).to_have_text("Hi Priya, join Spring launch")
    expect(message.locator(".badge")).to_have_text("Sent")
    expect(message).to_contain_text("to priya_cooks@creator.test")
    expect(page.locator(".stage-changes")).to_contain_text("Prospect → Contacted")

    row = CampaignCreator.objects.get(campaign=campaign, creator__name="Priya Raman")
    assert row.stage == "contacted"
    assert OutreachMessage.objects.get(campaign_creator=row).status == OutreachMessage.Status.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["priya_cooks@creator.test"]
    assert mail.outbox[0].subject == "Spring launch"
    assert mail.outbox[0].body == "Hi Priya, join Spring launch"
    screenshot(page, "campaign_timeline")
