"""The creator page in a real browser: charts, the authenticity table, flags toggled in place."""

import pytest
from playwright.sync_api import expect

from apps.accounts.models import Role
from tests.browser.conftest import screenshot
from tests.creators.test_creator_page import ensure_benchmark_bands, seed_vetted_creator
from tests.factories import PASSWORD, MembershipFactory


@pytest.fixture
def seeded(transactional_db):
    ensure_benchmark_bands()
    membership = MembershipFactory(role=Role.MEMBER, user__email="marketer@acme.test")
    return membership.user, seed_vetted_creator(membership.workspace)


def test_marketer_reads_the_creator_page_and_flags_without_a_reload(page, seeded):
    user, data = seeded
    page.goto(data.creator.get_absolute_url())
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Maya Lopez")
    followers_chart = page.get_by_role("img", name="Followers, last 90 days (@maya.glow)")
    expect(followers_chart).to_be_visible()
    expect(followers_chart.locator("polyline")).to_have_count(1)
    expect(page.locator(".er-headline")).to_have_text(
        "3.4% — above the micro-tier median band (0.8–1.1%)"
    )

    signals = page.get_by_role("table", name="Authenticity signals of @maya.glow")
    expect(signals).to_be_visible()
    expect(signals.get_by_role("row")).to_have_count(8)  # header + 7 signals
    expect(signals.get_by_role("row", name="Engagement rate for the tier")).to_contain_text(
        "warning"
    )
    expect(page.get_by_role("heading", name="Authenticity: 84/100")).to_be_visible()

    # Flag through htmx: the section and the header badges change, the page does not reload.
    page.evaluate("window.__notReloaded = true")
    flags = page.locator("#flags")
    flags.get_by_role("button", name="Flag: Do not contact").click()
    expect(flags.get_by_role("button", name="Remove: Do not contact")).to_be_visible()
    expect(page.locator("#flag-badges")).to_contain_text("Do not contact")
    flags.get_by_role("button", name="Remove: Do not contact").click()
    expect(flags.get_by_role("button", name="Flag: Do not contact")).to_be_visible()
    expect(page.locator("#flag-badges")).not_to_contain_text("Do not contact")

    flags.get_by_label("Why flag as controversial (optional)").fill("Old posts about rivals")
    flags.get_by_role("button", name="Flag: Controversial").click()
    expect(flags.get_by_role("button", name="Remove: Controversial")).to_be_visible()
    expect(flags).to_contain_text("Old posts about rivals")
    expect(page.locator("#flag-badges")).to_contain_text("Controversial")
    assert page.evaluate("window.__notReloaded") is True

    # Last: Playwright's screenshot leaves style="" on inputs, which a later htmx
    # settle would copy (a CSP violation that only the test harness causes).
    screenshot(page, "creator_page")
