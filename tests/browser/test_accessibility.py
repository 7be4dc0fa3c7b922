"""axe-core on the main pages: no violation of serious or critical impact.

axe-core is vendored at tests/browser/vendor/axe.min.js (MPL-2.0, licence beside it).
"""

from pathlib import Path

import pytest
from django.urls import reverse

from tests.browser.workspace_world import World, build_world
from tests.factories import PASSWORD

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(" ") + " :: " + n.failureSummary.split("\\n")[1])
  }));
}"""


def plain(label: str, limit: int) -> str:
    return f"{label} text"[:limit]


@pytest.fixture
def world(transactional_db) -> World:
    return build_world(plain)


def _team_pages(world: World, *, all_pages: bool) -> list[tuple[str, str]]:
    campaign, rows, active = world.campaign, world.rows, world.active
    main = [
        ("home", reverse("home")),
        ("discovery", reverse("creator_list")),
        ("creator page", reverse("creator_detail", args=[world.creator.pk])),
        ("campaigns", reverse("campaign_list")),
        ("campaign page", reverse("campaign_detail", args=[campaign.pk])),
        ("board", reverse("campaign_board", args=[campaign.pk])),
        ("table", reverse("campaign_table", args=[campaign.pk])),
        ("outreach timeline", reverse("outreach_timeline", args=[campaign.pk, rows[0].pk])),
        (
            "outreach template editor",
            reverse("outreach_template_edit", args=[world.message_template.pk]),
        ),
        ("contracts", reverse("contract_list")),
        ("contract detail", reverse("contract_detail", args=[active.pk])),
        ("contract editor", reverse("contract_edit", args=[world.draft.pk])),
        (
            "contract document",
            reverse("contract_document", args=[active.pk, active.accepted_version.number]),
        ),
        ("deliverables", reverse("deliverable_list")),
        ("deliverable page", reverse("deliverable_detail", args=[world.deliverable.pk])),
        ("conversions", reverse("campaign_conversions", args=[campaign.pk])),
        ("report", reverse("campaign_report", args=[campaign.pk])),
    ]
    if not all_pages:
        return main
    return main + [
        # Beyond the main pages: the other pages of the journey.
        ("campaign form", reverse("campaign_edit", args=[campaign.pk])),
        ("creator form", reverse("creator_edit", args=[world.creator.pk])),
        ("add creator", reverse("creator_add")),
        ("outreach send", reverse("outreach_send", args=[campaign.pk])),
        ("outreach templates", reverse("outreach_template_list")),
        ("contract compare", reverse("contract_compare", args=[active.pk])),
        ("contract history", reverse("contract_history", args=[active.pk])),
        ("clauses", reverse("clause_list")),
        ("contract templates", reverse("contract_template_list")),
        (
            "contract template editor",
            reverse("contract_template_edit", args=[world.contract_template.pk]),
        ),
        ("report share links", reverse("share_link_list", args=[campaign.pk])),
        ("report emails", reverse("report_schedule_list", args=[campaign.pk])),
        ("reports overview", reverse("report_overview")),
        ("members", reverse("members")),
        ("connections", reverse("connections")),
    ]


def _public_pages(world: World) -> list[tuple[str, str]]:
    return [
        ("sign-in", reverse("login")),
        ("creator acceptance", reverse("contract_public", args=[world.acceptance_token])),
        ("shared report", reverse("shared_report", args=[world.share_token])),
    ]


def _axe(page, name: str, url: str) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.status == 200, (name, url)
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    return [
        f"{name} ({url}): {v['impact']} {v['id']} – {v['help']}\n      "
        + "\n      ".join(v["nodes"])
        for v in page.evaluate(RUN_AXE)
        if v["impact"] in BLOCKING
    ]


@pytest.mark.parametrize(
    ("viewport", "all_pages"),
    [({"width": 1280, "height": 800}, True), ({"width": 390, "height": 844}, False)],
    ids=["desktop", "phone"],  # a phone makes wide tables scroll: regions need keyboard access
)
def test_the_main_pages_have_no_serious_or_critical_axe_violations(
    browser, live_server, world, viewport, all_pages
):
    # bypass_csp: axe is injected as an inline script, which the app's CSP rightly refuses.
    # This test checks the pages' accessibility, not the CSP (tests/test_security.py does).
    public = browser.new_context(base_url=live_server.url, bypass_csp=True, viewport=viewport)
    team = browser.new_context(base_url=live_server.url, bypass_csp=True, viewport=viewport)
    try:
        found: list[str] = []
        page = public.new_page()
        for name, url in _public_pages(world):
            found += _axe(page, name, url)

        page = team.new_page()
        page.goto(reverse("login"))
        page.get_by_label("Email").fill(world.owner.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/login/" not in url)
        for name, url in _team_pages(world, all_pages=all_pages):
            found += _axe(page, name, url)
    finally:
        public.close()
        team.close()
    assert not found, "axe found serious or critical violations:\n" + "\n".join(found)
