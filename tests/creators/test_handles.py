import pytest

from apps.creators.handles import (
    InvalidHandle,
    InvalidPostUrl,
    Platform,
    PostRef,
    ProfileRef,
    normalise_handle,
    parse_platform,
    parse_post_url,
    parse_profile,
)

CHANNEL_ID = "UC_x5XG1OV2P6uZZ5FSM9Ttw"


# --- Platform -----------------------------------------------------------------


def test_platform_is_a_string_enum():
    assert Platform("instagram") is Platform.INSTAGRAM
    assert Platform.TIKTOK == "tiktok"
    assert f"{Platform.YOUTUBE}" == "youtube"
    assert [p.label for p in Platform] == ["Instagram", "TikTok", "YouTube"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("instagram", Platform.INSTAGRAM),
        (" Instagram ", Platform.INSTAGRAM),
        ("TikTok", Platform.TIKTOK),
        ("YOUTUBE", Platform.YOUTUBE),
        ("yt", Platform.YOUTUBE),
        (Platform.TIKTOK, Platform.TIKTOK),
    ],
)
def test_platform_is_read_from_text_in_any_case(text, expected):
    assert parse_platform(text) is expected


def test_unknown_platform_is_rejected():
    with pytest.raises(InvalidHandle, match="'myspace' is not a supported platform"):
        parse_platform("myspace")


# --- profiles: accepted forms -----------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "https://www.instagram.com/jane.doe/?hl=en",
        "https://www.instagram.com/jane.doe/",
        "https://www.instagram.com/jane.doe",
        "http://instagram.com/jane.doe",
        "instagram.com/jane.doe",
        "www.instagram.com/jane.doe/",
        "m.instagram.com/jane.doe",
        "https://www.instagram.com/Jane.Doe/#top",
        "  https://www.instagram.com/jane.doe/  ",
        "https://www.instagram.com/jane.doe/reels/",
        "//www.instagram.com/jane.doe",
        "HTTPS://WWW.INSTAGRAM.COM/jane.doe",
    ],
)
def test_it_reads_instagram_profile_urls(value):
    assert parse_profile(value) == ProfileRef(
        Platform.INSTAGRAM, "jane.doe", "https://www.instagram.com/jane.doe/"
    )


@pytest.mark.parametrize(
    "value",
    [
        "https://www.tiktok.com/@jane_doe",
        "https://www.tiktok.com/@Jane_Doe?lang=en",
        "tiktok.com/@jane_doe/",
        "m.tiktok.com/@jane_doe",
        "https://www.tiktok.com/@jane_doe/live",
    ],
)
def test_it_reads_tiktok_profile_urls(value):
    assert parse_profile(value) == ProfileRef(
        Platform.TIKTOK, "jane_doe", "https://www.tiktok.com/@jane_doe"
    )


@pytest.mark.parametrize(
    "value",
    [
        "https://youtube.com/@JaneDoe",
        "https://www.youtube.com/@janedoe/videos",
        "m.youtube.com/@JaneDoe?feature=shared",
        "youtube.com/@JaneDoe/",
    ],
)
def test_it_reads_youtube_handle_urls_case_insensitively(value):
    assert parse_profile(value) == ProfileRef(
        Platform.YOUTUBE, "janedoe", "https://www.youtube.com/@janedoe"
    )


def test_it_reads_a_youtube_channel_url_with_the_channel_id_standing_in_for_the_handle():
    ref = parse_profile(f"https://www.youtube.com/channel/{CHANNEL_ID}/videos")

    assert ref == ProfileRef(
        Platform.YOUTUBE,
        handle=CHANNEL_ID,
        profile_url=f"https://www.youtube.com/channel/{CHANNEL_ID}",
        external_id=CHANNEL_ID,
    )


@pytest.mark.parametrize("kind", ["c", "user"])
def test_it_reads_legacy_youtube_c_and_user_urls(kind):
    ref = parse_profile(f"https://www.youtube.com/{kind}/JaneDoe/")

    assert ref == ProfileRef(Platform.YOUTUBE, "janedoe", f"https://www.youtube.com/{kind}/janedoe")


@pytest.mark.parametrize(
    ("value", "platform", "expected"),
    [
        ("@jane.doe", Platform.INSTAGRAM, "jane.doe"),
        ("jane.doe", "instagram", "jane.doe"),
        (" @Jane.Doe ", "Instagram", "jane.doe"),
        ("@Jane_Doe", Platform.TIKTOK, "jane_doe"),
        ("jane_doe", "tiktok", "jane_doe"),
        ("@JaneDoe", Platform.YOUTUBE, "janedoe"),
        ("Jane-Doe.TV", "youtube", "jane-doe.tv"),
    ],
)
def test_it_reads_bare_handles_when_the_platform_is_given(value, platform, expected):
    ref = parse_profile(value, platform)

    assert ref.platform == Platform(parse_platform(platform))
    assert ref.handle == expected
    assert ref.external_id == ""


def test_a_bare_handle_gets_the_canonical_profile_url():
    assert parse_profile("@jane", "instagram").profile_url == "https://www.instagram.com/jane/"
    assert parse_profile("@jane", "tiktok").profile_url == "https://www.tiktok.com/@jane"
    assert parse_profile("@jane", "youtube").profile_url == "https://www.youtube.com/@jane"


def test_a_url_matching_the_given_platform_is_accepted():
    ref = parse_profile("https://www.tiktok.com/@jane", Platform.TIKTOK)

    assert ref.handle == "jane"


def test_normalise_handle_strips_at_and_lowercases():
    assert normalise_handle(" @Jane.Doe ", "instagram") == "jane.doe"


# --- profiles: rejected -------------------------------------------------------------


def test_invalid_handle_is_a_value_error_with_a_message():
    with pytest.raises(ValueError) as excinfo:
        parse_profile("", "instagram")

    assert isinstance(excinfo.value, InvalidHandle)
    assert excinfo.value.message == "Enter a handle or a profile URL"


@pytest.mark.parametrize(
    "value",
    [
        "https://www.facebook.com/jane.doe",
        "twitter.com/jane",
        "https://instagram.com.evil.example/jane",
        "https://evil.example/instagram.com/jane",
        "https://instagram.com@evil.example/jane",
        "ftp://instagram.com/jane",
        "javascript://instagram.com/%0aalert(1)",
    ],
)
def test_it_rejects_urls_of_other_sites(value):
    with pytest.raises(InvalidHandle, match="^Not an Instagram, TikTok or YouTube profile URL$"):
        parse_profile(value)


def test_it_needs_a_platform_for_a_bare_handle():
    with pytest.raises(InvalidHandle, match="Choose the platform"):
        parse_profile("@jane")


def test_it_rejects_a_url_of_another_platform_than_the_one_given():
    with pytest.raises(InvalidHandle, match="This is a TikTok URL, but the platform is Instagram"):
        parse_profile("https://www.tiktok.com/@jane", "instagram")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("https://www.instagram.com/p/C1a2b3c4d5e/", "link to an Instagram post, not a profile"),
        ("https://www.instagram.com/reel/C1a2b3c4d5e/", "link to an Instagram post, not a profile"),
        ("instagram.com/tv/C1a2b3c4d5e", "link to an Instagram post, not a profile"),
        ("instagram.com/jane.doe/p/C1a2b3c4d5e/", "link to an Instagram post, not a profile"),
        ("https://www.tiktok.com/@jane/video/7234567890123456789", "link to a TikTok video"),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "link to a YouTube video"),
        ("https://youtu.be/dQw4w9WgXcQ", "link to a YouTube video"),
        ("https://www.youtube.com/shorts/dQw4w9WgXcQ", "link to a YouTube video"),
    ],
)
def test_it_rejects_post_urls_given_as_profiles(value, message):
    with pytest.raises(InvalidHandle, match=message):
        parse_profile(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("https://www.instagram.com/", "This Instagram URL has no handle in it"),
        ("instagram.com", "This Instagram URL has no handle in it"),
        ("https://www.tiktok.com/", "This TikTok URL has no handle in it"),
        ("https://www.youtube.com", "This YouTube URL has no channel in it"),
    ],
)
def test_it_rejects_urls_without_a_handle(value, message):
    with pytest.raises(InvalidHandle, match=message):
        parse_profile(value)


def test_it_rejects_instagram_pages_that_are_not_profiles():
    with pytest.raises(InvalidHandle, match="Not an Instagram profile URL"):
        parse_profile("https://www.instagram.com/explore/tags/food/")


def test_it_rejects_tiktok_urls_without_an_at_handle():
    with pytest.raises(InvalidHandle, match="Not a TikTok profile URL"):
        parse_profile("https://www.tiktok.com/discover/food")


@pytest.mark.parametrize(
    "value", ["https://vm.tiktok.com/ZMabc123/", "https://www.tiktok.com/t/ZT8abc/"]
)
def test_it_rejects_tiktok_short_links_with_a_hint(value):
    with pytest.raises(InvalidHandle, match="TikTok short links can't be read"):
        parse_profile(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("https://www.youtube.com/channel/UCxxxx", "YouTube channel ids start with UC"),
        ("https://www.youtube.com/channel/", "YouTube channel ids start with UC"),
        ("https://www.youtube.com/c/", "no valid channel name"),
        ("https://www.youtube.com/playlist?list=PL123", "YouTube playlist, not a channel"),
        ("https://www.youtube.com/feed/trending", "Not a YouTube channel URL"),
    ],
)
def test_it_rejects_youtube_urls_that_are_not_channels(value, message):
    with pytest.raises(InvalidHandle, match=message):
        parse_profile(value)


@pytest.mark.parametrize(
    ("value", "platform", "message"),
    [
        (
            "jane-doe",
            "instagram",
            "Instagram handles can only contain letters, numbers, periods and underscores",
        ),
        (
            "https://www.instagram.com/jane%20doe/",
            None,
            "Instagram handles can only contain letters, numbers, periods and underscores",
        ),
        (
            "jane-doe",
            "tiktok",
            "TikTok handles can only contain letters, numbers, underscores and periods",
        ),
        (
            "jane doe",
            "youtube",
            "YouTube handles can only contain letters, numbers, underscores, hyphens and periods",
        ),
        ("jané", "instagram", "Instagram handles can only contain"),
        ("@", "instagram", "The Instagram handle is empty"),
        ("https://www.tiktok.com/@", None, "The TikTok handle is empty"),
    ],
)
def test_it_rejects_handles_with_characters_the_platform_does_not_allow(value, platform, message):
    with pytest.raises(InvalidHandle, match=message):
        parse_profile(value, platform)


@pytest.mark.parametrize(
    ("platform", "shortest", "longest", "message"),
    [
        ("instagram", 1, 30, "Instagram handles can be at most 30 characters"),
        ("tiktok", 2, 24, "TikTok handles must be 2–24 characters long"),
        ("youtube", 3, 30, "YouTube handles must be 3–30 characters long"),
    ],
)
def test_handle_length_limits_per_platform(platform, shortest, longest, message):
    assert parse_profile("a" * shortest, platform).handle == "a" * shortest
    assert parse_profile("a" * longest, platform).handle == "a" * longest
    with pytest.raises(InvalidHandle, match=message):
        parse_profile("a" * (longest + 1), platform)
    if shortest > 1:
        with pytest.raises(InvalidHandle, match=message):
            parse_profile("a" * (shortest - 1), platform)


# --- posts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://www.instagram.com/p/C1a2b3c4d5e/",
            PostRef(Platform.INSTAGRAM, "C1a2b3c4d5e", "https://www.instagram.com/p/C1a2b3c4d5e/"),
        ),
        (
            "instagram.com/p/C1a2b3c4d5e?igsh=abc",
            PostRef(Platform.INSTAGRAM, "C1a2b3c4d5e", "https://www.instagram.com/p/C1a2b3c4d5e/"),
        ),
        (
            "https://www.instagram.com/reel/C1a2b3c4d5e/",
            PostRef(
                Platform.INSTAGRAM, "C1a2b3c4d5e", "https://www.instagram.com/reel/C1a2b3c4d5e/"
            ),
        ),
        (
            "https://www.instagram.com/reels/C1a2b3c4d5e/",
            PostRef(
                Platform.INSTAGRAM, "C1a2b3c4d5e", "https://www.instagram.com/reel/C1a2b3c4d5e/"
            ),
        ),
        (
            "https://www.instagram.com/tv/C1a2b3c4d5e",
            PostRef(Platform.INSTAGRAM, "C1a2b3c4d5e", "https://www.instagram.com/tv/C1a2b3c4d5e/"),
        ),
        (
            "https://www.instagram.com/jane.doe/p/C1a2b3c4d5e/",
            PostRef(Platform.INSTAGRAM, "C1a2b3c4d5e", "https://www.instagram.com/p/C1a2b3c4d5e/"),
        ),
        (
            "https://www.tiktok.com/@Jane_Doe/video/7234567890123456789?is_from_webapp=1",
            PostRef(
                Platform.TIKTOK,
                "7234567890123456789",
                "https://www.tiktok.com/@jane_doe/video/7234567890123456789",
            ),
        ),
        (
            "m.tiktok.com/@jane_doe/video/7234567890123456789",
            PostRef(
                Platform.TIKTOK,
                "7234567890123456789",
                "https://www.tiktok.com/@jane_doe/video/7234567890123456789",
            ),
        ),
        (
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            PostRef(Platform.YOUTUBE, "dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ),
        (
            "https://m.youtube.com/watch?feature=share&v=dQw4w9WgXcQ&t=42s",
            PostRef(Platform.YOUTUBE, "dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ),
        (
            "https://youtu.be/dQw4w9WgXcQ?si=abc",
            PostRef(Platform.YOUTUBE, "dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ),
        (
            "youtube.com/shorts/dQw4w9WgXcQ",
            PostRef(Platform.YOUTUBE, "dQw4w9WgXcQ", "https://www.youtube.com/shorts/dQw4w9WgXcQ"),
        ),
        (
            "https://www.youtube.com/live/dQw4w9WgXcQ?feature=share",
            PostRef(Platform.YOUTUBE, "dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ),
    ],
)
def test_it_reads_post_urls(url, expected):
    assert parse_post_url(url) == expected


def test_instagram_post_codes_keep_their_case():
    assert parse_post_url("https://www.instagram.com/p/AbCdEfGhIjK/").post_id == "AbCdEfGhIjK"


def test_invalid_post_url_is_a_value_error_with_a_message():
    with pytest.raises(ValueError) as excinfo:
        parse_post_url("  ")

    assert isinstance(excinfo.value, InvalidPostUrl)
    assert excinfo.value.message == "Enter the URL of a post"


@pytest.mark.parametrize(
    "url", ["hello", "https://www.facebook.com/jane/posts/1", "https://vimeo.com/123456"]
)
def test_it_rejects_post_urls_of_other_sites(url):
    with pytest.raises(InvalidPostUrl, match="^Not an Instagram, TikTok or YouTube post URL$"):
        parse_post_url(url)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://www.instagram.com/jane.doe/", "This Instagram URL is not a post"),
        ("https://www.instagram.com/p/", "no valid post code"),
        ("https://www.tiktok.com/@jane_doe", "This TikTok URL is not a video"),
        ("https://www.tiktok.com/@jane_doe/video/abc", "no valid video id"),
        ("https://vm.tiktok.com/ZMabc123/", "TikTok short links can't be read"),
        ("https://www.youtube.com/@janedoe", "This YouTube URL is not a video"),
        (f"https://www.youtube.com/channel/{CHANNEL_ID}", "This YouTube URL is not a video"),
        ("https://www.youtube.com/watch?list=PL123", "no valid video id"),
        ("https://youtu.be/", "no valid video id"),
        ("https://www.youtube.com/watch?v=short", "no valid video id"),
    ],
)
def test_it_rejects_urls_that_are_not_posts(url, message):
    with pytest.raises(InvalidPostUrl, match=message):
        parse_post_url(url)
