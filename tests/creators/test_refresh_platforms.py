"""Instagram, TikTok and the demo platform through the refresh pipeline (HTTP via respx)."""

# ruff: noqa: F811 - the shared fixtures are imported, then named as test arguments

from datetime import timedelta

import httpx
import pytest
import respx
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.creators import connections, refresh
from apps.creators.models import AccountSnapshot, Connection, Post, SocialAccount
from apps.creators.quota import budget_for
from apps.creators.refresh_tasks import refresh_batch
from tests.creators.providers.conftest import IG_USER_ID, replay
from tests.creators.refresh_fixtures import eager_celery, fresh_key  # noqa: F401 - fixtures
from tests.factories import AccountSnapshotFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db


def run_schedule(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return refresh.schedule_due()


# -- Instagram ---------------------------------------------------------------------------


@pytest.fixture
def graph_api(settings):
    base = f"{settings.GRAPH_API_BASE}/{settings.GRAPH_API_VERSION}"
    with respx.mock(base_url=base, assert_all_called=False) as api:
        yield api


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


def test_instagram_accounts_get_numbers_and_recent_posts_in_one_call_each(
    team, instagram_connection, graph_api, eager_celery, django_capture_on_commit_callbacks
):
    account = SocialAccountFactory(
        creator__workspace=team.workspace, handle="lenabakes", refresh_status="pending"
    )
    route = graph_api.get(f"/{IG_USER_ID}").mock(
        return_value=replay("instagram/business_discovery")
    )

    run_schedule(django_capture_on_commit_callbacks)

    assert route.call_count == 1
    account.refresh_from_db()
    assert account.followers == 26779
    assert account.external_id == "17841401234567890"
    assert account.stats_source == "api"
    posts = Post.objects.filter(account=account)
    assert posts.count() >= 2
    assert posts.filter(platform_post_id="18050123456789012", likes=1843, format="reel").exists()
    assert account.engagement_sample > 0  # scored from the posts that came with the profile
    # Meta's reported usage (78% in the recorded headers) is kept for the next calls.
    assert budget_for(instagram_connection).state().used == 78


def test_an_instagram_account_business_discovery_cannot_see_stays_on_imported_numbers(
    team, instagram_connection, graph_api, eager_celery, django_capture_on_commit_callbacks
):
    account = SocialAccountFactory(
        creator__workspace=team.workspace,
        handle="nosuchbaker",
        followers=5400,
        stats_source="import",
        refresh_status="pending",
    )
    graph_api.get(f"/{IG_USER_ID}").mock(
        return_value=replay("instagram/error_code_110_user_not_found")
    )

    run_schedule(django_capture_on_commit_callbacks)

    account.refresh_from_db()
    assert account.refresh_status == "unreachable"
    assert "import" in account.refresh_error
    assert account.followers == 5400
    assert account.stats_source == "import"


# -- TikTok ------------------------------------------------------------------------------


@pytest.fixture
def tiktok_api(settings):
    settings.TIKTOK_CLIENT_KEY, settings.TIKTOK_CLIENT_SECRET = "aw-test-key", "test-secret"
    with respx.mock(base_url=settings.TIKTOK_API_BASE, assert_all_called=False) as api:
        yield api


@pytest.fixture
def tiktok_account(team):
    return SocialAccountFactory(
        creator__workspace=team.workspace,
        platform="tiktok",
        handle="lena.bakes",
        refresh_status="unreachable",
        followers=30000,
    )


def tiktok_connection(team, account, *, expires_in: timedelta) -> Connection:
    return connections.connection_create(
        workspace=team.workspace,
        kind="tiktok_oauth",
        name="Lena's TikTok",
        secret=fresh_key("act"),
        refresh_token="rft.old-refresh-token",
        account=account,
        token_expires_at=timezone.now() + expires_in,
    )


def test_a_creators_tiktok_token_is_renewed_then_used_for_profile_and_videos(
    team, tiktok_account, tiktok_api, eager_celery, django_capture_on_commit_callbacks
):
    connection = tiktok_connection(team, tiktok_account, expires_in=timedelta(minutes=2))
    token = tiktok_api.post("/v2/oauth/token/").mock(
        return_value=replay("tiktok/oauth_token_refresh")
    )
    user = tiktok_api.get("/v2/user/info/").mock(return_value=replay("tiktok/user_info"))
    videos = tiktok_api.post("/v2/video/list/").mock(
        side_effect=[replay("tiktok/video_list_page_1"), replay("tiktok/video_list_page_2")]
    )

    run_schedule(django_capture_on_commit_callbacks)

    assert token.call_count == 1
    assert user.calls.last.request.headers["Authorization"].startswith("Bearer act.1d1021")
    assert videos.call_count == 2  # 20 a page at most; the recorded pages hold fewer
    connection.refresh_from_db()
    assert connection.token_expires_at > timezone.now() + timedelta(hours=23)
    assert connections.secret_of(connection).startswith("act.1d1021")
    assert "act.1d1021" not in connection.secret_encrypted  # stored encrypted
    tiktok_account.refresh_from_db()
    assert tiktok_account.followers == 31850
    assert tiktok_account.refresh_status == "ok"
    assert Post.objects.filter(account=tiktok_account, shares=210).exists()


def test_a_revoked_tiktok_token_breaks_only_that_creators_connection(
    team, tiktok_account, tiktok_api, eager_celery, django_capture_on_commit_callbacks
):
    connection = tiktok_connection(team, tiktok_account, expires_in=timedelta(hours=5))
    tiktok_api.get("/v2/user/info/").mock(return_value=replay("tiktok/error_access_token_invalid"))

    run_schedule(django_capture_on_commit_callbacks)

    connection.refresh_from_db()
    assert connection.status == Connection.Status.BROKEN
    assert "TikTok" in connection.status_message
    tiktok_account.refresh_from_db()
    assert tiktok_account.followers == 30000
    assert tiktok_account.refresh_queued_at is None


# -- the demo platform -------------------------------------------------------------------


@pytest.fixture
def demo(team, settings):
    settings.DEMO_PROVIDER = True
    return connections.demo_connections_ensure(workspace=team.workspace)


def test_the_demo_platform_moves_numbers_each_day_and_labels_them(team, demo):
    accounts = [
        SocialAccountFactory(creator__workspace=team.workspace, followers=25_000) for _ in range(3)
    ]
    ids = [a.pk for a in accounts]
    instagram = next(c for c in demo if c.platform == "instagram")

    def followers_after_refresh(day):
        refresh.claim_accounts(ids, now=day)
        refresh.batch_refresh(connection_id=instagram.pk, account_ids=ids, now=day)
        return {a.pk: a.followers for a in SocialAccount.objects.filter(pk__in=ids)}

    today = timezone.now()
    first = followers_after_refresh(today)
    assert followers_after_refresh(today) == first  # the same day gives the same numbers
    assert all(20_000 < value < 30_000 for value in first.values())
    for account in SocialAccount.objects.filter(pk__in=ids):
        assert account.stats_source == "demo"
        assert account.external_id == ""  # never a made-up platform id
    assert AccountSnapshot.objects.filter(account__in=ids, source="demo").count() == 3
    assert Post.objects.filter(account__in=ids, source="demo").exists()

    tomorrow = followers_after_refresh(today + timedelta(days=1))
    assert tomorrow != first
    assert AccountSnapshot.objects.filter(account__in=ids, source="demo").count() == 6


def test_a_real_connection_replaces_the_demo_one_for_its_platform(team, demo):
    connections.connection_create(
        workspace=team.workspace, kind="youtube_key", name="Real key", secret=fresh_key()
    )
    kinds = dict(Connection.objects.for_workspace(team.workspace).values_list("platform", "kind"))
    assert kinds["youtube"] == "youtube_key"
    assert kinds["instagram"] == "demo"


def test_the_demo_platform_is_never_used_when_switched_off(
    team, demo, settings, eager_celery, django_capture_on_commit_callbacks
):
    account = SocialAccountFactory(creator__workspace=team.workspace, refresh_status="pending")
    settings.DEMO_PROVIDER = False

    summary = run_schedule(django_capture_on_commit_callbacks)

    assert summary["accounts"] == 0
    account.refresh_from_db()
    assert account.stats_source == "api"  # the factory's value, untouched
    with pytest.raises(ValidationError):
        connections.connection_create(
            workspace=team.other_workspace, kind="demo", platform="youtube", name="Demo"
        )


def test_a_failed_real_call_is_never_answered_by_the_demo_platform(
    team, settings, eager_celery, django_capture_on_commit_callbacks
):
    settings.DEMO_PROVIDER = True
    connection = connections.connection_create(
        workspace=team.workspace, kind="youtube_key", name="Real key", secret=fresh_key()
    )
    connections.demo_connections_ensure(workspace=team.workspace)
    account = SocialAccountFactory(
        creator__workspace=team.workspace,
        platform="youtube",
        external_id="UC0000000000000000000001",
        followers=1000,
    )
    AccountSnapshotFactory(account=account, date=timezone.now().date() - timedelta(days=2))
    with respx.mock(base_url=settings.YOUTUBE_API_BASE) as api:
        api.get("/channels").mock(side_effect=httpx.ConnectError("down"))
        refresh.claim_accounts([account.pk], now=timezone.now())
        refresh_batch.apply(args=[connection.pk, [account.pk]])

    account.refresh_from_db()
    assert account.stats_source == "api" and account.followers == 1000
    assert account.refresh_status == "failed"
    assert not AccountSnapshot.objects.filter(account=account, source="demo").exists()


def test_the_demo_connections_command_fills_only_platforms_without_a_connection(team, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.DEMO_PROVIDER = True
    connections.connection_create(
        workspace=team.workspace, kind="youtube_key", name="Real key", secret=fresh_key()
    )
    out = StringIO()
    call_command("demo_connections", workspace=team.workspace.pk, stdout=out)
    call_command("demo_connections", workspace=team.workspace.pk, stdout=out)  # again: no-op

    kinds = dict(Connection.objects.for_workspace(team.workspace).values_list("platform", "kind"))
    assert kinds == {"youtube": "youtube_key", "instagram": "demo", "tiktok": "demo"}
    assert "Instagram, TikTok" in out.getvalue()
