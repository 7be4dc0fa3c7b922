"""The Refresh status page, "Refresh now" with its polled progress, and the freshness label."""

# ruff: noqa: F811 - the shared fixtures are imported, then named as test arguments

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from apps.creators import connections
from apps.creators.models import SocialAccount
from tests.creators.providers.conftest import replay
from tests.creators.refresh_fixtures import (  # noqa: F401 - fixtures
    channels_reply,
    eager_celery,
    fresh_key,
    youtube_accounts,
    youtube_api,
    youtube_connection,
)
from tests.factories import CreatorFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db


def test_refresh_now_on_a_creator_refreshes_its_accounts_and_reports_progress(
    team, youtube_connection, youtube_api, eager_celery, django_capture_on_commit_callbacks
):
    creator = CreatorFactory(workspace=team.workspace)
    (account,) = youtube_accounts(team, 1, creator=creator)
    instagram = SocialAccountFactory(creator=creator, handle="lena_ig")
    youtube_api.get("/channels").mock(side_effect=channels_reply())
    youtube_api.get("/playlistItems").mock(return_value=replay("youtube/playlist_items"))
    youtube_api.get("/videos").mock(return_value=replay("youtube/videos_list"))
    client = team.client_for(team.teammate)  # members may refresh

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("refresh_now"), {"creator": creator.pk}, headers={"HX-Request": "true"}
        )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="refresh-progress"' in page
    assert "No Instagram connection" in page  # said plainly, not silently skipped
    account.refresh_from_db()
    assert account.refresh_status == "ok" and account.posts.count() == 3
    instagram.refresh_from_db()
    assert instagram.refresh_queued_at is None

    poll = client.get(
        reverse("refresh_progress"),
        {"accounts": str(account.pk), "since": "0"},
        headers={"HX-Request": "true"},
    )
    assert "Done: 1 of 1 account refreshed" in poll.content.decode()
    assert "hx-trigger" not in poll.content.decode()  # finished: polling stops


def test_progress_keeps_polling_while_accounts_are_queued(team, youtube_connection):
    (account,) = youtube_accounts(team, 1, refresh_queued_at=timezone.now())
    client = team.client_for(team.owner)

    response = client.get(
        reverse("refresh_progress"),
        {"accounts": str(account.pk), "since": "0"},
        headers={"HX-Request": "true"},
    )

    page = response.content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert "1 of 1 account waiting" in page
    assert "<html" not in page  # the partial only


def test_refresh_now_without_htmx_shows_the_progress_page(
    team, youtube_connection, owner_client, youtube_api, eager_celery
):
    (account,) = youtube_accounts(team, 1)
    youtube_api.get("/channels").mock(side_effect=channels_reply())

    response = owner_client.post(reverse("refresh_now"), {"account": [account.pk]})

    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert "Refreshing numbers" in response.content.decode()


def test_a_viewer_cannot_refresh(team, viewer_client, youtube_connection):
    (account,) = youtube_accounts(team, 1)
    assert viewer_client.post(reverse("refresh_now"), {"account": account.pk}).status_code == 403


def test_an_outsider_cannot_refresh_another_workspaces_accounts(
    team, outsider_client, youtube_connection
):
    (account,) = youtube_accounts(team, 1)
    creator = account.creator

    assert outsider_client.post(reverse("refresh_now"), {"account": account.pk}).status_code == 404
    assert outsider_client.post(reverse("refresh_now"), {"creator": creator.pk}).status_code == 404
    account.refresh_from_db()
    assert account.refresh_queued_at is None
    poll = outsider_client.get(reverse("refresh_progress"), {"accounts": str(account.pk)})
    assert "of 1 account" not in poll.content.decode()


def test_the_status_page_shows_queue_results_failures_and_quota(
    team, owner_client, youtube_connection, django_assert_max_num_queries
):
    now = timezone.now()
    youtube_accounts(team, 2, refresh_queued_at=now)
    youtube_accounts(
        team, 1, start=2, stats_source="api", stats_updated_at=now, refresh_status="ok"
    )
    youtube_accounts(
        team, 3, start=3, refresh_status="failed", refresh_error="Gave up after retries: 503"
    )
    SocialAccountFactory(
        creator__workspace=team.workspace, platform="tiktok", stats_source="manual"
    )
    SocialAccountFactory(creator__workspace=team.other_workspace, refresh_status="failed")

    with django_assert_max_num_queries(12):
        response = owner_client.get(reverse("refresh_status"))

    page = response.content.decode()
    status = response.context["status"]
    assert status.counts["queued"] == 2
    assert status.counts["done_today"] == 1
    assert status.counts["failed"] == 3  # not the other workspace's
    assert "Gave up after retries: 503" in page
    assert "units" in page and "Resets" in page
    assert ("TikTok", 1) in status.unreached_platforms
    assert "no working TikTok connection" in page
    assert 'hx-trigger="every 5s"' in page  # polls while work is queued


def test_the_freshness_label_shows_source_age_and_staleness(team, settings):
    settings.REFRESH_STALE_DAYS = 14
    old = SocialAccountFactory(
        creator__workspace=team.workspace,
        stats_source="import",
        stats_updated_at=timezone.now() - timedelta(days=20),
    )
    fresh = SocialAccountFactory(creator__workspace=team.workspace, stats_source="api")
    template = Template('{% include "creators/refresh/_stats_freshness.html" %}')

    old_label = template.render(Context({"account": old}))
    fresh_label = template.render(Context({"account": fresh}))

    assert "CSV import" in old_label and "stale" in old_label and "ago" in old_label
    assert "Platform API" in fresh_label and "stale" not in fresh_label


def test_the_refresh_button_partial_posts_the_creator(team, owner_client):
    creator = CreatorFactory(workspace=team.workspace)
    response = owner_client.get(reverse("connections"))  # any page, for a real request
    template = Template('{% include "creators/refresh/_refresh_button.html" %}')
    html = template.render(
        Context({"creator": creator, "can_edit": True, "request": response.wsgi_request})
    )
    assert f'name="creator" value="{creator.pk}"' in html
    assert reverse("refresh_now") in html
    assert f'hx-target="#refresh-progress-creator-{creator.pk}"' in html


def test_accounts_without_any_connection_are_left_as_they_are(team, owner_client):
    account = SocialAccountFactory(creator__workspace=team.workspace, followers=777)
    response = owner_client.post(reverse("refresh_now"), {"account": account.pk})
    assert "No Instagram connection" in response.content.decode()
    account.refresh_from_db()
    assert account.followers == 777 and account.refresh_queued_at is None
    assert SocialAccount.objects.filter(refresh_queued_at__isnull=False).count() == 0


def test_connections_page_lists_demo_connections_clearly(team, owner_client, settings):
    settings.DEMO_PROVIDER = True
    connections.demo_connections_ensure(workspace=team.workspace)
    page = owner_client.get(reverse("connections")).content.decode()
    assert page.count("Simulated numbers") == 3
