"""A manager adds a YouTube key on the Connections page, tests it in place (htmx), and reads
the Refresh status page. The page fixture fails on any console error (CSP included)."""

import secrets

import respx
from django.conf import settings
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.creators.providers.conftest import replay
from tests.factories import PASSWORD, SocialAccountFactory

KEY = f"AIzaSyD-{secrets.token_hex(10)}wxyz"  # a fresh quota budget on every run


def test_a_manager_adds_and_tests_a_key_then_reads_the_refresh_status(page, team):
    SocialAccountFactory(creator__workspace=team.workspace, platform="tiktok")
    page.goto("/creators/connections/")
    page.get_by_label("Email").fill(team.owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Connections")
    expect(page.get_by_text("no working TikTok connection")).to_be_visible()

    page.get_by_role("link", name="YouTube Data API key").click()
    page.get_by_label("Name").fill("Agency key")
    page.get_by_label("API key").fill(KEY)
    page.get_by_role("button", name="Add connection").click()
    expect(page.get_by_text("••••wxyz")).to_be_visible()
    expect(page.get_by_text("Not tested yet")).to_be_visible()

    with respx.mock(base_url=settings.YOUTUBE_API_BASE) as api:
        api.get("/channels").mock(return_value=replay("youtube/error_key_invalid"))
        page.get_by_role("button", name="Test").click()
        expect(page.get_by_text("Broken: needs attention")).to_be_visible()
    expect(page.locator("#toasts").get_by_text("Rejected")).to_be_visible()
    assert KEY not in page.content()
    screenshot(page, "refresh_connections")

    page.get_by_role("link", name="refresh status").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Refresh status")
    expect(page.get_by_text("Quota per credential")).to_be_visible()
    expect(page.get_by_text("1 of 10,000 units used")).to_be_visible()  # the test call
    screenshot(page, "refresh_status")
