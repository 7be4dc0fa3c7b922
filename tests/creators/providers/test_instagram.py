import hashlib
import hmac
from datetime import UTC, datetime

import httpx
import pytest

from apps.creators.providers.base import (
    AccountRef,
    AuthError,
    InvalidHandle,
    NotFound,
    RateLimited,
    TransientError,
)
from apps.creators.providers.instagram import (
    InstagramClient,
    parse_instagram_handle,
    parse_usage_headers,
)

from .conftest import IG_TOKEN, IG_USER_ID, replay

PROFILE_PATH = f"/v24.0/{IG_USER_ID}"


def fields_of(route) -> str:
    return route.calls.last.request.url.params["fields"]


def test_it_reads_a_business_discovery_profile_with_its_recent_media(instagram, graph_api):
    route = graph_api.get(PROFILE_PATH).mock(return_value=replay("instagram/business_discovery"))

    batch = instagram.fetch_accounts(["lenabakes"])

    lena = batch.accounts["lenabakes"]
    assert lena.external_id == "17841401234567890"
    assert lena.handle == "lenabakes"
    assert lena.display_name == "Lena | Home Baking"
    assert (lena.followers, lena.following, lena.posts_count) == (26779, 412, 1205)
    assert lena.bio.startswith("Sourdough")
    assert lena.profile_url == "https://www.instagram.com/lenabakes/"
    assert len(lena.recent_posts) == 5
    assert route.call_count == 1
    fields = fields_of(route)
    assert fields.startswith("business_discovery.username(lenabakes){")
    assert "followers_count" in fields and "media.limit(12){" in fields
    assert "media_product_type" in fields
    assert route.calls.last.request.url.params["access_token"] == IG_TOKEN


def test_it_maps_media_types_to_post_formats(instagram, graph_api):
    graph_api.get(PROFILE_PATH).mock(return_value=replay("instagram/business_discovery"))

    posts = instagram.fetch_recent_posts("lenabakes")

    assert [post.format for post in posts] == ["reel", "carousel", "photo", "photo", "video"]
    reel = posts[0]
    assert reel.external_id == "18050123456789012"
    assert reel.url == "https://www.instagram.com/reel/DCa1b2c3d4E/"
    assert reel.published_at == datetime(2026, 11, 20, 18, 4, 11, tzinfo=UTC)
    assert (reel.likes, reel.comments, reel.views) == (1843, 61, None)
    assert reel.caption.startswith("Croissant lamination")


def test_a_zero_like_count_means_the_owner_hid_likes(instagram, graph_api):
    graph_api.get(PROFILE_PATH).mock(return_value=replay("instagram/business_discovery"))

    hidden = instagram.fetch_recent_posts("lenabakes")[3]

    assert hidden.likes is None
    assert hidden.likes_hidden is True
    assert hidden.comments == 25


def test_it_reads_counts_sent_as_strings_and_tolerates_a_missing_caption(instagram, graph_api):
    graph_api.get(PROFILE_PATH).mock(return_value=replay("instagram/business_discovery"))

    feed_video = instagram.fetch_recent_posts("lenabakes")[4]

    assert (feed_video.likes, feed_video.comments) == (404, 9)
    assert feed_video.likes_hidden is False
    assert feed_video.caption == ""


def test_it_asks_for_as_many_media_as_the_limit(instagram, graph_api):
    route = graph_api.get(PROFILE_PATH).mock(return_value=replay("instagram/business_discovery"))

    posts = instagram.fetch_recent_posts(AccountRef("instagram", "1784", "lenabakes", ""), limit=3)

    assert "media.limit(3){" in fields_of(route)
    assert len(posts) == 3


def test_it_reports_usage_headers_after_each_call(instagram, graph_api, usage_log):
    graph_api.get(PROFILE_PATH).mock(return_value=replay("instagram/business_discovery"))

    instagram.fetch_accounts(["lenabakes"])

    usage = instagram.last_usage
    assert usage.requests == 1
    assert usage.app_usage == {"call_count": 12, "total_cputime": 4, "total_time": 5}
    (entry,) = usage.business_use_case_usage
    assert entry.business_id == IG_USER_ID
    assert entry.type == "instagram"
    assert entry.call_count == 78
    assert entry.estimated_time_to_regain_access == 0
    assert usage.max_percent == 78
    assert usage.should_slow_down is True
    assert usage_log == [usage]


def test_it_ignores_malformed_usage_headers():
    usage = parse_usage_headers(
        httpx.Headers({"x-app-usage": "{not json", "x-business-use-case-usage": "[]"})
    )

    assert usage.app_usage == {}
    assert usage.business_use_case_usage == ()
    assert usage.max_percent is None
    assert usage.should_slow_down is False


def test_resolve_asks_for_the_profile_only(instagram, graph_api):
    route = graph_api.get(PROFILE_PATH).mock(
        return_value=replay("instagram/business_discovery_profile")
    )

    ref = instagram.resolve("https://www.instagram.com/LenaBakes/")

    assert ref == AccountRef(
        platform="instagram",
        external_id="17841401234567890",
        handle="lenabakes",
        profile_url="https://www.instagram.com/lenabakes/",
    )
    assert "business_discovery.username(lenabakes)" in fields_of(route)
    assert "media.limit" not in fields_of(route)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("lenabakes", "lenabakes"),
        ("@Lena.Bakes_", "lena.bakes_"),
        ("https://www.instagram.com/lenabakes/", "lenabakes"),
        ("https://instagram.com/lenabakes?igsh=MWQ1ZGUxMzBkMA==", "lenabakes"),
        ("instagram.com/lenabakes", "lenabakes"),
        ("https://m.instagram.com/lenabakes/reels/", "lenabakes"),
        ("https://www.instagram.com/stories/lenabakes/3141592653589793238/", "lenabakes"),
    ],
)
def test_it_parses_instagram_handles_and_profile_urls(given, expected):
    assert parse_instagram_handle(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        "",
        "https://www.instagram.com/p/DCb9x8y7z6W/",
        "https://www.instagram.com/",
        "https://www.tiktok.com/@lenabakes",
        "lena bakes",
        "lenabakes){id}",
        "a" * 31,
    ],
)
def test_it_rejects_what_is_not_an_instagram_profile(given):
    with pytest.raises(InvalidHandle):
        parse_instagram_handle(given)


def test_an_unknown_or_personal_account_is_reported_as_not_found(instagram, graph_api):
    graph_api.get(PROFILE_PATH).mock(return_value=replay("instagram/error_code_110_user_not_found"))

    batch = instagram.fetch_accounts(["nosuchbaker"])
    assert batch.not_found == {"nosuchbaker"} and batch.accounts == {}

    with pytest.raises(NotFound, match="not a Business/Creator account") as caught:
        instagram.resolve("nosuchbaker")
    assert caught.value.trace_id == "AbCdEfGh110"


def test_code_4_app_limit_is_rate_limited(instagram, graph_api):
    graph_api.get(PROFILE_PATH).mock(return_value=replay("instagram/error_code_4_app_rate_limit"))

    with pytest.raises(RateLimited) as caught:
        instagram.fetch_accounts(["lenabakes"])

    assert caught.value.code == 4
    assert caught.value.retryable is True
    assert caught.value.retry_after_seconds is None  # no estimate in the headers: back off
    assert instagram.last_usage.app_usage["call_count"] == 100
    assert instagram.last_usage.max_percent == 100


def test_code_17_waits_for_the_estimated_time_to_regain_access(instagram, graph_api):
    graph_api.get(PROFILE_PATH).mock(return_value=replay("instagram/error_code_17_user_rate_limit"))

    with pytest.raises(RateLimited) as caught:
        instagram.fetch_accounts(["lenabakes"])

    assert caught.value.code == 17
    assert caught.value.retry_after_seconds == 12 * 60
    assert instagram.last_usage.estimated_time_to_regain_access == 12


def test_code_190_expired_token_breaks_the_connection(instagram, graph_api):
    graph_api.get(PROFILE_PATH).mock(return_value=replay("instagram/error_code_190_token_expired"))

    with pytest.raises(AuthError, match="expired") as caught:
        instagram.fetch_accounts(["lenabakes"])

    assert caught.value.code == 190
    assert caught.value.retryable is False
    assert IG_TOKEN not in str(caught.value)


def test_code_10_missing_permission_is_an_auth_error(instagram, graph_api):
    graph_api.get(PROFILE_PATH).mock(return_value=replay("instagram/error_code_10_permission"))

    with pytest.raises(AuthError, match="permission"):
        instagram.resolve("lenabakes")


def test_a_transient_graph_error_is_retryable(instagram, graph_api):
    graph_api.get(PROFILE_PATH).mock(return_value=replay("instagram/error_code_2_transient"))

    with pytest.raises(TransientError) as caught:
        instagram.resolve("lenabakes")

    assert caught.value.retryable is True


def test_errors_are_keyed_on_the_graph_code_not_the_http_status(instagram, graph_api):
    graph_api.get(PROFILE_PATH).mock(
        return_value=replay("instagram/error_code_190_token_expired", status=500)
    )

    with pytest.raises(AuthError):
        instagram.resolve("lenabakes")


def test_it_fetches_media_objects_by_id_and_leaves_out_unreadable_ones(instagram, graph_api):
    graph_api.get("/v24.0/18050123456789013").mock(return_value=replay("instagram/media_object"))
    graph_api.get("/v24.0/18050999999999999").mock(
        return_value=replay("instagram/error_code_100_object_unavailable")
    )

    posts = instagram.fetch_posts(["18050123456789013", "18050999999999999"])

    assert [(p.external_id, p.format, p.likes) for p in posts] == [
        ("18050123456789013", "carousel", 902)
    ]
    assert instagram.last_usage.requests == 2


def test_the_api_version_and_base_url_are_settings(graph_api):
    graph = httpx.MockTransport(
        lambda request: (
            replay("instagram/business_discovery_profile")
            if request.url.path == f"/v26.0/{IG_USER_ID}" and request.url.host == "graph.proxy"
            else httpx.Response(404, json={"error": {"message": "wrong url", "code": 803}})
        )
    )
    client = InstagramClient(
        IG_USER_ID, IG_TOKEN, api_version="26.0", base_url="http://graph.proxy", transport=graph
    )

    assert client.resolve("lenabakes").handle == "lenabakes"


def test_it_signs_calls_with_appsecret_proof_when_given_the_app_secret(graph_api):
    route = graph_api.get(PROFILE_PATH).mock(
        return_value=replay("instagram/business_discovery_profile")
    )
    client = InstagramClient(
        IG_USER_ID, IG_TOKEN, app_secret="s3cret", transport=httpx.MockTransport(graph_api.handler)
    )

    client.resolve("lenabakes")

    expected = hmac.new(b"s3cret", IG_TOKEN.encode(), hashlib.sha256).hexdigest()
    assert route.calls.last.request.url.params["appsecret_proof"] == expected
