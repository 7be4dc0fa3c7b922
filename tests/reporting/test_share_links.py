"""Share links: made and revoked by the team, read by anyone holding the token."""

import datetime as dt
import re
import secrets

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.reporting import share
from apps.reporting.models import ShareLink
from tests.reporting import report_fixture
from tests.reporting.report_fixture import END, START

RANGE = {"start": START.isoformat(), "end": END.isoformat()}


@pytest.fixture
def client():
    """An anonymous visitor with an address of its own: the share page is rate limited
    by IP, and the limit's counters (in Redis) outlive a test."""
    return Client(
        REMOTE_ADDR=f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    )


@pytest.fixture
def fx(team):
    return report_fixture.build(team)


def _create(client, fx, **data):
    return client.post(reverse("share_link_create", args=[fx.campaign.pk]), data)


def _token_from(response) -> str:
    match = re.search(r'value="https?://[^"]*/s/([A-Za-z0-9_-]+)/"', response.content.decode())
    assert match, "the new link is shown once after creation"
    return match.group(1)


def test_it_shows_the_token_once_and_stores_only_its_hash(owner_client, fx):
    response = _create(owner_client, fx, label="Client")
    token = _token_from(response)
    link = ShareLink.objects.get(campaign=fx.campaign)
    assert len(token) >= 43
    assert link.token_hash == share.token_hash(token) != token
    listing = owner_client.get(reverse("share_link_list", args=[fx.campaign.pk])).content.decode()
    assert token not in listing
    assert "Client" in listing


def test_the_link_shows_the_report_without_login_and_no_contact_details(client, owner_client, fx):
    token = _token_from(_create(owner_client, fx))
    response = client.get(f"/s/{token}/", RANGE)
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "11,000" in html and "Alice" in html
    assert "@mail.test" not in html  # no creator email anywhere
    assert "<nav" not in html
    assert reverse("campaign_report_csv", args=[fx.campaign.pk]) not in html
    assert reverse("share_link_list", args=[fx.campaign.pk]) not in html
    assert "1,200.00 USD" in html  # spend shown: this link does not hide it
    assert ShareLink.objects.get().last_opened_at is not None


def test_hide_spend_hides_all_money(client, owner_client, fx, team):
    report_fixture.add_eur_rate(team.workspace)
    token = _token_from(_create(owner_client, fx, hide_spend="on"))
    html = client.get(f"/s/{token}/", RANGE).content.decode()
    assert "11,000" in html
    for hidden in ("USD", "EUR", "Spend", "Revenue", "CPM", "ROAS", "ROI", "Cumulative spend"):
        assert hidden not in html, hidden
    assert 'aria-current="true">Views</a>' in html  # the leaderboard is not ranked by money


def test_filters_work_on_the_shared_page(client, owner_client, fx):
    token = _token_from(_create(owner_client, fx))
    html = client.get(f"/s/{token}/", {**RANGE, "platform": "youtube"}).content.decode()
    assert "2,000" in html and "11,000" not in html
    assert f'action="/s/{token}/"' in html


def test_a_revoked_link_is_gone(client, owner_client, fx):
    token = _token_from(_create(owner_client, fx))
    link = ShareLink.objects.get()
    response = owner_client.post(reverse("share_link_revoke", args=[fx.campaign.pk, link.pk]))
    assert response.status_code == 302
    gone = client.get(f"/s/{token}/")
    assert gone.status_code == 410
    assert "revoked" in gone.content.decode()
    assert "Alice" not in gone.content.decode()


def test_an_expired_link_is_gone(client, fx, team):
    link, token = share.share_link_create(
        campaign=fx.campaign, by=team.owner, expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    response = client.get(f"/s/{token}/")
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_a_wrong_token_is_404(client, fx):
    assert client.get("/s/not-a-real-token/").status_code == 404


def test_it_refuses_the_last_date_there_is_as_an_expiry(owner_client, fx):
    response = _create(owner_client, fx, expires_on="9999-12-31")
    assert response.status_code == 422
    assert "earlier day" in response.content.decode()
    assert not ShareLink.objects.exists()


def test_it_refuses_an_expiry_in_the_past(owner_client, fx):
    response = _create(owner_client, fx, expires_on="2020-01-01")
    assert response.status_code == 422
    assert not ShareLink.objects.exists()


def test_it_rate_limits_by_ip(client, fx, still_ratelimit_window):
    for _ in range(60):
        client.get("/s/guess/")
    response = client.get("/s/guess/")
    assert response.status_code == 429


def test_teammate_may_share_and_viewer_may_not(team, viewer_client, fx):
    assert _create(team.client_for(team.teammate), fx).status_code == 200
    assert _create(viewer_client, fx).status_code == 403
    assert ShareLink.objects.count() == 1


def test_outsider_cannot_list_create_or_revoke(outsider_client, fx, team):
    link, _ = share.share_link_create(campaign=fx.campaign, by=team.owner)
    assert outsider_client.get(reverse("share_link_list", args=[fx.campaign.pk])).status_code == 404
    assert _create(outsider_client, fx).status_code == 404
    revoke = reverse("share_link_revoke", args=[fx.campaign.pk, link.pk])
    assert outsider_client.post(revoke).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_revoking_twice_changes_nothing(fx, team):
    link, _ = share.share_link_create(campaign=fx.campaign, by=team.owner)
    assert share.share_link_revoke(link=link) is True
    first = ShareLink.objects.get().revoked_at
    assert share.share_link_revoke(link=ShareLink.objects.get()) is False
    assert ShareLink.objects.get().revoked_at == first


def test_the_list_query_count_is_pinned(owner_client, fx, team, django_assert_max_num_queries):
    for label in ("Client", "Boss", "Agency"):
        share.share_link_create(campaign=fx.campaign, by=team.owner, label=label)
    with django_assert_max_num_queries(8):
        html = owner_client.get(reverse("share_link_list", args=[fx.campaign.pk])).content.decode()
    assert "Client" in html and "Agency" in html
