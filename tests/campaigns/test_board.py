"""The pipeline board and table: moving cards, refusals, races, the timeline, query counts."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.campaigns import pipeline, services
from apps.campaigns.models import CampaignCreator, StageChange
from tests.factories import CampaignCreatorFactory, CampaignFactory, SocialAccountFactory

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "board"}


@pytest.fixture
def campaign(team):
    return CampaignFactory(workspace=team.workspace, owner=team.owner, name="Spring launch")


def _card(campaign, name="Priya Raman", **fields):
    account = SocialAccountFactory(
        creator__workspace=campaign.workspace, creator__name=name, followers=42_000
    )
    return CampaignCreatorFactory(campaign=campaign, creator=account.creator, **fields)


def _move_url(card) -> str:
    return reverse("campaign_creator_move", args=[card.campaign_id, card.pk])


def _column(html: str, stage: str) -> str:
    """The HTML of one board column, up to the next column's heading."""
    return html.split(f'<h2 id="column-{stage}"')[1].split('<h2 id="column-')[0]


def _move(client, card, to, *, version=None, reason="", **extra):
    data = {"to": to, "expected_version": card.version if version is None else version}
    if reason:
        data["reason"] = reason
    return client.post(_move_url(card), data, **extra)


# --- the service -------------------------------------------------------------------


def test_it_moves_a_card_and_records_the_timeline(campaign, team):
    card = _card(campaign)
    moved = services.campaign_creator_move(
        campaign_creator=card, to_stage="contacted", by=team.owner, expected_version=1
    )
    card.refresh_from_db()
    assert (moved.stage, card.stage, card.version) == ("contacted", "contacted", 2)
    change = StageChange.objects.get(campaign_creator=card)
    assert (change.from_stage, change.to_stage, change.by, change.reason) == (
        "prospect", "contacted", team.owner, "",
    )  # fmt: skip
    assert abs((change.at - card.stage_changed_at).total_seconds()) < 1


def test_the_guarded_update_refuses_a_card_moved_since_it_was_read(campaign, team):
    card = _card(campaign)
    stale_copy = CampaignCreator.objects.get(pk=card.pk)
    services.campaign_creator_move(
        campaign_creator=card, to_stage="contacted", by=team.owner, expected_version=1
    )
    # The stale copy still says version 1, so only the conditional UPDATE can notice.
    with pytest.raises(services.StaleMove) as refused:
        services.campaign_creator_move(
            campaign_creator=stale_copy, to_stage="not_a_fit", by=team.teammate,
            reason="Too pricey", expected_version=1,
        )  # fmt: skip
    assert refused.value.message == (
        "Someone moved this card a moment ago: it is now in Contacted. Reload and try again."
    )
    card.refresh_from_db()
    assert (card.stage, card.version) == ("contacted", 2)
    assert StageChange.objects.filter(campaign_creator=card).count() == 1


# --- moving through the view -------------------------------------------------------


def test_a_member_moves_a_card_and_returns_to_the_board(campaign, team):
    card = _card(campaign)
    response = _move(team.client_for(team.teammate), card, "contacted", follow=True)
    assert response.redirect_chain[-1][0] == reverse("campaign_board", args=[campaign.pk])
    assert "Moved Priya Raman to Contacted." in response.content.decode()
    card.refresh_from_db()
    assert card.stage == "contacted"
    assert StageChange.objects.get(campaign_creator=card).by == team.teammate


def test_htmx_move_returns_the_board_partial_with_the_card_in_its_new_column(
    owner_client, campaign
):
    card = _card(campaign)
    response = _move(owner_client, card, "contacted", **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="board"') and "<html" not in html
    assert "Priya Raman" in _column(html, "contacted")
    assert "Priya Raman" not in _column(html, "prospect")
    assert "Moved Priya Raman to Contacted." in response["HX-Trigger"]


def test_a_refused_move_is_409_with_the_reason_on_the_card(owner_client, campaign):
    card = _card(campaign)
    response = _move(owner_client, card, "contracted", **HTMX)
    assert response.status_code == 409
    message = (
        "Cannot move from Prospect to Contracted: Contracted needs Replied or Negotiating first"
    )
    assert message in response.content.decode()
    assert message in response["HX-Trigger"]
    card.refresh_from_db()
    assert (card.stage, card.version) == ("prospect", 1)


def test_a_refused_move_without_js_shows_the_board_with_the_message(owner_client, campaign):
    card = _card(campaign, stage="completed")
    response = _move(owner_client, card, "prospect")
    assert response.status_code == 409
    assert "Completed is final; it cannot move to Prospect" in response.content.decode()
    assert "<html" in response.content.decode()


def test_declining_needs_a_reason_and_records_it(owner_client, campaign, team):
    card = _card(campaign, stage="contacted")
    refused = _move(owner_client, card, "declined", **HTMX)
    assert refused.status_code == 409
    assert "Say why this creator is declined" in refused.content.decode()
    assert not StageChange.objects.exists()

    response = _move(owner_client, card, "declined", reason="  Rates too high  ", **HTMX)
    assert response.status_code == 200
    change = StageChange.objects.get(campaign_creator=card)
    assert (change.from_stage, change.to_stage, change.reason, change.by) == (
        "contacted", "declined", "Rates too high", team.owner,
    )  # fmt: skip
    card.refresh_from_db()
    assert (card.stage, card.reason) == ("declined", "Rates too high")


def test_two_moves_from_the_same_version_one_wins_the_other_gets_409(campaign, team):
    card = _card(campaign)
    first = _move(team.client_for(team.owner), card, "contacted", version=1, **HTMX)
    second = _move(
        team.client_for(team.teammate), card, "not_a_fit", version=1, reason="Off brand", **HTMX
    )
    assert (first.status_code, second.status_code) == (200, 409)
    message = "Someone moved this card a moment ago: it is now in Contacted. Reload and try again."
    assert message in second.content.decode()
    # The loser sees the true state: the card in Contacted, with its new version in the form.
    contacted = _column(second.content.decode(), "contacted")
    assert 'name="expected_version" value="2"' in contacted
    card.refresh_from_db()
    assert (card.stage, card.version) == ("contacted", 2)
    assert list(StageChange.objects.values_list("to_stage", flat=True)) == ["contacted"]


def test_a_bad_form_is_400_and_changes_nothing(owner_client, campaign):
    card = _card(campaign)
    response = owner_client.post(_move_url(card), {"to": "contacted"}, **HTMX)
    assert response.status_code == 400
    card.refresh_from_db()
    assert card.stage == "prospect"


def test_a_viewer_cannot_move_a_card(viewer_client, campaign):
    card = _card(campaign)
    assert _move(viewer_client, card, "contacted").status_code == 403
    card.refresh_from_db()
    assert card.stage == "prospect"


def test_an_outsider_gets_404_for_board_table_and_move(outsider_client, campaign):
    card = _card(campaign)
    assert outsider_client.get(reverse("campaign_board", args=[campaign.pk])).status_code == 404
    assert outsider_client.get(reverse("campaign_table", args=[campaign.pk])).status_code == 404
    assert _move(outsider_client, card, "contacted").status_code == 404
    card.refresh_from_db()
    assert card.stage == "prospect"


def test_a_card_of_another_campaign_is_404(owner_client, campaign, team):
    other = CampaignFactory(workspace=team.workspace, owner=team.owner)
    card = _card(other)
    url = reverse("campaign_creator_move", args=[campaign.pk, card.pk])
    assert owner_client.post(url, {"to": "contacted", "expected_version": 1}).status_code == 404


# --- the board ---------------------------------------------------------------------


def test_the_board_shows_columns_counts_and_planned_spend_per_currency(owner_client, campaign):
    _card(campaign, "Ana", planned_fee=Decimal("500.00"), currency="USD")
    _card(campaign, "Ben", planned_fee=Decimal("250.50"), currency="USD")
    _card(campaign, "Cleo", planned_fee=Decimal("300.00"), currency="EUR")
    _card(campaign, "Dan", stage="replied")
    _card(campaign, "Eve", stage="not_a_fit", reason="Off brand")
    response = owner_client.get(reverse("campaign_board", args=[campaign.pk]))
    assert response.status_code == 200
    columns = {c.stage: c for c in response.context["columns"]}
    assert list(columns) == list(pipeline.STAGES)
    assert columns["prospect"].count == 3
    assert columns["prospect"].spend == [("EUR", Decimal("300.00")), ("USD", Decimal("750.50"))]
    assert (columns["replied"].count, columns["replied"].spend) == (1, [])
    assert columns["not_a_fit"].collapsed and not columns["prospect"].collapsed
    html = response.content.decode()
    assert "300.00 EUR · 750.50 USD" in html
    assert "@" + columns["replied"].cards[0].main_account.handle in html
    assert "42,000 followers" in html


def test_a_viewer_sees_the_board_without_move_menus(viewer_client, campaign):
    _card(campaign)
    response = viewer_client.get(reverse("campaign_board", args=[campaign.pk]))
    assert response.status_code == 200
    assert "Priya Raman" in response.content.decode()
    assert "move-form" not in response.content.decode()


def test_the_campaign_page_links_to_board_and_table(owner_client, campaign):
    html = owner_client.get(campaign.get_absolute_url()).content.decode()
    assert reverse("campaign_board", args=[campaign.pk]) in html
    assert reverse("campaign_table", args=[campaign.pk]) in html


def _many_cards(campaign, n=500):
    accounts = SocialAccountFactory.create_batch(n, creator__workspace=campaign.workspace)
    stages = list(pipeline.STAGES)
    CampaignCreator.objects.bulk_create(
        [
            CampaignCreator(
                workspace=campaign.workspace, campaign=campaign, creator=account.creator,
                stage=stages[i % len(stages)], planned_fee=Decimal(i), currency="USD",
            )
            for i, account in enumerate(accounts)
        ]
    )  # fmt: skip


def test_the_board_costs_a_fixed_number_of_queries_with_500_creators(
    owner_client, campaign, django_assert_max_num_queries
):
    _many_cards(campaign)
    with django_assert_max_num_queries(8):
        response = owner_client.get(reverse("campaign_board", args=[campaign.pk]))
    assert sum(c.count for c in response.context["columns"]) == 500
    assert response.content.decode().count('class="board-card"') == 500


# --- the table ---------------------------------------------------------------------


def test_the_table_sorts_and_filters_by_stage(owner_client, campaign):
    _card(campaign, "Ana", stage="replied")
    _card(campaign, "Cleo")
    _card(campaign, "Ben", stage="replied")
    big = _card(campaign, "Dan")
    big.creator.accounts.update(followers=900_000)
    url = reverse("campaign_table", args=[campaign.pk])

    def names(response):
        return [row.creator.name for row in response.context["rows"]]

    assert names(owner_client.get(url)) == ["Ana", "Ben", "Cleo", "Dan"]
    assert names(owner_client.get(url, {"sort": "-name"})) == ["Dan", "Cleo", "Ben", "Ana"]
    assert names(owner_client.get(url, {"sort": "-followers"}))[0] == "Dan"
    assert names(owner_client.get(url, {"sort": "stage"})) == ["Cleo", "Dan", "Ana", "Ben"]
    assert names(owner_client.get(url, {"stage": "replied"})) == ["Ana", "Ben"]
    assert names(owner_client.get(url, {"sort": "nonsense"})) == ["Ana", "Ben", "Cleo", "Dan"]


def test_the_table_answers_htmx_with_the_results_partial(owner_client, campaign):
    _card(campaign)
    response = owner_client.get(
        reverse("campaign_table", args=[campaign.pk]),
        {"stage": "prospect"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="table-results",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="table-results">') and "Priya Raman" in html
    assert "HX-Request" in response["Vary"]


def test_bulk_move_moves_ticked_rows_and_reports_the_refused(owner_client, campaign):
    ana = _card(campaign, "Ana")
    ben = _card(campaign, "Ben")
    cleo = _card(campaign, "Cleo", stage="completed")
    url = reverse("campaign_table", args=[campaign.pk]) + "?stage=prospect"
    response = owner_client.post(
        url,
        {"to": "contacted", "row": [f"{r.pk}:{r.version}" for r in (ana, ben, cleo)]},
        follow=True,
    )
    assert response.redirect_chain[-1][0].endswith("?stage=prospect&sort=name")
    html = response.content.decode()
    assert "Moved 2 creators to Contacted." in html
    assert "Not moved (1): Cleo: Completed is final; it cannot move to Contacted." in html
    stages = dict(campaign.campaign_creators.values_list("creator__name", "stage"))
    assert stages == {"Ana": "contacted", "Ben": "contacted", "Cleo": "completed"}
    assert StageChange.objects.count() == 2


def test_bulk_move_refuses_rows_moved_since_the_table_was_shown(owner_client, campaign, team):
    ana = _card(campaign, "Ana")
    services.campaign_creator_move(
        campaign_creator=ana, to_stage="contacted", by=team.teammate, expected_version=1
    )
    response = owner_client.post(
        reverse("campaign_table", args=[campaign.pk]),
        {"to": "not_a_fit", "reason": "Off brand", "row": [f"{ana.pk}:1"]},
        follow=True,
    )
    assert "Ana: Someone moved this card a moment ago: it is now in Contacted." in (
        response.content.decode()
    )
    ana.refresh_from_db()
    assert ana.stage == "contacted"


def test_a_viewer_cannot_bulk_move(viewer_client, campaign):
    ana = _card(campaign, "Ana")
    response = viewer_client.post(
        reverse("campaign_table", args=[campaign.pk]), {"to": "contacted", "row": [f"{ana.pk}:1"]}
    )
    assert response.status_code == 403
    ana.refresh_from_db()
    assert ana.stage == "prospect"


def test_the_table_costs_a_fixed_number_of_queries_with_500_rows(
    owner_client, campaign, django_assert_max_num_queries
):
    _many_cards(campaign)
    with django_assert_max_num_queries(8):
        response = owner_client.get(
            reverse("campaign_table", args=[campaign.pk]), {"sort": "-followers"}
        )
    assert response.content.decode().count('name="row"') == 500


def test_each_card_links_to_its_creator_and_to_its_own_move_form(owner_client, campaign):
    # The board builds these by formatting one reverse() per page: they must agree.
    card = _card(campaign)
    body = owner_client.get(reverse("campaign_board", args=[campaign.pk])).content.decode()
    assert f'href="{_move_url(card)}?version=1"' in body
    assert f'href="{card.creator.get_absolute_url()}"' in body


# --- the lazily loaded move form ---------------------------------------------------


def test_the_board_sends_a_link_per_card_and_no_move_forms(owner_client, campaign):
    # 500 forms were most of the board's weight: each menu loads its form when opened.
    _card(campaign, "Ana")
    _card(campaign, "Ben", stage="completed")  # final: no menu at all
    html = owner_client.get(reverse("campaign_board", args=[campaign.pk])).content.decode()
    assert html.count('class="board-move-link"') == 1
    assert 'class="move-form"' not in html


def test_htmx_gets_the_move_form_for_the_version_the_board_showed(owner_client, campaign):
    card = _card(campaign, stage="contacted")
    response = owner_client.get(_move_url(card), {"version": "1"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert f'hx-post="{_move_url(card)}"' in html and 'hx-target="#board"' in html
    assert '<input type="hidden" name="expected_version" value="1">' in html
    assert '<option value="replied">Replied</option>' in html
    assert '<option value="contracted">' not in html  # not a move the menu offers
    assert f'id="move-reason-{card.pk}"' in html
    assert "HX-Request" in response["Vary"]


def test_a_version_that_is_not_a_plain_number_falls_back_to_the_card_version(
    owner_client, campaign
):
    card = _card(campaign, stage="contacted")
    response = owner_client.get(_move_url(card), {"version": "\u00b2"})  # "²" isdigit(), not int()
    assert response.status_code == 200
    assert f'name="expected_version" value="{card.version}"' in response.content.decode()


def test_without_js_the_move_form_is_a_page_that_moves_the_card(owner_client, campaign):
    card = _card(campaign)
    page = owner_client.get(_move_url(card), {"version": "1"})
    html = page.content.decode()
    assert page.status_code == 200 and "<html" in html and "Move Priya Raman" in html
    assert f'action="{_move_url(card)}"' in html and "hx-post" not in html
    moved = _move(owner_client, card, "contacted", follow=True)
    assert moved.redirect_chain[-1][0] == reverse("campaign_board", args=[campaign.pk])
    card.refresh_from_db()
    assert card.stage == "contacted"


def test_a_form_loaded_for_an_old_version_is_refused_on_submit(owner_client, campaign, team):
    card = _card(campaign)
    services.campaign_creator_move(
        campaign_creator=card, to_stage="contacted", by=team.teammate, expected_version=1
    )
    html = owner_client.get(_move_url(card), {"version": "1"}, HTTP_HX_REQUEST="true")
    assert 'name="expected_version" value="1"' in html.content.decode()
    refused = _move(owner_client, card, "replied", version=1, **HTMX)
    assert refused.status_code == 409
    card.refresh_from_db()
    assert card.stage == "contacted"


def test_a_refused_move_reopens_that_cards_form_on_the_board(owner_client, campaign):
    card = _card(campaign)
    other = _card(campaign, "Ben")
    response = _move(owner_client, card, "contracted", **HTMX)
    html = response.content.decode()
    card_html = html.split(f'id="card-{card.pk}"')[1].split("</li>")[0]
    assert '<details class="board-move" open>' in card_html
    assert f'hx-post="{_move_url(card)}"' in card_html
    assert f'action="{_move_url(other)}"' not in html


def test_a_viewer_cannot_get_the_move_form(viewer_client, campaign):
    card = _card(campaign)
    assert viewer_client.get(_move_url(card)).status_code == 403


def test_a_final_card_has_no_form_on_its_page(owner_client, campaign):
    card = _card(campaign, stage="completed")
    html = owner_client.get(_move_url(card)).content.decode()
    assert "Completed is final" in html and "move-form" not in html


def test_the_board_and_table_cost_as_many_queries_for_500_cards_as_for_one(
    owner_client, campaign, django_assert_num_queries
):
    small = CampaignFactory(workspace=campaign.workspace, owner=campaign.owner)
    _card(small)
    _many_cards(campaign)
    for name in ("campaign_board", "campaign_table"):
        with CaptureQueriesContext(connection) as one:
            owner_client.get(reverse(name, args=[small.pk]))
        with django_assert_num_queries(len(one)):
            owner_client.get(reverse(name, args=[campaign.pk]))


def test_the_table_shows_each_rows_account_followers_fee_and_day(owner_client, campaign):
    _card(campaign, "Ana", planned_fee=Decimal("1250.50"), currency="EUR", reason="")
    _card(campaign, "Ben", stage="not_a_fit", reason="Off brand")
    html = owner_client.get(reverse("campaign_table", args=[campaign.pk])).content.decode()
    ana = html.split(">Ana</a>")[1].split("</tr>")[0]
    assert "@" in ana and "42,000" in ana and "1250.50 EUR" in ana and "Prospect" in ana
    ben = html.split(">Ben</a>")[1].split("</tr>")[0]
    assert "Not a fit" in ben and "(Off brand)" in ben and "<td>—</td>" in ben
