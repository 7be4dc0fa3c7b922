"""The refresh pipeline end to end: beat's schedule → Celery task → provider client (HTTP
stubbed with respx) → snapshots, posts, scores, connection state and budget."""

# ruff: noqa: F811 - the shared fixtures are imported, then named as test arguments

import json
from datetime import timedelta

import httpx
import pytest
from celery.signals import task_retry
from django.urls import reverse
from django.utils import timezone

from apps.creators import refresh, refresh_priority
from apps.creators.models import AccountSnapshot, Connection, Post, SocialAccount
from apps.creators.providers.youtube import next_pacific_midnight
from apps.creators.quota import budget_for
from apps.creators.refresh_status import refresh_request
from apps.creators.refresh_tasks import refresh_batch
from tests.creators.providers.conftest import body_of, replay
from tests.creators.refresh_fixtures import (  # noqa: F401 - fixtures
    channel_id,
    channels_reply,
    eager_celery,
    youtube_accounts,
    youtube_api,
    youtube_connection,
    youtube_error,
)

pytestmark = pytest.mark.django_db


def run_schedule(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return refresh.schedule_due()


def test_it_refreshes_due_youtube_accounts_with_50_ids_per_call(
    team, youtube_connection, youtube_api, eager_celery, django_capture_on_commit_callbacks
):
    accounts = youtube_accounts(team, 120)
    route = youtube_api.get("/channels").mock(side_effect=channels_reply(subscribers=48300))

    summary = run_schedule(django_capture_on_commit_callbacks)

    assert summary["accounts"] == 120
    assert route.call_count == 3  # ceil(120 / 50)
    assert sorted(len(c.request.url.params["id"].split(",")) for c in route.calls) == [20, 50, 50]
    now = timezone.now()
    for account in SocialAccount.objects.filter(pk__in=[a.pk for a in accounts]):
        assert account.followers == 48300
        assert account.total_views == 4812330
        assert account.stats_source == "api"
        assert account.refresh_status == "ok"
        assert account.refresh_queued_at is None
        assert account.tier == "micro"  # scores recomputed once for the batch
        assert account.scores_updated_at is not None
        days = (account.next_refresh_at - now) / timedelta(days=1)
        assert 6.9 < days < 7.0  # weekly by default, due a little before the same hour
    assert AccountSnapshot.objects.filter(account__in=accounts, date=now.date()).count() == 120
    assert budget_for(youtube_connection).state().used == 3
    youtube_connection.refresh_from_db()
    assert youtube_connection.status == Connection.Status.OK


def test_accounts_not_due_are_not_called_for(
    team, youtube_connection, youtube_api, eager_celery, django_capture_on_commit_callbacks
):
    youtube_accounts(team, 3, next_refresh_at=timezone.now() + timedelta(days=2))
    route = youtube_api.get("/channels").mock(side_effect=channels_reply())

    assert run_schedule(django_capture_on_commit_callbacks)["accounts"] == 0
    assert route.call_count == 0


def test_a_channel_youtube_no_longer_has_is_marked_not_found_and_keeps_its_numbers(
    team, youtube_connection, youtube_api, eager_celery, django_capture_on_commit_callbacks
):
    gone, kept = youtube_accounts(team, 2, followers=9100, stats_source="import")
    youtube_api.get("/channels").mock(side_effect=channels_reply(missing={gone.external_id}))

    run_schedule(django_capture_on_commit_callbacks)

    gone.refresh_from_db()
    assert gone.refresh_status == "not_found"
    assert "no channel" in gone.refresh_error
    assert gone.followers == 9100  # not zeroed
    assert gone.stats_source == "import"
    assert gone.refresh_queued_at is None
    assert not AccountSnapshot.objects.filter(account=gone).exists()
    kept.refresh_from_db()
    assert kept.refresh_status == "ok"


def test_quota_exceeded_pauses_the_connection_until_pacific_midnight_with_no_further_calls(
    team,
    youtube_connection,
    youtube_api,
    eager_celery,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.REFRESH_HTTP_CONCURRENCY = 1
    accounts = youtube_accounts(team, 150)
    route = youtube_api.get("/channels").mock(return_value=youtube_error("error_quota_exceeded"))

    run_schedule(django_capture_on_commit_callbacks)

    assert route.call_count == 1
    youtube_connection.refresh_from_db()
    reset = next_pacific_midnight(timezone.now())
    assert youtube_connection.status == Connection.Status.PAUSED
    assert youtube_connection.paused_until == reset
    assert "quota" in youtube_connection.status_message.lower()
    for account in SocialAccount.objects.filter(pk__in=[a.pk for a in accounts]):
        assert account.refresh_queued_at is None  # given back, not retried in a loop
        assert account.next_refresh_at == reset
        assert account.refresh_status == "pending"
    assert budget_for(youtube_connection).paused_until() is not None

    run_schedule(django_capture_on_commit_callbacks)  # the next beat tick, before the reset
    assert route.call_count == 1


def test_an_invalid_key_breaks_the_connection_and_shows_it_on_healthz_and_home(
    team,
    youtube_connection,
    youtube_api,
    eager_celery,
    owner_client,
    client,
    django_capture_on_commit_callbacks,
):
    accounts = youtube_accounts(team, 60)
    route = youtube_api.get("/channels").mock(return_value=youtube_error("error_api_key_invalid"))

    run_schedule(django_capture_on_commit_callbacks)

    youtube_connection.refresh_from_db()
    assert youtube_connection.status == Connection.Status.BROKEN
    assert "key" in youtube_connection.status_message.lower()
    assert youtube_connection.secret_hint not in youtube_connection.status_message
    assert (
        SocialAccount.objects.filter(
            pk__in=[a.pk for a in accounts], refresh_queued_at=None
        ).count()
        == 60
    )
    calls = route.call_count
    run_schedule(django_capture_on_commit_callbacks)
    assert route.call_count == calls  # a broken connection is not called again

    health = json.loads(client.get(reverse("healthz")).content)
    assert f"youtube connection #{youtube_connection.pk}" in health["advisories"]["connections"]
    assert health["advisories"]["connections"].startswith("degraded")
    assert "Broken connection" in owner_client.get(reverse("home")).content.decode()


def test_a_429_schedules_a_retry_with_backoff_and_the_retry_finishes_the_batch(
    team, youtube_connection, youtube_api, eager_celery, settings
):
    settings.REFRESH_HTTP_CONCURRENCY = 1
    accounts = youtube_accounts(team, 100)
    ok = channels_reply()
    limited = replay("youtube/error_rate_limit_exceeded", status=429, headers={"Retry-After": "7"})
    replies = iter([limited])
    route = youtube_api.get("/channels").mock(
        side_effect=lambda request: next(replies, None) or ok(request)
    )
    retries = []

    def on_retry(sender, request, reason, **kwargs):
        retries.append(reason.when)

    task_retry.connect(on_retry)
    try:
        ids = [a.pk for a in accounts]
        refresh.claim_accounts(ids, now=timezone.now())
        result = refresh_batch.apply(args=[youtube_connection.pk, ids])
    finally:
        task_retry.disconnect(on_retry)

    assert len(retries) == 1
    assert 7 <= retries[0] <= settings.REFRESH_RETRY_BACKOFF_MAX
    assert result.get()["refreshed"] == 100
    assert route.call_count == 3  # the 429, then both chunks once
    assert AccountSnapshot.objects.filter(account__in=accounts).count() == 100


def test_retry_countdown_grows_exponentially_with_jitter_and_honours_retry_after(settings):
    settings.REFRESH_RETRY_BACKOFF_MAX = 600
    first = [refresh.retry_countdown(0) for _ in range(50)]
    fourth = [refresh.retry_countdown(3) for _ in range(50)]
    assert all(5 <= d <= 10 for d in first) and len(set(first)) > 1
    assert all(40 <= d <= 80 for d in fourth)
    assert all(d <= 600 for d in (refresh.retry_countdown(20) for _ in range(20)))
    assert refresh.retry_countdown(0, retry_after=30) >= 30


def test_after_max_retries_the_accounts_are_marked_failed_with_the_reason(
    team, youtube_connection, youtube_api, eager_celery
):
    accounts = youtube_accounts(team, 3)
    route = youtube_api.get("/channels").mock(return_value=replay("common/bad_gateway_502"))
    ids = [a.pk for a in accounts]
    refresh.claim_accounts(ids, now=timezone.now())

    refresh_batch.apply(args=[youtube_connection.pk, ids])

    assert route.call_count == refresh_batch.max_retries + 1
    for account in SocialAccount.objects.filter(pk__in=ids):
        assert account.refresh_status == "failed"
        assert account.refresh_error.startswith("Gave up after retries")
        assert account.refresh_queued_at is None
        assert account.next_refresh_at > timezone.now() + timedelta(hours=23)


def test_running_the_same_refresh_twice_a_day_writes_no_duplicate_rows(
    team, youtube_connection, youtube_api, eager_celery, django_capture_on_commit_callbacks
):
    accounts = youtube_accounts(team, 4)
    youtube_api.get("/channels").mock(side_effect=channels_reply())
    youtube_api.get("/playlistItems").mock(return_value=replay("youtube/playlist_items"))
    youtube_api.get("/videos").mock(return_value=replay("youtube/videos_list"))
    ids = [a.pk for a in accounts]

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            request = refresh_request(workspace=team.workspace, account_ids=ids)
        assert sorted(request.queued) == sorted(ids)

    assert AccountSnapshot.objects.filter(account__in=accounts).count() == 4
    posts = Post.objects.filter(account__in=accounts)
    assert posts.count() == 4 * 3  # the recorded 3 videos per channel, once each
    assert posts.values("account", "platform_post_id").distinct().count() == posts.count()


def test_an_account_with_a_priority_is_refreshed_sooner(
    team, youtube_connection, youtube_api, eager_celery, django_capture_on_commit_callbacks
):
    live, other = youtube_accounts(team, 2, next_refresh_at=timezone.now() + timedelta(days=5))
    youtube_api.get("/channels").mock(side_effect=channels_reply())

    def campaigns(workspace_ids):
        return {live.pk: 1}

    refresh_priority.register(campaigns)
    try:
        run_schedule(django_capture_on_commit_callbacks)
    finally:
        refresh_priority.unregister(campaigns)

    live.refresh_from_db()
    other.refresh_from_db()
    assert live.refresh_status == "ok"
    assert live.next_refresh_at < timezone.now() + timedelta(days=1)
    assert other.refresh_status == "pending"  # still waiting for its weekly turn


def test_a_channel_added_by_handle_is_resolved_once_then_refreshed(
    team, youtube_connection, youtube_api, eager_celery, django_capture_on_commit_callbacks
):
    (account,) = youtube_accounts(team, 1, external_id="", handle="lenabakes")
    youtube_api.get("/channels", params={"forHandle": "@lenabakes"}).mock(
        return_value=replay("youtube/channels_for_handle")
    )
    youtube_api.get("/channels").mock(side_effect=channels_reply())

    run_schedule(django_capture_on_commit_callbacks)

    account.refresh_from_db()
    assert account.external_id.startswith("UC")
    assert account.refresh_status == "ok"
    assert account.followers == 48300


def test_a_handle_youtube_does_not_know_is_marked_not_found(
    team, youtube_connection, youtube_api, eager_celery, django_capture_on_commit_callbacks
):
    (account,) = youtube_accounts(team, 1, external_id="", handle="nobodyhere", followers=10)
    youtube_api.get("/channels").mock(return_value=replay("youtube/channels_empty"))

    run_schedule(django_capture_on_commit_callbacks)

    account.refresh_from_db()
    assert account.refresh_status == "not_found"
    assert account.followers == 10 and account.external_id == ""


def test_a_worker_running_a_batch_twice_does_not_call_again_for_finished_accounts(
    team, youtube_connection, youtube_api, eager_celery
):
    accounts = youtube_accounts(team, 50)
    route = youtube_api.get("/channels").mock(side_effect=channels_reply())
    ids = [a.pk for a in accounts]
    refresh.claim_accounts(ids, now=timezone.now())

    refresh_batch.apply(args=[youtube_connection.pk, ids])
    again = refresh_batch.apply(args=[youtube_connection.pk, ids]).get()  # a redelivery

    assert route.call_count == 1
    assert again["skipped"] == 50
    assert AccountSnapshot.objects.filter(account__in=accounts).count() == 50


def test_a_batch_only_touches_accounts_of_the_connections_workspace(
    team, youtube_connection, youtube_api, eager_celery
):
    from tests.factories import SocialAccountFactory

    foreign = SocialAccountFactory(
        creator__workspace=team.other_workspace, platform="youtube", external_id=channel_id(7)
    )
    route = youtube_api.get("/channels").mock(side_effect=channels_reply())
    refresh.claim_accounts([foreign.pk], now=timezone.now())

    refresh_batch.apply(args=[youtube_connection.pk, [foreign.pk]])

    assert route.call_count == 0
    assert not AccountSnapshot.objects.filter(account=foreign).exists()


def test_a_transport_failure_refunds_the_reserved_unit(
    team, youtube_connection, youtube_api, eager_celery
):
    accounts = youtube_accounts(team, 2)
    youtube_api.get("/channels").mock(side_effect=httpx.ConnectError("refused"))
    ids = [a.pk for a in accounts]
    refresh.claim_accounts(ids, now=timezone.now())

    refresh_batch.apply(args=[youtube_connection.pk, ids])

    assert budget_for(youtube_connection).state().used == 0


def test_the_hourly_posts_pick_fetches_videos_within_the_share_kept_for_posts(
    team,
    youtube_connection,
    youtube_api,
    eager_celery,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.REFRESH_POSTS_BUDGET_PERCENT = 50
    youtube_connection.daily_quota = 10  # 5 units for posts: 2 channels at 2 units each
    youtube_connection.status = Connection.Status.OK
    youtube_connection.save()
    accounts = youtube_accounts(team, 4, refresh_status="ok", followers=5000)
    last_page = body_of("youtube/playlist_items")
    last_page.pop("nextPageToken", None)
    playlist = youtube_api.get("/playlistItems").mock(
        return_value=httpx.Response(200, json=last_page)
    )
    youtube_api.get("/videos").mock(return_value=replay("youtube/videos_list"))

    def campaigns(workspace_ids):
        return {accounts[3].pk: 1}

    refresh_priority.register(campaigns)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            summary = refresh.posts_schedule()
    finally:
        refresh_priority.unregister(campaigns)

    assert summary["accounts"] == 2
    assert playlist.call_count == 2
    assert Post.objects.filter(account=accounts[3]).count() == 3  # the priority account first
    assert budget_for(youtube_connection).state().used == 4
    with django_capture_on_commit_callbacks(execute=True):
        assert refresh.posts_schedule()["accounts"] == 0  # the share is spent for today


def test_a_late_task_leaves_accounts_claimed_again_by_a_newer_task_alone(
    team, youtube_connection, youtube_api, eager_celery
):
    accounts = youtube_accounts(team, 2)
    route = youtube_api.get("/channels").mock(side_effect=channels_reply())
    ids = sorted(a.pk for a in accounts)
    lost = timezone.now() - timedelta(hours=3)  # a claim whose task sat in a dead queue
    refresh.claim_accounts(ids, now=lost)
    newer = timezone.now()
    assert sorted(refresh.claim_accounts(ids, now=newer)) == ids  # the stale claim expired

    late = refresh_batch.apply(args=[youtube_connection.pk, ids, False, lost.isoformat()])
    assert late.get()["skipped"] == 2 and route.call_count == 0
    refresh_batch.apply(args=[youtube_connection.pk, ids, False, newer.isoformat()])
    assert route.call_count == 1
