import copy
from datetime import UTC, datetime

import httpx
import pytest

from apps.creators.providers.base import (
    AccountRef,
    AuthError,
    InvalidHandle,
    InvalidRequest,
    NotFound,
    QuotaExceeded,
    RateLimited,
)
from apps.creators.providers.youtube import (
    YouTubeClient,
    next_pacific_midnight,
    parse_channel_reference,
)

from .conftest import YT_KEY, body_of, replay

LENA = "UCq3VnR8cKb2yXw5LenaBk7A"
TOM = "UCd9Tm4HkZp1sQeFrogTrl2Q"
GONE = "UC0000DeletedChannel0001"
LENA_UPLOADS = "UUq3VnR8cKb2yXw5LenaBk7A"
VIDEOS = ["kX3mQ9pLw0A", "R7bN2sYtq5c", "Zp0dHc8vG1e"]


def channel_ids(n: int) -> list[str]:
    return [f"UC{i:022d}" for i in range(n)]


def channels_for_requested_ids(request: httpx.Request) -> httpx.Response:
    """Answer channels.list with one recorded item cloned for every requested id."""
    template = body_of("youtube/channels_list")["items"][0]
    items = []
    for channel_id in request.url.params["id"].split(","):
        item = copy.deepcopy(template)
        item["id"] = channel_id
        items.append(item)
    return httpx.Response(200, json={"kind": "youtube#channelListResponse", "items": items})


def videos_for_requested_ids(request: httpx.Request) -> httpx.Response:
    template = body_of("youtube/videos_list")["items"][1]
    items = []
    for video_id in request.url.params["id"].split(","):
        item = copy.deepcopy(template)
        item["id"] = video_id
        items.append(item)
    return httpx.Response(200, json={"kind": "youtube#videoListResponse", "items": items})


# -- channels ---------------------------------------------------------------


def test_it_reads_channel_stats_and_turns_string_counts_into_ints(youtube, youtube_api):
    youtube_api.get("/channels").mock(return_value=replay("youtube/channels_list"))

    batch = youtube.fetch_accounts([LENA, TOM])

    lena = batch.accounts[LENA]
    assert lena.followers == 48300
    assert lena.total_views == 4812330
    assert lena.posts_count == 212
    assert lena.handle == "lenabakes"
    assert lena.display_name == "Lena Bakes"
    assert lena.country == "DE"
    assert lena.uploads_playlist_id == LENA_UPLOADS
    assert lena.profile_url == "https://www.youtube.com/@lenabakes"
    assert lena.followers_hidden is False
    request = youtube_api.calls.last.request
    assert request.url.params["part"] == "snippet,statistics,contentDetails"
    assert request.url.params["key"] == YT_KEY


def test_it_reports_a_hidden_subscriber_count_as_unknown_not_zero(youtube, youtube_api):
    youtube_api.get("/channels").mock(return_value=replay("youtube/channels_list"))

    tom = youtube.fetch_accounts([TOM]).accounts[TOM]

    assert tom.followers is None
    assert tom.followers_hidden is True
    assert tom.total_views == 902114
    assert tom.country is None


def test_it_reports_ids_missing_from_the_reply_as_not_found_instead_of_zeroing_them(
    youtube, youtube_api
):
    youtube_api.get("/channels").mock(return_value=replay("youtube/channels_list"))

    batch = youtube.fetch_accounts([LENA, TOM, GONE])

    assert set(batch.accounts) == {LENA, TOM}
    assert batch.not_found == {GONE}


def test_it_batches_fifty_channel_ids_per_call(youtube, youtube_api):
    route = youtube_api.get("/channels").mock(side_effect=channels_for_requested_ids)
    ids = channel_ids(50)

    batch = youtube.fetch_accounts(ids)

    assert route.call_count == 1
    assert route.calls.last.request.url.params["id"] == ",".join(ids)
    assert len(batch.accounts) == 50 and not batch.not_found
    assert youtube.last_usage.quota_units == 1


def test_it_splits_120_channel_ids_into_three_calls(youtube, youtube_api):
    route = youtube_api.get("/channels").mock(side_effect=channels_for_requested_ids)
    ids = channel_ids(120)

    batch = youtube.fetch_accounts(ids)

    sent = [call.request.url.params["id"].split(",") for call in route.calls]
    assert [len(chunk) for chunk in sent] == [50, 50, 20]
    assert sum(sent, []) == ids
    assert len(batch.accounts) == 120
    assert youtube.last_usage.quota_units == 3
    assert youtube.last_usage.requests == 3


def test_it_sends_each_duplicate_id_only_once(youtube, youtube_api):
    route = youtube_api.get("/channels").mock(side_effect=channels_for_requested_ids)

    youtube.fetch_accounts([LENA, LENA, AccountRef("youtube", LENA, None, "")])

    assert route.calls.last.request.url.params["id"] == LENA


# -- resolving handles and URLs --------------------------------------------


def test_it_resolves_a_handle_with_for_handle(youtube, youtube_api):
    route = youtube_api.get("/channels", params={"forHandle": "@lenabakes"}).mock(
        return_value=replay("youtube/channels_for_handle")
    )

    ref = youtube.resolve("@lenabakes")

    assert route.called
    assert ref == AccountRef(
        platform="youtube",
        external_id=LENA,
        handle="lenabakes",
        profile_url="https://www.youtube.com/@lenabakes",
        uploads_playlist_id=LENA_UPLOADS,
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://www.youtube.com/@lenabakes", ("handle", "@lenabakes")),
        ("youtube.com/@lenabakes/videos", ("handle", "@lenabakes")),
        ("https://m.youtube.com/@lena.bakes-2?si=abc", ("handle", "@lena.bakes-2")),
        (f"https://www.youtube.com/channel/{LENA}", ("id", LENA)),
        (f"http://youtube.com/channel/{LENA}/featured", ("id", LENA)),
        ("https://www.youtube.com/c/LenaBakes", ("handle", "@LenaBakes")),
        ("https://www.youtube.com/user/lenabakes2009", ("username", "lenabakes2009")),
        ("https://www.youtube.com/LenaBakes", ("handle", "@LenaBakes")),
        (LENA, ("id", LENA)),
        ("@lenabakes", ("handle", "@lenabakes")),
        ("lenabakes", ("handle", "@lenabakes")),
        ("  @lenabakes  ", ("handle", "@lenabakes")),
    ],
)
def test_it_parses_channel_urls_handles_and_ids(given, expected):
    assert parse_channel_reference(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        "",
        "https://www.youtube.com/watch?v=kX3mQ9pLw0A",
        "https://www.youtube.com/",
        "https://vimeo.com/@lenabakes",
        "https://www.youtube.com/channel/not-a-channel-id",
        "lena bakes",
    ],
)
def test_it_rejects_what_is_not_a_channel(given):
    with pytest.raises(InvalidHandle):
        parse_channel_reference(given)


@pytest.mark.parametrize(
    ("url", "param", "value"),
    [
        (f"https://www.youtube.com/channel/{LENA}", "id", LENA),
        ("https://www.youtube.com/c/LenaBakes", "forHandle", "@LenaBakes"),
        ("https://www.youtube.com/user/lenabakes2009", "forUsername", "lenabakes2009"),
    ],
)
def test_it_resolves_each_url_form_with_the_matching_parameter(
    youtube, youtube_api, url, param, value
):
    route = youtube_api.get("/channels", params={param: value}).mock(
        return_value=replay("youtube/channels_for_handle")
    )

    assert youtube.resolve(url).external_id == LENA
    assert route.call_count == 1


def test_it_raises_not_found_when_no_channel_has_that_handle(youtube, youtube_api):
    youtube_api.get("/channels").mock(return_value=replay("youtube/channels_empty"))

    with pytest.raises(NotFound, match="@nobodyhere"):
        youtube.resolve("@nobodyhere")


# -- videos -----------------------------------------------------------------


def test_it_fetches_recent_videos_through_the_uploads_playlist(youtube, youtube_api):
    playlist = youtube_api.get("/playlistItems").mock(return_value=replay("youtube/playlist_items"))
    videos = youtube_api.get("/videos").mock(return_value=replay("youtube/videos_list"))
    ref = AccountRef("youtube", LENA, "lenabakes", "", uploads_playlist_id=LENA_UPLOADS)

    posts = youtube.fetch_recent_posts(ref, limit=3)

    assert playlist.call_count == 1
    assert playlist.calls.last.request.url.params["playlistId"] == LENA_UPLOADS
    assert playlist.calls.last.request.url.params["maxResults"] == "3"
    assert videos.calls.last.request.url.params["id"] == ",".join(VIDEOS)
    assert [post.external_id for post in posts] == VIDEOS
    assert youtube.last_usage.quota_units == 2


def test_it_pages_through_the_uploads_playlist_for_more_than_fifty_videos(youtube, youtube_api):
    template = body_of("youtube/playlist_items")

    def page(request: httpx.Request) -> httpx.Response:
        start = 50 if request.url.params.get("pageToken") == "PAGE2" else 0
        size = int(request.url.params["maxResults"])
        body = copy.deepcopy(template)
        body["items"] = [
            {"contentDetails": {"videoId": f"vid{i:08d}"}} for i in range(start, start + size)
        ]
        body["nextPageToken"] = "PAGE2"
        return httpx.Response(200, json=body)

    playlist = youtube_api.get("/playlistItems").mock(side_effect=page)
    videos = youtube_api.get("/videos").mock(side_effect=videos_for_requested_ids)
    ref = AccountRef("youtube", LENA, None, "", uploads_playlist_id=LENA_UPLOADS)

    posts = youtube.fetch_recent_posts(ref, limit=60)

    sent = [
        (c.request.url.params["maxResults"], c.request.url.params.get("pageToken"))
        for c in playlist.calls
    ]
    assert sent == [("50", None), ("10", "PAGE2")]
    assert videos.call_count == 2
    assert [post.external_id for post in posts] == [f"vid{i:08d}" for i in range(60)]


def test_it_looks_up_the_uploads_playlist_when_only_a_channel_id_is_known(youtube, youtube_api):
    channels = youtube_api.get("/channels").mock(return_value=replay("youtube/channels_list"))
    youtube_api.get("/playlistItems").mock(return_value=replay("youtube/playlist_items"))
    youtube_api.get("/videos").mock(return_value=replay("youtube/videos_list"))

    posts = youtube.fetch_recent_posts(LENA, limit=2)

    assert channels.calls.last.request.url.params["id"] == LENA
    assert [post.external_id for post in posts] == VIDEOS[:2]
    assert youtube.last_usage.quota_units == 3


def test_it_classifies_videos_of_sixty_seconds_or_less_as_shorts(youtube, youtube_api):
    youtube_api.get("/videos").mock(return_value=replay("youtube/videos_list"))

    short, long_video, _ = youtube.fetch_posts(VIDEOS)

    assert short.format == "short"
    assert short.duration_seconds == 42
    assert short.url == f"https://www.youtube.com/shorts/{VIDEOS[0]}"
    assert long_video.format == "video"
    assert long_video.duration_seconds == 14 * 60 + 7
    assert long_video.url == f"https://www.youtube.com/watch?v={VIDEOS[1]}"
    assert long_video.published_at == datetime(2026, 11, 15, 16, 0, 2, tzinfo=UTC)
    assert (long_video.views, long_video.likes, long_video.comments) == (52013, 2208, 183)
    assert long_video.caption.startswith("The only sourdough guide")


def test_it_leaves_missing_like_and_comment_counts_unknown(youtube, youtube_api):
    youtube_api.get("/videos").mock(return_value=replay("youtube/videos_list"))

    hidden = youtube.fetch_posts([VIDEOS[2]])[0]

    assert hidden.views == 9120
    assert hidden.likes is None
    assert hidden.likes_hidden is True
    assert hidden.comments is None


def test_it_fetches_video_stats_fifty_ids_per_call_and_skips_unknown_ids(youtube, youtube_api):
    route = youtube_api.get("/videos").mock(side_effect=videos_for_requested_ids)
    ids = [f"vid{i:08d}" for i in range(75)]

    posts = youtube.fetch_posts(ids)

    assert [len(c.request.url.params["id"].split(",")) for c in route.calls] == [50, 25]
    assert [post.external_id for post in posts] == ids


def test_it_raises_not_found_for_a_missing_uploads_playlist(youtube, youtube_api):
    youtube_api.get("/playlistItems").mock(return_value=replay("youtube/error_playlist_not_found"))
    ref = AccountRef("youtube", LENA, None, "", uploads_playlist_id=LENA_UPLOADS)

    with pytest.raises(NotFound):
        youtube.fetch_recent_posts(ref)


# -- errors -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "reset_at"),
    [
        # Standard time (PST, UTC-8): 12:00 UTC is 04:00 in California.
        (datetime(2026, 1, 15, 12, 0, tzinfo=UTC), datetime(2026, 1, 16, 8, 0, tzinfo=UTC)),
        # Daylight time (PDT, UTC-7).
        (datetime(2026, 7, 1, 6, 59, tzinfo=UTC), datetime(2026, 7, 1, 7, 0, tzinfo=UTC)),
        # Still the previous Pacific day although it is already the 8th in UTC.
        (datetime(2026, 3, 8, 7, 30, tzinfo=UTC), datetime(2026, 3, 8, 8, 0, tzinfo=UTC)),
        # Clocks sprang forward at 10:00 UTC on 8 March 2026: the next midnight is PDT.
        (datetime(2026, 3, 8, 10, 0, tzinfo=UTC), datetime(2026, 3, 9, 7, 0, tzinfo=UTC)),
        # Clocks fell back on 1 November 2026: the next midnight is PST again.
        (datetime(2026, 11, 1, 12, 0, tzinfo=UTC), datetime(2026, 11, 2, 8, 0, tzinfo=UTC)),
    ],
)
def test_quota_exceeded_resets_at_the_next_pacific_midnight(youtube_api, now, reset_at):
    youtube_api.get("/channels").mock(return_value=replay("youtube/error_quota_exceeded"))
    client = YouTubeClient(
        YT_KEY, transport=httpx.MockTransport(youtube_api.handler), clock=lambda: now
    )

    with pytest.raises(QuotaExceeded) as caught:
        client.fetch_accounts([LENA])

    assert caught.value.reset_at == reset_at
    assert caught.value.reset_at.utcoffset() is not None
    assert caught.value.retryable is False
    assert caught.value.code == "quotaExceeded"
    assert next_pacific_midnight(now) == reset_at


@pytest.mark.parametrize(
    "recording",
    [
        "youtube/error_key_invalid",
        "youtube/error_api_key_invalid",
        "youtube/error_access_not_configured",
    ],
)
def test_a_rejected_api_key_is_an_auth_error(youtube, youtube_api, recording):
    youtube_api.get("/channels").mock(return_value=replay(recording))

    with pytest.raises(AuthError) as caught:
        youtube.fetch_accounts([LENA])

    assert caught.value.retryable is False
    assert caught.value.code in {"keyInvalid", "API_KEY_INVALID", "accessNotConfigured"}
    assert YT_KEY not in str(caught.value)


def test_rate_limit_exceeded_is_retryable(youtube, youtube_api):
    youtube_api.get("/channels").mock(
        return_value=replay("youtube/error_rate_limit_exceeded", headers={"Retry-After": "30"})
    )

    with pytest.raises(RateLimited) as caught:
        youtube.fetch_accounts([LENA])

    assert caught.value.retryable is True
    assert caught.value.retry_after_seconds == 30


def test_an_unrecognised_400_is_our_bug(youtube, youtube_api):
    youtube_api.get("/channels").mock(
        return_value=httpx.Response(
            400,
            json={
                "error": {
                    "code": 400,
                    "message": "Invalid value",
                    "errors": [{"reason": "invalidParameter", "domain": "youtube.parameter"}],
                }
            },
        )
    )

    with pytest.raises(InvalidRequest, match="Invalid value"):
        youtube.fetch_accounts([LENA])


def test_it_charges_one_quota_unit_per_call_including_failed_calls(youtube, youtube_api, usage_log):
    youtube_api.get("/channels").mock(
        side_effect=[replay("youtube/channels_list"), replay("youtube/error_quota_exceeded")]
    )

    youtube.fetch_accounts([LENA])
    with pytest.raises(QuotaExceeded):
        youtube.fetch_accounts([TOM])

    assert [usage.quota_units for usage in usage_log] == [1, 1]
    assert youtube.last_usage.quota_units == 1


def test_the_base_url_is_a_setting(youtube_api):
    proxy = httpx.MockTransport(
        lambda request: (
            replay("youtube/channels_for_handle")
            if request.url.host == "yt-proxy.internal"
            else httpx.Response(599)
        )
    )
    client = YouTubeClient(YT_KEY, base_url="http://yt-proxy.internal/youtube/v3/", transport=proxy)

    assert client.resolve("@lenabakes").external_id == LENA
