"""Every action reachable by keyboard: Tab to the control, Enter/Space to use it. No clicks,
no `.focus()` shortcuts: each path starts from the top of the page."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.campaigns.models import CampaignCreator, StageChange
from apps.contracts.models import Contract, ContractDecision
from apps.creators.models import SocialAccount
from tests.browser.workspace_world import World, build_world
from tests.factories import PASSWORD


def plain(label: str, limit: int) -> str:
    return f"{label} text"[:limit]


@pytest.fixture
def world(transactional_db) -> World:
    world = build_world(plain)
    # One account outside the micro tier, so the tier filter has something to leave out.
    SocialAccount.objects.filter(creator=world.rows[2].creator).update(
        followers=250_000, tier="mid"
    )
    return world


def tab_to(page, locator, *, limit: int = 200) -> None:
    """Press Tab until the locator's element has the focus (fails if Tab never gets there)."""
    target = locator.element_handle()
    for _ in range(limit):
        if page.evaluate("el => document.activeElement === el", target):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {locator}")


def sign_in_by_keyboard(page, world: World, url: str) -> None:
    page.goto(url)  # signing in brings us back here
    tab_to(page, page.get_by_label("Email"))
    page.keyboard.type(world.owner.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(url) + "$"))


def test_a_card_moves_to_another_stage_by_keyboard_only(page, world):
    campaign, row = world.campaign, world.rows[3]  # a prospect
    sign_in_by_keyboard(page, world, reverse("campaign_board", args=[campaign.pk]))
    card = page.locator(".board-card", has_text="Cname3 text")

    tab_to(page, card.locator("summary", has_text="Move"))
    page.keyboard.press("Enter")  # opens the menu; the form comes in
    stage = card.get_by_label("Move to")
    tab_to(page, stage)
    for _ in range(10):  # the arrow keys walk the options of a closed select
        if stage.input_value() == "contacted":
            break
        page.keyboard.press("ArrowDown")
    expect(stage).to_have_value("contacted")
    tab_to(page, card.get_by_role("button", name="Move"))
    page.keyboard.press("Enter")

    column = page.locator('#board .board-column[data-stage="contacted"]')
    expect(column).to_contain_text("Cname3 text")
    expect(page.locator("#toasts")).to_contain_text("Moved Cname3 text to Contacted.")
    assert CampaignCreator.objects.get(pk=row.pk).stage == "contacted"
    assert StageChange.objects.filter(campaign_creator=row, to_stage="contacted").exists()


def test_the_creator_accepts_a_contract_by_keyboard_only(page, world):
    page.goto(reverse("contract_public", args=[world.acceptance_token]))
    tab_to(page, page.get_by_label("Your full name"))
    page.keyboard.type("Priya Raman")
    tab_to(page, page.get_by_label(re.compile("I will mark every sponsored post")))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_label(re.compile("I grant the usage rights")))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Accept"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("You accepted this contract")
    decision = ContractDecision.objects.get(version__contract=world.sent)
    assert decision.decision == "accepted" and decision.full_name == "Priya Raman"
    assert Contract.objects.get(pk=world.sent.pk).status == Contract.Status.ACCEPTED


def test_discovery_filters_and_selects_rows_by_keyboard_only(page, world):
    sign_in_by_keyboard(page, world, reverse("creator_list"))
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(4)

    tab_to(page, page.get_by_role("checkbox", name="Micro (10k–100k)"))
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"tier=micro"))
    expect(rows).to_have_count(3)
    expect(page.locator("#results")).not_to_contain_text("Cname2 text")

    first = page.get_by_label("Select @creator_0")
    tab_to(page, first)
    page.keyboard.press("Space")
    expect(first).to_be_checked()
    select_all = page.get_by_label("Select all on this page")
    tab_to(page, select_all)
    page.keyboard.press("Space")
    for handle in ("creator_0", "creator_1", "creator_3"):
        expect(page.get_by_label(f"Select @{handle}")).to_be_checked()


MARK_CONTROLS = """() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]';
  const controls = [...document.querySelectorAll(selector)].filter(el =>
    el.checkVisibility({visibilityProperty: true}) && !el.disabled && el.tabIndex !== -1
    && !el.closest('[inert]'));
  controls.forEach((el, i) => el.dataset.kb = i);
  return controls.length;
}"""
SEEN = """() => {
  const el = document.activeElement;
  if (el && el.dataset.kb) el.dataset.kbSeen = 1;
  return document.querySelectorAll('[data-kb]:not([data-kb-seen])').length;
}"""
DESCRIBE = """() => [...document.querySelectorAll('[data-kb]')].filter(el => !el.dataset.kbSeen)
  .map(el => el.outerHTML.slice(0, 120))"""


def _tab_through(page) -> list[str]:
    """Tab through the whole page; the visible controls that Tab never reached."""
    count = page.evaluate(MARK_CONTROLS)
    # Date inputs take three Tabs (day, month, year): allow a few per control.
    for _ in range(count * 4 + 10):
        page.keyboard.press("Tab")
        missing = page.evaluate(SEEN)
        if not missing:
            break
    return page.evaluate(DESCRIBE)


def test_tab_reaches_every_visible_control_of_the_main_pages(page, world):
    campaign, active = world.campaign, world.active
    sign_in_by_keyboard(page, world, reverse("home"))
    unreachable = {}
    for url in (
        reverse("home"),
        reverse("creator_list"),
        reverse("creator_detail", args=[world.creator.pk]),
        reverse("campaign_detail", args=[campaign.pk]),
        reverse("campaign_board", args=[campaign.pk]),
        reverse("campaign_table", args=[campaign.pk]),
        reverse("outreach_template_edit", args=[world.message_template.pk]),
        reverse("contract_list"),
        reverse("contract_detail", args=[active.pk]),
        reverse("contract_edit", args=[world.draft.pk]),
        reverse("deliverable_list"),
        reverse("campaign_conversions", args=[campaign.pk]),
        reverse("campaign_report", args=[campaign.pk]),
    ):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        missed = _tab_through(page)
        if missed:
            unreachable[url] = missed
    assert unreachable == {}
