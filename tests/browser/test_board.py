"""The pipeline board in a real browser: move cards by the keyboard menu and by drag and drop."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.accounts.models import Role
from apps.campaigns.models import CampaignCreator, StageChange
from tests.browser.conftest import screenshot
from tests.factories import (
    PASSWORD,
    CampaignCreatorFactory,
    CampaignFactory,
    MembershipFactory,
    SocialAccountFactory,
)


@pytest.fixture
def board_campaign(transactional_db):
    membership = MembershipFactory(role=Role.MEMBER, user__email="marketer@acme.test")
    campaign = CampaignFactory(
        workspace=membership.workspace, owner=membership.user, name="Spring launch"
    )
    for name, handle in (
        ("Priya Raman", "priya_cooks"),
        ("John Carter", "john"),
        ("Nina Cat", "nina"),
    ):
        account = SocialAccountFactory(
            creator__workspace=campaign.workspace, creator__name=name, handle=handle
        )
        CampaignCreatorFactory(campaign=campaign, creator=account.creator, planned_fee=400)
    return membership.user, campaign


def _column(page, stage: str):
    return page.locator(f'#board .board-column[data-stage="{stage}"]')


def test_cards_move_by_keyboard_menu_and_by_drag_and_drop_without_reload(page, board_campaign):
    user, campaign = board_campaign
    page.goto(reverse("campaign_board", args=[campaign.pk]))  # signing in brings us back here
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(_column(page, "prospect").locator(".board-card")).to_have_count(3)
    expect(_column(page, "prospect")).to_contain_text("1200.00 USD")
    page.evaluate("window.__notReloaded = true")

    # Keyboard: open Priya's move menu, choose Contacted, press Move.
    priya = page.locator(".board-card", has_text="Priya Raman")
    priya.locator("details.board-move > summary").focus()
    page.keyboard.press("Enter")
    priya.get_by_label("Move to").select_option("contacted")
    priya.get_by_label("Move to").focus()
    page.keyboard.press("Tab")  # the reason field
    page.keyboard.press("Tab")  # the Move button
    page.keyboard.press("Enter")
    expect(_column(page, "contacted")).to_contain_text("Priya Raman")
    expect(_column(page, "prospect").locator(".board-card")).to_have_count(2)
    expect(page.locator("#toasts")).to_contain_text("Moved Priya Raman to Contacted.")

    # Drag John onto the Contacted column.
    john = page.locator(".board-card", has_text="John Carter")
    john.drag_to(_column(page, "contacted"))
    expect(_column(page, "contacted").locator(".board-card")).to_have_count(2)
    expect(_column(page, "contacted")).to_contain_text("John Carter")
    expect(_column(page, "contacted")).to_contain_text("800.00 USD")
    expect(_column(page, "prospect").locator(".board-card")).to_have_count(1)

    assert page.evaluate("window.__notReloaded") is True
    stages = dict(CampaignCreator.objects.values_list("creator__name", "stage"))
    assert stages == {
        "Priya Raman": "contacted",
        "John Carter": "contacted",
        "Nina Cat": "prospect",
    }
    assert StageChange.objects.filter(by=user, to_stage="contacted").count() == 2
    screenshot(page, "board")


def test_a_move_menu_opened_before_the_board_script_ran_still_gets_its_form(page, board_campaign):
    """On a slow connection the cards show before board.js has run; a menu opened then
    must still load its form once the script arrives (CI once caught this race)."""
    user, campaign = board_campaign
    held_back = []
    page.route("**/board*.js", lambda route: held_back.append(route))
    page.goto(reverse("campaign_board", args=[campaign.pk]))
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    priya = page.locator(".board-card", has_text="Priya Raman")
    priya.locator("details.board-move > summary").click()
    page.wait_for_function("() => document.querySelector('details.board-move[open]')")
    assert held_back, "board.js was not requested"
    expect(priya.locator("form.move-form")).to_have_count(0)  # no script, no form yet
    for route in held_back:
        route.continue_()

    priya.get_by_label("Move to").select_option("contacted")
    priya.get_by_role("button", name="Move").click()
    expect(_column(page, "contacted")).to_contain_text("Priya Raman")


def test_a_move_pressed_as_soon_as_the_form_shows_stays_on_the_page(page, board_campaign):
    """htmx wires a swapped-in form when the swap settles; a Move pressed before that sent
    the form as a plain page load (CI caught it under load). A long settle makes it certain."""
    user, campaign = board_campaign
    page.goto(reverse("campaign_board", args=[campaign.pk]))
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(_column(page, "prospect").locator(".board-card")).to_have_count(3)
    page.evaluate("htmx.config.defaultSettleDelay = 5000; window.__notReloaded = true")

    priya = page.locator(".board-card", has_text="Priya Raman")
    priya.locator("details.board-move > summary").click()
    priya.get_by_label("Move to").select_option("contacted")
    priya.get_by_role("button", name="Move").click()

    expect(_column(page, "contacted")).to_contain_text("Priya Raman")
    assert page.evaluate("window.__notReloaded") is True
