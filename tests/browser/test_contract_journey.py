"""The contract journey in a real browser: draft from a template, send, the creator accepts by
link in a browser of their own, and the card lands in "Contracted" on the board."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from apps.contracts.models import Contract, ContractDecision
from config.celery import app as celery_app
from tests.browser.conftest import screenshot
from tests.factories import (
    PASSWORD,
    CampaignCreatorFactory,
    CampaignFactory,
    ContractTemplateFactory,
    TemplateClauseFactory,
)

CLAUSE = "The creator keeps the raw footage for ninety days."


@pytest.fixture
def tasks_run_in_request():
    """No Celery worker runs here: the link email is sent inside the request."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def negotiating(team):
    campaign = CampaignFactory(
        workspace=team.workspace,
        owner=team.teammate,
        name="Spring launch",
        brand="Acme Shoes",
        platforms=["instagram"],
    )
    template = ContractTemplateFactory(
        workspace=team.workspace,
        name="Standard deal",
        default_terms={"disclosure_label": "#ad", "cash_amount": "750.00"},
    )
    TemplateClauseFactory(
        template=template, clause__title="Footage", clause__category="other", clause__body=CLAUSE
    )
    return CampaignCreatorFactory(
        campaign=campaign,
        stage="negotiating",
        creator__name="Priya Raman",
        creator__email="priya@creator.test",
    )


def _column(page, stage: str):
    return page.locator(f'#board .board-column[data-stage="{stage}"]')


def test_a_member_drafts_and_sends_a_contract_and_the_creator_accepts_it(
    page, browser, live_server, team, negotiating, tasks_run_in_request
):
    row = negotiating
    campaign = row.campaign
    page.goto(reverse("contract_create", args=[campaign.pk, row.pk]))  # sign in first
    page.get_by_label("Email").fill(team.teammate.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Draft from the template.
    expect(page.get_by_role("heading", level=1)).to_have_text("Contract for Priya Raman")
    page.get_by_label("Template").select_option(label="Standard deal")
    page.get_by_role("button", name="Start draft").click()
    expect(page.locator("#toasts")).to_contain_text("Draft contract started for Priya Raman.")
    contract = Contract.objects.get(campaign_creator=row)

    # The document, then send it.
    page.goto(reverse("contract_document", args=[contract.pk, 1]))
    expect(page.locator(".contract-document")).to_contain_text(CLAUSE)
    expect(page.locator(".contract-document")).to_contain_text("750.00")
    page.goto(contract.get_absolute_url())
    page.get_by_role("button", name="Send to creator").click()
    expect(page.locator("#toasts")).to_contain_text("Sent to priya@creator.test.")

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["priya@creator.test"]
    path = re.search(r"/c/[A-Za-z0-9_-]+/", mail.outbox[0].body).group(0)

    # The creator: another browser, no session, only the link from the email.
    creator_context = browser.new_context(base_url=live_server.url)
    creator = creator_context.new_page()
    creator.set_default_timeout(10_000)
    try:
        creator.goto(path)
        expect(creator.locator(".contract-title")).to_have_text(contract.title)
        expect(creator.locator(".contract-document")).to_contain_text(CLAUSE)
        expect(creator.locator(".topbar")).to_have_count(0)
        creator.get_by_label("Your full name").fill("Priya Raman")
        creator.get_by_label("I will mark every sponsored post with “#ad”").check()
        creator.get_by_label("I grant the usage rights").check()
        screenshot(creator, "contract_public")
        creator.get_by_role("button", name="Accept").click()
        expect(creator.get_by_role("heading", level=1)).to_have_text("You accepted this contract")
        expect(creator.locator(".public-decision")).to_contain_text("Priya Raman")
    finally:
        creator_context.close()

    decision = ContractDecision.objects.get(version__contract=contract)
    assert decision.full_name == "Priya Raman" and decision.ip_address == "127.0.0.1"
    assert Contract.objects.get(pk=contract.pk).status == Contract.Status.ACCEPTED

    # The team's board: the card moved to Contracted.
    page.goto(reverse("campaign_board", args=[campaign.pk]))
    expect(_column(page, "contracted")).to_contain_text("Priya Raman")
    expect(_column(page, "negotiating").locator(".board-card")).to_have_count(0)
    screenshot(page, "contract_board")
