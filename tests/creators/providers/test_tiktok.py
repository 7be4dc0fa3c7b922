import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import httpx
import pytest

from apps.creators.providers.base import (
    AuthError,
    InvalidHandle,
    InvalidRequest,
    NotFound,
    RateLimited,
    TransientError,
)
from apps.creators.providers.tiktok import (
    TokenGrant,
    parse_tiktok_handle,
    refresh_access_token,
)

from .conftest import FIXED_NOW, TT_TOKEN, replay

OPEN_ID = "-000Hm8K2bKs2t0n5hXwQ9rTz1lA3pV7yY"
VIDEO_IDS = [
    "7441234567890123456",
    "7440987654321098765",
    "7439876543210987654",
    "7438765432109876543",
    "7437654321098765432",
]


def sent_json(call) -> dict:
    return json.loads(call.request.content)


def test_it_reads_the_connected_creators_profile(tiktok, tiktok_api):
    route = tiktok_api.get("/v2/user/info/").mock(return_value=replay("tiktok/user_info"))

    user = tiktok.fetch_user()

    assert user.external_id == OPEN_ID
    assert user.handle == "lena.bakes"
    assert user.display_name == "Lena Bakes"
    assert (user.followers, user.following, user.posts_count, user.total_likes) == (
        31850,
        288,
        164,
        1204733,
    )
    assert user.profile_url == "https://www.tiktok.com/@lena.bakes"
    request = route.calls.last.request
    assert request.headers["Authorization"] == f"Bearer {TT_TOKEN}"
    fields = request.url.params["fields"].split(",")
    assert {"open_id", "username", "follower_count", "likes_count", "video_count"} <= set(fields)


def test_it_reports_every_id_but_the_token_owner_as_not_found_in_one_call(tiktok, tiktok_api):
    route = tiktok_api.get("/v2/user/info/").mock(return_value=replay("tiktok/user_info"))

    batch = tiktok.fetch_accounts([OPEN_ID, "-000SomeoneElse"])

    assert route.call_count == 1
    assert batch.accounts[OPEN_ID].followers == 31850
    assert batch.not_found == {"-000SomeoneElse"}
    assert tiktok.max_batch_size == 1


def test_resolve_checks_that_the_token_belongs_to_the_handle(tiktok, tiktok_api):
    tiktok_api.get("/v2/user/info/").mock(return_value=replay("tiktok/user_info"))

    ref = tiktok.resolve("https://www.tiktok.com/@Lena.Bakes?lang=en")
    assert (ref.external_id, ref.handle) == (OPEN_ID, "lena.bakes")

    with pytest.raises(NotFound, match="@lena.bakes, not @someoneelse"):
        tiktok.resolve("@someoneelse")


def test_it_pages_through_the_video_list_with_the_cursor(tiktok, tiktok_api):
    route = tiktok_api.post("/v2/video/list/").mock(
        side_effect=[replay("tiktok/video_list_page_1"), replay("tiktok/video_list_page_2")]
    )

    posts = tiktok.fetch_recent_posts(OPEN_ID, limit=5)

    assert [sent_json(call) for call in route.calls] == [
        {"max_count": 5},
        {"max_count": 2, "cursor": 1794931200000},
    ]
    assert "share_count" in route.calls.last.request.url.params["fields"]
    assert [post.external_id for post in posts] == VIDEO_IDS
    first = posts[0]
    assert first.published_at == datetime(2026, 11, 25, 17, 20, tzinfo=UTC)
    assert (first.views, first.likes, first.comments, first.shares) == (48211, 5120, 88, 210)
    assert first.format == "video"
    assert first.url.startswith("https://www.tiktok.com/@lena.bakes/video/7441234567890123456")
    assert first.caption == "Brioche braid, no mixer #baking"
    assert tiktok.last_usage.requests == 2


def test_it_never_asks_for_more_than_twenty_videos_a_page(tiktok, tiktok_api):
    route = tiktok_api.post("/v2/video/list/").mock(return_value=replay("tiktok/video_list_page_2"))

    tiktok.fetch_recent_posts(OPEN_ID, limit=50)

    assert sent_json(route.calls[0])["max_count"] == 20
    assert route.call_count == 1  # has_more is false


def test_it_queries_known_videos_and_leaves_out_unknown_ids(tiktok, tiktok_api):
    route = tiktok_api.post("/v2/video/query/").mock(return_value=replay("tiktok/video_query"))
    asked = [VIDEO_IDS[2], VIDEO_IDS[0], "7400000000000000000"]

    posts = tiktok.fetch_posts(asked)

    assert sent_json(route.calls.last) == {"filters": {"video_ids": asked}}
    assert [post.external_id for post in posts] == [VIDEO_IDS[2], VIDEO_IDS[0]]
    assert posts[0].views == 230118


def test_rate_limit_exceeded_is_retryable(tiktok, tiktok_api):
    tiktok_api.get("/v2/user/info/").mock(return_value=replay("tiktok/error_rate_limit_exceeded"))

    with pytest.raises(RateLimited) as caught:
        tiktok.fetch_user()

    assert caught.value.code == "rate_limit_exceeded"
    assert caught.value.status_code == 429
    assert caught.value.retryable is True
    assert caught.value.trace_id == "20261125121409B9C8D7E6F5A4B3C2D1E0"


@pytest.mark.parametrize(
    "recording", ["tiktok/error_access_token_invalid", "tiktok/error_scope_not_authorized"]
)
def test_an_invalid_token_or_missing_scope_breaks_the_connection(tiktok, tiktok_api, recording):
    tiktok_api.post("/v2/video/list/").mock(return_value=replay(recording))

    with pytest.raises(AuthError) as caught:
        tiktok.fetch_recent_posts(OPEN_ID)

    assert caught.value.retryable is False
    assert TT_TOKEN not in str(caught.value)


def test_invalid_params_is_our_bug(tiktok, tiktok_api):
    tiktok_api.post("/v2/video/list/").mock(return_value=replay("tiktok/error_invalid_params"))

    with pytest.raises(InvalidRequest, match=r"max_count should be in range"):
        tiktok.fetch_recent_posts(OPEN_ID)


def test_internal_error_is_transient(tiktok, tiktok_api):
    tiktok_api.post("/v2/video/query/").mock(return_value=replay("tiktok/error_internal_error"))

    with pytest.raises(TransientError):
        tiktok.fetch_posts(VIDEO_IDS[:1])


def test_an_error_code_in_a_200_envelope_is_still_an_error(tiktok, tiktok_api):
    tiktok_api.get("/v2/user/info/").mock(
        return_value=replay("tiktok/error_access_token_invalid", status=200)
    )

    with pytest.raises(AuthError):
        tiktok.fetch_user()


def test_it_refreshes_an_access_token(tiktok_oauth, tiktok_api):
    route = tiktok_api.post("/v2/oauth/token/").mock(
        return_value=replay("tiktok/oauth_token_refresh")
    )

    grant = tiktok_oauth.refresh_access_token("aw-client-key", "client-secret", "rft.old")

    form = parse_qs(route.calls.last.request.content.decode())
    assert form == {
        "client_key": ["aw-client-key"],
        "client_secret": ["client-secret"],
        "grant_type": ["refresh_token"],
        "refresh_token": ["rft.old"],
    }
    assert route.calls.last.request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert isinstance(grant, TokenGrant)
    assert grant.access_token.startswith("act.")
    assert grant.refresh_token.startswith("rft.")
    assert grant.expires_at == FIXED_NOW + timedelta(days=1)
    assert grant.refresh_expires_at == FIXED_NOW + timedelta(days=365)
    assert grant.open_id == OPEN_ID
    assert "video.list" in grant.scopes


def test_a_rejected_refresh_token_means_the_creator_must_reconnect(tiktok_api):
    tiktok_api.post("/v2/oauth/token/").mock(
        return_value=replay("tiktok/oauth_token_invalid_grant")
    )

    with pytest.raises(AuthError, match="Refresh token is invalid or expired") as caught:
        refresh_access_token(
            "aw-client-key",
            "client-secret",
            "rft.revoked",
            transport=httpx.MockTransport(tiktok_api.handler),
        )

    assert caught.value.code == "invalid_grant"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("lena.bakes", "lena.bakes"),
        ("@Lena_Bakes", "lena_bakes"),
        ("https://www.tiktok.com/@lena.bakes", "lena.bakes"),
        ("https://www.tiktok.com/@lena.bakes?is_from_webapp=1&sender_device=pc", "lena.bakes"),
        ("tiktok.com/@lena.bakes/video/7441234567890123456", "lena.bakes"),
        ("https://m.tiktok.com/@lena.bakes/", "lena.bakes"),
    ],
)
def test_it_parses_tiktok_handles_and_urls(given, expected):
    assert parse_tiktok_handle(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        "",
        "https://vm.tiktok.com/ZMh1a2B3c/",
        "https://www.tiktok.com/tag/baking",
        "https://www.instagram.com/lena.bakes",
        "l",
        "lena bakes",
    ],
)
def test_it_rejects_what_is_not_a_tiktok_profile(given):
    with pytest.raises(InvalidHandle):
        parse_tiktok_handle(given)
