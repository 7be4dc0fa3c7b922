"""The conversions pages: links, promo codes, conversions by hand and by CSV, exchange rates."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.reporting import conversions
from apps.reporting.models import Conversion, ExchangeRate, PromoCode, TrackedLink
from tests.factories import (
    CampaignCreatorFactory,
    CampaignFactory,
    ConversionFactory,
    PromoCodeFactory,
    SocialAccountFactory,
    TrackedLinkFactory,
)


@pytest.fixture
def campaign(team):
    return CampaignFactory(workspace=team.workspace, owner=team.owner, name="Summer Launch")


@pytest.fixture
def jane(campaign):
    row = CampaignCreatorFactory(campaign=campaign, creator__name="Jane Doe")
    SocialAccountFactory(creator=row.creator, platform="tiktok", handle="jane.doe")
    return row


def _url(name, campaign, **extra):
    return reverse(name, kwargs={"pk": campaign.pk, **extra})


# --- the page ---------------------------------------------------------------------


def test_owner_and_teammate_see_links_codes_and_conversions(team, campaign, jane, settings):
    settings.SITE_URL = "https://app.microreach.test"
    link = TrackedLinkFactory(campaign_creator=jane, code="Zz9_abcd")
    link.click_count = 17
    link.save()
    PromoCodeFactory(campaign_creator=jane, code="JANE10")
    ConversionFactory(campaign_creator=jane, revenue=Decimal("59.90"), external_order_id="A-1")
    for user in (team.owner, team.teammate):
        response = team.client_for(user).get(_url("campaign_conversions", campaign))
        assert response.status_code == 200
        body = response.content.decode()
        assert "https://app.microreach.test/r/Zz9_abcd" in body
        assert "JANE10" in body and "59.90 USD" in body and "A-1" in body
        assert ">17<" in body


def test_outsider_gets_404(team, campaign, jane):
    link = TrackedLinkFactory(campaign_creator=jane)
    client = team.client_for(team.outsider)
    assert client.get(_url("campaign_conversions", campaign)).status_code == 404
    assert client.get(_url("conversions_import", campaign)).status_code == 404
    response = client.post(_url("tracked_link_archive", campaign, link_pk=link.pk))
    assert response.status_code == 404
    response = client.post(
        _url("promo_code_create", campaign),
        {"promo-campaign_creator": jane.pk, "promo-code": "STOLEN"},
    )
    assert response.status_code == 404
    assert not PromoCode.objects.exists()
    link.refresh_from_db()
    assert link.archived_at is None


def test_viewer_can_read_but_gets_403_on_writes(team, campaign, jane):
    client = team.client_for(team.viewer)
    response = client.get(_url("campaign_conversions", campaign))
    assert response.status_code == 200
    assert "New tracked link" not in response.content.decode()
    response = client.post(
        _url("tracked_link_create", campaign),
        {"link-campaign_creator": jane.pk, "link-destination_url": "https://shop.example.com/"},
    )
    assert response.status_code == 403
    assert not TrackedLink.objects.exists()


def test_the_page_takes_a_fixed_number_of_queries(
    team, campaign, jane, django_assert_max_num_queries
):
    for n in range(5):
        TrackedLinkFactory(campaign_creator=jane)
        PromoCodeFactory(campaign_creator=jane)
        ConversionFactory(campaign_creator=jane, external_order_id=f"O-{n}")
    client = team.client_for(team.owner)
    with django_assert_max_num_queries(14):
        response = client.get(_url("campaign_conversions", campaign))
    assert response.content.decode().count("/r/lnk") >= 5


def test_conversions_are_paginated(team, campaign, jane):
    for n in range(30):
        ConversionFactory(campaign_creator=jane, external_order_id=f"ORD-{n:02d}")
    client = team.client_for(team.owner)
    first = client.get(_url("campaign_conversions", campaign)).content.decode()
    assert "Page 1 of 2" in first
    second = client.get(
        _url("campaign_conversions", campaign) + "?page=2",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="conversion-list",
    )
    body = second.content.decode()
    assert "Page 2 of 2" in body and "<html" not in body


def test_the_campaign_page_links_to_conversions(team, campaign):
    response = team.client_for(team.owner).get(campaign.get_absolute_url())
    assert _url("campaign_conversions", campaign) in response.content.decode()


# --- tracked links ------------------------------------------------------------------


def test_teammate_creates_a_link_with_default_utm(team, campaign, jane):
    response = team.client_for(team.teammate).post(
        _url("tracked_link_create", campaign),
        {"link-campaign_creator": jane.pk, "link-destination_url": "https://shop.example.com/s"},
    )
    assert response.status_code == 302
    link = TrackedLink.objects.get()
    assert link.workspace_id == team.workspace.pk and link.campaign_id == campaign.pk
    assert len(link.code) == 8
    assert (link.utm_source, link.utm_medium, link.utm_campaign, link.utm_content) == (
        "tiktok",
        "influencer",
        "summer-launch",
        "jane.doe",
    )
    assert link.created_by == team.teammate


def test_utm_overrides_are_kept(team, campaign, jane):
    team.client_for(team.owner).post(
        _url("tracked_link_create", campaign),
        {
            "link-campaign_creator": jane.pk,
            "link-destination_url": "https://shop.example.com/s",
            "link-utm_medium": "creator",
            "link-utm_campaign": "bf-2026",
        },
    )
    link = TrackedLink.objects.get()
    assert (link.utm_medium, link.utm_campaign) == ("creator", "bf-2026")


@pytest.mark.parametrize(
    "destination", ["javascript:alert(1)", "//evil.test", "https://u:p@shop.example.com/", ""]
)
def test_it_refuses_unsafe_destinations(team, campaign, jane, destination):
    response = team.client_for(team.owner).post(
        _url("tracked_link_create", campaign),
        {"link-campaign_creator": jane.pk, "link-destination_url": destination},
    )
    assert response.status_code == 400
    assert not TrackedLink.objects.exists()
    assert 'class="error"' in response.content.decode()


def test_a_creator_of_another_campaign_cannot_get_a_link_here(team, campaign):
    elsewhere = CampaignCreatorFactory(campaign__workspace=team.workspace)
    response = team.client_for(team.owner).post(
        _url("tracked_link_create", campaign),
        {"link-campaign_creator": elsewhere.pk, "link-destination_url": "https://shop.example.com"},
    )
    assert response.status_code == 400
    assert not TrackedLink.objects.exists()


def test_archiving_a_link(team, campaign, jane):
    link = TrackedLinkFactory(campaign_creator=jane)
    response = team.client_for(team.teammate).post(
        _url("tracked_link_archive", campaign, link_pk=link.pk)
    )
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.archived_at is not None
    assert not conversions.tracked_link_archive(link=link, by=team.owner)


def test_a_link_of_another_campaign_is_404_here(team, campaign, jane):
    other = TrackedLinkFactory(campaign_creator__campaign__workspace=team.workspace)
    response = team.client_for(team.owner).post(
        _url("tracked_link_archive", campaign, link_pk=other.pk)
    )
    assert response.status_code == 404


# --- promo codes -------------------------------------------------------------------


def test_teammate_adds_a_promo_code(team, campaign, jane):
    response = team.client_for(team.teammate).post(
        _url("promo_code_create", campaign),
        {"promo-campaign_creator": jane.pk, "promo-code": "JANE10", "promo-description": "10%"},
    )
    assert response.status_code == 302
    promo = PromoCode.objects.get()
    assert (promo.code, promo.campaign_creator, promo.workspace) == ("JANE10", jane, team.workspace)


def test_a_promo_code_is_unique_in_the_workspace_whatever_its_case(team, campaign, jane):
    PromoCodeFactory(campaign_creator__campaign__workspace=team.workspace, code="JANE10")
    response = team.client_for(team.owner).post(
        _url("promo_code_create", campaign),
        {"promo-campaign_creator": jane.pk, "promo-code": "jane10"},
    )
    assert response.status_code == 400
    assert "already in use in this workspace" in response.content.decode()
    assert PromoCode.objects.count() == 1


def test_the_database_also_refuses_a_code_that_differs_only_in_case(team, jane):
    # Two requests racing past the service's check must still not make two codes.
    from django.db import IntegrityError, transaction

    PromoCodeFactory(campaign_creator=jane, code="JANE10")
    with pytest.raises(IntegrityError), transaction.atomic():
        PromoCodeFactory(campaign_creator=jane, code="jane10")


def test_another_workspace_may_use_the_same_code(team, campaign, jane):
    PromoCodeFactory(campaign_creator__campaign__workspace=team.other_workspace, code="JANE10")
    team.client_for(team.owner).post(
        _url("promo_code_create", campaign),
        {"promo-campaign_creator": jane.pk, "promo-code": "JANE10"},
    )
    assert PromoCode.objects.filter(workspace=team.workspace, code="JANE10").exists()


# --- conversions by hand -----------------------------------------------------------


def test_adding_a_conversion_by_hand(team, campaign, jane):
    promo = PromoCodeFactory(campaign_creator=jane, code="JANE10")
    response = team.client_for(team.teammate).post(
        _url("conversion_add", campaign),
        {
            "conversion-promo_code": promo.pk,
            "conversion-occurred_on": "2026-11-20",
            "conversion-uses": "3",
            "conversion-revenue": "149.70",
            "conversion-currency": "EUR",
        },
    )
    assert response.status_code == 302
    row = Conversion.objects.get()
    assert row.campaign_creator == jane  # from the promo code
    assert (row.uses, row.revenue, row.currency, row.source) == (
        3,
        Decimal("149.70"),
        "EUR",
        "manual",
    )
    assert row.occurred_on == dt.date(2026, 11, 20)
    assert row.created_by == team.teammate


@pytest.mark.parametrize(
    "field,value",
    [("conversion-revenue", "-5"), ("conversion-uses", "0"), ("conversion-currency", "XXX")],
)
def test_it_refuses_bad_numbers(team, campaign, jane, field, value):
    data = {
        "conversion-campaign_creator": jane.pk,
        "conversion-occurred_on": "2026-11-20",
        "conversion-uses": "1",
        "conversion-revenue": "10",
        "conversion-currency": "USD",
        field: value,
    }
    response = team.client_for(team.owner).post(_url("conversion_add", campaign), data)
    assert response.status_code == 400
    assert not Conversion.objects.exists()


def test_it_needs_a_creator_a_code_or_a_link(team, campaign, jane):
    response = team.client_for(team.owner).post(
        _url("conversion_add", campaign),
        {"conversion-occurred_on": "2026-11-20", "conversion-uses": "1",
         "conversion-revenue": "1", "conversion-currency": "USD"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "Choose the creator" in response.content.decode()


def test_a_known_order_id_is_not_added_twice_by_hand(team, campaign, jane):
    ConversionFactory(campaign_creator=jane, external_order_id="A-1")
    team.client_for(team.owner).post(
        _url("conversion_add", campaign),
        {
            "conversion-campaign_creator": jane.pk,
            "conversion-occurred_on": "2026-11-20",
            "conversion-uses": "1",
            "conversion-revenue": "10",
            "conversion-currency": "USD",
            "conversion-external_order_id": "A-1",
        },
    )
    assert Conversion.objects.count() == 1


def test_conversion_record_is_idempotent_by_order_id(team, jane):
    args = {
        "workspace": team.workspace,
        "campaign_creator": jane,
        "occurred_on": dt.date(2026, 11, 20),
        "uses": 1,
        "revenue": Decimal("10.00"),
        "currency": "USD",
        "external_order_id": "A-77",
        "source": "api",
        "by": None,
    }
    first = conversions.conversion_record(**args)
    again = conversions.conversion_record(**args)
    changed = conversions.conversion_record(**{**args, "revenue": Decimal("12.00")})
    assert first.created and not again.created and not changed.created
    assert again.conversion.pk == first.conversion.pk == changed.conversion.pk
    assert again.differences == () and changed.differences == ("revenue",)
    assert Conversion.objects.get().revenue == Decimal("10.00")


def test_conversion_record_refuses_another_workspaces_creator(team):
    foreign = CampaignCreatorFactory(campaign__workspace=team.other_workspace)
    with pytest.raises(conversions.ValidationError):
        conversions.conversion_record(
            workspace=team.workspace,
            campaign_creator=foreign,
            occurred_on=dt.date(2026, 11, 20),
            currency="USD",
        )
    assert not Conversion.objects.exists()


# --- CSV import ----------------------------------------------------------------------


def _upload(client, campaign, text: str):
    file = SimpleUploadedFile("orders.csv", text.encode(), content_type="text/csv")
    return client.post(_url("conversions_import", campaign), {"file": file})


CSV = (
    "order_id,code,date,uses,revenue,currency\n"
    "A-1,JANE10,2026-11-20,1,59.90,USD\n"
    'A-2,jane10,2026-11-21,2,"1,019.80",\n'
)


def test_import_preview_writes_nothing_and_confirm_writes_all(team, campaign, jane):
    PromoCodeFactory(campaign_creator=jane, code="JANE10")
    client = team.client_for(team.teammate)
    response = _upload(client, campaign, CSV)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Import 2 conversions" in body
    assert not Conversion.objects.exists()
    token = response.context["token"]

    response = client.post(_url("conversions_import", campaign), {"token": token})
    assert response.status_code == 302
    rows = list(Conversion.objects.order_by("external_order_id"))
    assert [(r.external_order_id, r.uses, r.revenue, r.currency, r.source) for r in rows] == [
        ("A-1", 1, Decimal("59.90"), "USD", "import"),
        ("A-2", 2, Decimal("1019.80"), "USD", "import"),
    ]
    assert all(r.campaign_creator == jane and r.created_by == team.teammate for r in rows)

    # The token is spent: confirming again writes nothing.
    client.post(_url("conversions_import", campaign), {"token": token})
    assert Conversion.objects.count() == 2


def test_reimporting_the_same_orders_is_idempotent(team, campaign, jane):
    PromoCodeFactory(campaign_creator=jane, code="JANE10")
    client = team.client_for(team.owner)
    response = _upload(client, campaign, CSV)
    client.post(_url("conversions_import", campaign), {"token": response.context["token"]})

    response = _upload(client, campaign, CSV + "A-3,JANE10,2026-11-22,1,5,USD\n")
    body = response.content.decode()
    assert "already recorded, will be skipped" in body
    assert "Import 1 conversion<" in body
    client.post(_url("conversions_import", campaign), {"token": response.context["token"]})
    assert Conversion.objects.count() == 3

    response = _upload(client, campaign, CSV)
    assert "Nothing to import" in response.content.decode()
    assert response.context["token"] is None


def test_import_shows_every_rows_errors_and_writes_nothing(team, campaign, jane):
    PromoCodeFactory(campaign_creator=jane, code="JANE10")
    text = (
        "order_id,code,date,uses,revenue,currency\n"
        "A-1,NOPE,2026-11-20,1,10,USD\n"
        "A-2,JANE10,20/11/2026,1,10,USD\n"
        "A-3,JANE10,2026-11-20,0,-4,XXX\n"
        "A-1,JANE10,2026-11-20,1,10,USD\n"
        ",JANE10,2026-11-20,1,10,USD\n"
    )
    response = _upload(team.client_for(team.owner), campaign, text)
    errors = {(e.row_number, e.column) for e in response.context["preview"].errors}
    assert {(2, "code"), (3, "date"), (4, "uses"), (4, "revenue"), (4, "currency"),
            (5, "order_id"), (6, "order_id")} <= errors  # fmt: skip
    body = response.content.decode()
    assert "nothing was written" in body and "is not a promo code of this campaign" in body
    assert response.context["token"] is None
    assert not Conversion.objects.exists()


def test_a_promo_code_of_another_campaign_is_an_error(team, campaign, jane):
    PromoCodeFactory(campaign_creator__campaign__workspace=team.workspace, code="OTHER5")
    response = _upload(
        team.client_for(team.owner),
        campaign,
        "order_id,code,date,revenue\nB-1,OTHER5,2026-11-20,5\n",
    )
    assert [e.column for e in response.context["preview"].errors] == ["code"]


def test_import_refuses_a_missing_column_and_big_files(team, campaign, settings):
    client = team.client_for(team.owner)
    response = _upload(client, campaign, "order_id,date,revenue\nA,2026-11-20,1\n")
    assert "Missing required column: code" in response.content.decode()
    big = "order_id,code,date,revenue\n" + "x" * (2 * 1024 * 1024 + 10)
    response = _upload(client, campaign, big)
    assert response.status_code == 400
    assert "larger than 2 MB" in response.content.decode()


def test_a_confirm_token_only_works_for_its_own_campaign_and_user(team, campaign, jane):
    PromoCodeFactory(campaign_creator=jane, code="JANE10")
    response = _upload(team.client_for(team.owner), campaign, CSV)
    token = response.context["token"]
    other_campaign = CampaignFactory(workspace=team.workspace)
    team.client_for(team.owner).post(_url("conversions_import", other_campaign), {"token": token})
    team.client_for(team.teammate).post(_url("conversions_import", campaign), {"token": token})
    team.client_for(team.owner).post(_url("conversions_import", campaign), {"token": "../../x"})
    assert not Conversion.objects.exists()


def test_the_template_csv_downloads(team, campaign):
    response = team.client_for(team.owner).get(_url("conversions_import_template", campaign))
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().splitlines()[0] == "order_id,code,date,uses,revenue,currency"


# --- exchange rates ------------------------------------------------------------------


def test_setting_and_replacing_an_exchange_rate(team):
    client = team.client_for(team.teammate)
    url = reverse("exchange_rates")
    client.post(url, {"from_currency": "EUR", "to_currency": "USD", "rate": "1.08"})
    client.post(url, {"from_currency": "EUR", "to_currency": "USD", "rate": "1.10"})
    rate = ExchangeRate.objects.get()
    assert (rate.workspace, rate.rate) == (team.workspace, Decimal("1.10"))
    assert "1 EUR = 1.1 USD" in client.get(url).content.decode()
    assert "1 EUR" not in team.client_for(team.outsider).get(url).content.decode()


def test_an_exchange_rate_needs_two_currencies_and_a_positive_rate(team):
    client = team.client_for(team.owner)
    url = reverse("exchange_rates")
    assert (
        client.post(url, {"from_currency": "EUR", "to_currency": "EUR", "rate": "1"}).status_code
        == 400
    )
    assert (
        client.post(url, {"from_currency": "EUR", "to_currency": "USD", "rate": "0"}).status_code
        == 400
    )
    assert not ExchangeRate.objects.exists()


def test_viewer_cannot_set_or_remove_rates(team):
    rate = ExchangeRate.objects.create(
        workspace=team.workspace, from_currency="EUR", to_currency="USD", rate="1.08"
    )
    client = team.client_for(team.viewer)
    url = reverse("exchange_rates")
    assert (
        client.post(url, {"from_currency": "GBP", "to_currency": "USD", "rate": "1.2"}).status_code
        == 403
    )
    assert client.post(reverse("exchange_rate_delete", args=[rate.pk])).status_code == 403
    assert (
        team.client_for(team.outsider)
        .post(reverse("exchange_rate_delete", args=[rate.pk]))
        .status_code
        == 404
    )
    assert ExchangeRate.objects.count() == 1
