"""The post metrics refresher, with recorded platform replies at the HTTP layer."""

# ruff: noqa: F811 - the shared fixtures are imported, then named as test arguments

import copy
import datetime as dt

import httpx
import pytest
import respx
from django.utils import timezone

from apps.creators import connections
from apps.reporting import post_refresh, services
from apps.reporting.models import DeliverablePost, PostMetricSnapshot
from tests.creators.providers.conftest import IG_USER_ID, body_of, replay
from tests.creators.refresh_fixtures import eager_celery, fresh_key  # noqa: F401 - fixtures
from tests.factories import DeliverablePostFactory, SocialAccountFactory, active_contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def youtube_api(settings):
    with respx.mock(base_url=settings.YOUTUBE_API_BASE, assert_all_called=False) as api:
        yield api


@pytest.fixture
def graph_api(settings):
    base = f"{settings.GRAPH_API_BASE}/{settings.GRAPH_API_VERSION}"
    with respx.mock(base_url=base, assert_all_called=False) as api:
        yield api


@pytest.fixture
def tiktok_api(settings):
    with respx.mock(base_url=settings.TIKTOK_API_BASE, assert_all_called=False) as api:
        yield api


def youtube_key(team):
    return connections.connection_create(
        workspace=team.workspace, kind="youtube_key", name="Key", secret=fresh_key()
    )


def a_post(team, platform, post_id, *, label="#ad", **kwargs):
    fmt = {"youtube": "video", "tiktok": "video", "instagram": "post"}[platform]
    contract = active_contract(
        workspace=team.workspace, deliverables=[(platform, fmt)], disclosure_label=label
    )
    defaults = {
        "views": None,
        "likes": None,
        "comments": None,
        "shares": None,
        "saves": None,
        "metrics_source": "manual",
        "metrics_updated_at": None,
        "disclosure_status": "unchecked",
        "caption": "",
        "next_refresh_at": timezone.now() - dt.timedelta(minutes=1),
    }
    return DeliverablePostFactory(
        deliverable=contract.accepted_version.deliverables.get(),
        platform_post_id=post_id,
        **{**defaults, **kwargs},
    )


def run_beat(django_capture_on_commit_callbacks, now=None):
    with django_capture_on_commit_callbacks(execute=True):
        return post_refresh.schedule_due(now=now)


def videos_reply(views: str):
    body = copy.deepcopy(body_of("youtube/videos_list"))
    body["items"][0]["statistics"]["viewCount"] = views
    return httpx.Response(200, json=body)


# -- YouTube -------------------------------------------------------------------------


def test_youtube_posts_get_their_numbers_once_a_day_idempotently(
    team, youtube_api, eager_celery, django_capture_on_commit_callbacks
):
    youtube_key(team)
    post = a_post(team, "youtube", "kX3mQ9pLw0A")
    route = youtube_api.get("/videos").mock(
        side_effect=[videos_reply("18240"), videos_reply("19000")]
    )

    summary = run_beat(django_capture_on_commit_callbacks)

    assert summary == {"posts": 1, "tasks": 1}
    assert route.calls.last.request.url.params["id"] == "kX3mQ9pLw0A"
    post.refresh_from_db()
    assert (post.views, post.likes, post.comments) == (18240, 1311, 47)
    assert post.metrics_source == "api"
    assert post.refresh_error == ""
    assert post.next_refresh_at > timezone.now() + dt.timedelta(hours=22)
    assert post.disclosure_status == "unchecked"  # a YouTube title is not the description

    # Not due again today: the next beat leaves it alone.
    assert run_beat(django_capture_on_commit_callbacks) == {"posts": 0, "tasks": 0}
    # Forced again the same day: still one row for the day, with the newer numbers.
    DeliverablePost.objects.filter(pk=post.pk).update(next_refresh_at=timezone.now())
    run_beat(django_capture_on_commit_callbacks)
    assert route.call_count == 2
    snapshot = PostMetricSnapshot.objects.get(post=post)
    assert (snapshot.date, snapshot.views, snapshot.source) == (timezone.localdate(), 19000, "api")


def test_without_a_youtube_key_the_post_keeps_its_manual_numbers(
    team, youtube_api, eager_celery, django_capture_on_commit_callbacks
):
    post = a_post(team, "youtube", "kX3mQ9pLw0A", views=77, metrics_source="manual")
    run_beat(django_capture_on_commit_callbacks)
    post.refresh_from_db()
    assert youtube_api.calls.call_count == 0
    assert post.refresh_error == post_refresh.NO_YOUTUBE
    assert (post.views, post.metrics_source) == (77, "manual")
    assert post.next_refresh_at > timezone.now() + dt.timedelta(hours=22)
    assert not PostMetricSnapshot.objects.exists()


def test_a_spent_youtube_quota_pauses_the_key_and_the_post_waits_for_the_reset(
    team, youtube_api, eager_celery, django_capture_on_commit_callbacks
):
    key = youtube_key(team)
    post = a_post(team, "youtube", "kX3mQ9pLw0A")
    youtube_api.get("/videos").mock(return_value=replay("youtube/error_quota_exceeded"))
    run_beat(django_capture_on_commit_callbacks)
    post.refresh_from_db()
    key.refresh_from_db()
    assert key.status == "paused"
    assert "Quota used up" in post.refresh_error
    assert post.next_refresh_at == key.paused_until
    assert not PostMetricSnapshot.objects.exists()


def test_a_deleted_video_says_so(
    team, youtube_api, eager_celery, django_capture_on_commit_callbacks
):
    youtube_key(team)
    post = a_post(team, "youtube", "AAAAAAAAAAA")
    youtube_api.get("/videos").mock(return_value=httpx.Response(200, json={"items": []}))
    run_beat(django_capture_on_commit_callbacks)
    post.refresh_from_db()
    assert "YouTube: the post was not returned" in post.refresh_error


# -- Instagram -----------------------------------------------------------------------


@pytest.fixture
def instagram_connection(team):
    return connections.connection_create(
        workspace=team.workspace,
        kind="instagram_graph",
        name="Our IG",
        secret=fresh_key("EAAG"),
        ig_user_id=IG_USER_ID,
        ig_username="acmebrand",
    )


def instagram_post(team, code, **kwargs):
    post = a_post(team, "instagram", code, **kwargs)
    SocialAccountFactory(
        creator=post.campaign_creator.creator, workspace=team.workspace, handle="lenabakes"
    )
    return post


def test_instagram_posts_are_found_among_the_recent_media_and_their_caption_checked(
    team, instagram_connection, graph_api, eager_celery, django_capture_on_commit_callbacks
):
    hidden = instagram_post(team, "DCd1q2w3e4R")  # "#ad My new favourite flour", likes hidden
    route = graph_api.get(f"/{IG_USER_ID}").mock(
        return_value=replay("instagram/business_discovery")
    )
    run_beat(django_capture_on_commit_callbacks)

    assert "media.limit(25)" in route.calls.last.request.url.params["fields"]
    hidden.refresh_from_db()
    assert hidden.likes is None  # 0 from Graph means hidden, not zero
    assert hidden.comments == 25
    assert hidden.caption.startswith("#ad My new favourite flour")
    assert hidden.disclosure_status == "passed"
    assert hidden.published_at is not None


def test_an_instagram_caption_without_the_label_fails_the_check(
    team, instagram_connection, graph_api, eager_celery, django_capture_on_commit_callbacks
):
    post = instagram_post(team, "DCb9x8y7z6W")  # "Five breads, one weekend."
    graph_api.get(f"/{IG_USER_ID}").mock(return_value=replay("instagram/business_discovery"))
    run_beat(django_capture_on_commit_callbacks)
    post.refresh_from_db()
    assert (post.likes, post.comments) == (902, 33)
    assert post.disclosure_status == "failed"
    assert post.disclosure_detail == "#ad is not in the first line."


def test_an_old_instagram_post_is_left_to_manual_entry(
    team, instagram_connection, graph_api, eager_celery, django_capture_on_commit_callbacks
):
    post = instagram_post(team, "OLDpost1234")
    graph_api.get(f"/{IG_USER_ID}").mock(return_value=replay("instagram/business_discovery"))
    run_beat(django_capture_on_commit_callbacks)
    post.refresh_from_db()
    assert "Instagram: post not among the account's recent 25" in post.refresh_error
    assert post.metrics_source == "manual"
    assert not PostMetricSnapshot.objects.exists()


def test_an_instagram_post_of_a_creator_without_an_account_on_file(
    team, instagram_connection, graph_api, eager_celery, django_capture_on_commit_callbacks
):
    post = a_post(team, "instagram", "DCb9x8y7z6W")
    run_beat(django_capture_on_commit_callbacks)
    post.refresh_from_db()
    assert graph_api.calls.call_count == 0
    assert post.refresh_error == post_refresh.NO_IG_ACCOUNT


# -- TikTok --------------------------------------------------------------------------


def test_tiktok_needs_the_creators_connection(
    team, tiktok_api, eager_celery, django_capture_on_commit_callbacks
):
    post = a_post(team, "tiktok", "7439876543210987654")
    run_beat(django_capture_on_commit_callbacks)
    post.refresh_from_db()
    assert tiktok_api.calls.call_count == 0
    assert (
        post.refresh_error == "TikTok needs the creator's connection; enter the numbers by "
        "hand or import them."
    )


def test_tiktok_posts_are_read_with_the_creators_own_token(
    team, tiktok_api, eager_celery, django_capture_on_commit_callbacks
):
    post = a_post(team, "tiktok", "7439876543210987654")
    account = SocialAccountFactory(
        creator=post.campaign_creator.creator, workspace=team.workspace, platform="tiktok"
    )
    connections.connection_create(
        workspace=team.workspace,
        kind="tiktok_oauth",
        name="Lena's TikTok",
        secret=fresh_key("act"),
        refresh_token="rft.x",
        account=account,
        token_expires_at=timezone.now() + dt.timedelta(days=1),
    )
    route = tiktok_api.post("/v2/video/query/").mock(return_value=replay("tiktok/video_query"))
    run_beat(django_capture_on_commit_callbacks)
    assert route.call_count == 1
    post.refresh_from_db()
    assert (post.views, post.likes, post.comments, post.shares) == (230118, 30511, 612, 1804)
    assert post.disclosure_status == "passed"


# -- claiming and attaching ----------------------------------------------------------


def test_a_claimed_post_is_not_claimed_twice_and_closed_contracts_are_skipped(team):
    now = timezone.now()
    post = a_post(team, "youtube", "kX3mQ9pLw0A")
    cancelled = a_post(team, "youtube", "R7bN2sYtq5c")
    cancelled.contract.status = "cancelled"
    cancelled.contract.save(update_fields=["status"])
    assert [row[0] for row in post_refresh.claim_due(now=now)] == [post.pk]
    assert post_refresh.claim_due(now=now) == []
    # The lease ends: a dead worker's post is due again.
    assert [row[0] for row in post_refresh.claim_due(now=now + dt.timedelta(hours=2))] == [post.pk]


def test_attaching_a_post_fetches_its_numbers_at_once(
    team, youtube_api, eager_celery, django_capture_on_commit_callbacks
):
    youtube_key(team)
    contract = active_contract(workspace=team.workspace, deliverables=[("youtube", "video")])
    youtube_api.get("/videos").mock(return_value=videos_reply("18240"))
    with django_capture_on_commit_callbacks(execute=True):
        post = services.deliverable_post_attach(
            deliverable=contract.accepted_version.deliverables.get(),
            url="https://youtu.be/kX3mQ9pLw0A",
            by=team.owner,
        )
    post.refresh_from_db()
    assert post.views == 18240
    assert PostMetricSnapshot.objects.filter(post=post).count() == 1
