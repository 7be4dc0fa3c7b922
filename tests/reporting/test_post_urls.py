"""Published-post URLs for the three platforms (pure: no database)."""

import pytest

from apps.reporting.post_urls import PostUrlError, parse_post_url, shortcode_of_permalink

VIDEO = "dQw4w9WgXcQ"


@pytest.mark.parametrize(
    ("url", "platform", "post_id", "canonical"),
    [
        # Instagram
        (
            "https://www.instagram.com/p/DCb9x8y7z6W/",
            "instagram",
            "DCb9x8y7z6W",
            "https://www.instagram.com/p/DCb9x8y7z6W/",
        ),
        (
            "https://instagram.com/p/DCb9x8y7z6W",
            "instagram",
            "DCb9x8y7z6W",
            "https://www.instagram.com/p/DCb9x8y7z6W/",
        ),
        (
            "instagram.com/reel/DCa1b2c3d4E/?igsh=MWx2Zm",
            "instagram",
            "DCa1b2c3d4E",
            "https://www.instagram.com/reel/DCa1b2c3d4E/",
        ),
        (
            "https://www.instagram.com/reels/DCa1b2c3d4E/",
            "instagram",
            "DCa1b2c3d4E",
            "https://www.instagram.com/reel/DCa1b2c3d4E/",
        ),
        (
            "https://www.instagram.com/tv/B_x-1yZ2abc/",
            "instagram",
            "B_x-1yZ2abc",
            "https://www.instagram.com/tv/B_x-1yZ2abc/",
        ),
        (
            "https://m.instagram.com/lenabakes/p/DCb9x8y7z6W/",
            "instagram",
            "DCb9x8y7z6W",
            "https://www.instagram.com/p/DCb9x8y7z6W/",
        ),
        (
            "  HTTPS://WWW.INSTAGRAM.COM/p/DCb9x8y7z6W/#comments ",
            "instagram",
            "DCb9x8y7z6W",
            "https://www.instagram.com/p/DCb9x8y7z6W/",
        ),
        # TikTok
        (
            "https://www.tiktok.com/@lena.bakes/video/7301234567890123456",
            "tiktok",
            "7301234567890123456",
            "https://www.tiktok.com/@lena.bakes/video/7301234567890123456",
        ),
        (
            "https://m.tiktok.com/@lena_bakes/video/7301234567890123456?is_from_webapp=1&lang=en",
            "tiktok",
            "7301234567890123456",
            "https://www.tiktok.com/@lena_bakes/video/7301234567890123456",
        ),
        (
            "tiktok.com/@lena/photo/7301234567890123456",
            "tiktok",
            "7301234567890123456",
            "https://www.tiktok.com/@lena/photo/7301234567890123456",
        ),
        # YouTube
        (
            f"https://www.youtube.com/watch?v={VIDEO}",
            "youtube",
            VIDEO,
            f"https://www.youtube.com/watch?v={VIDEO}",
        ),
        (
            f"https://youtube.com/watch?feature=share&v={VIDEO}&t=42s",
            "youtube",
            VIDEO,
            f"https://www.youtube.com/watch?v={VIDEO}",
        ),
        (
            f"https://m.youtube.com/watch?v={VIDEO}",
            "youtube",
            VIDEO,
            f"https://www.youtube.com/watch?v={VIDEO}",
        ),
        (
            f"https://youtu.be/{VIDEO}?si=abc",
            "youtube",
            VIDEO,
            f"https://www.youtube.com/watch?v={VIDEO}",
        ),
        (f"youtu.be/{VIDEO}", "youtube", VIDEO, f"https://www.youtube.com/watch?v={VIDEO}"),
        (
            f"https://www.youtube.com/shorts/{VIDEO}",
            "youtube",
            VIDEO,
            f"https://www.youtube.com/shorts/{VIDEO}",
        ),
        (
            f"https://www.youtube.com/live/{VIDEO}?feature=shared",
            "youtube",
            VIDEO,
            f"https://www.youtube.com/watch?v={VIDEO}",
        ),
        (
            f"http://www.youtube.com/embed/{VIDEO}",
            "youtube",
            VIDEO,
            f"https://www.youtube.com/watch?v={VIDEO}",
        ),
    ],
)
def test_it_parses_post_urls(url, platform, post_id, canonical):
    parsed = parse_post_url(url)
    assert (parsed.platform, parsed.platform_post_id, parsed.url) == (platform, post_id, canonical)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "Paste the post's link"),
        ("   ", "Paste the post's link"),
        ("hello world", "cannot contain spaces"),
        ("javascript:alert(1)", "Only http"),
        ("JavaScript://www.instagram.com/p/DCb9x8y7z6W/", "Only http"),
        ("data:text/html,<script>alert(1)</script>", "Only http"),
        ("ftp://www.instagram.com/p/DCb9x8y7z6W/", "Only http"),
        ("https://evil.example/www.instagram.com/p/DCb9x8y7z6W/", "Only links to Instagram"),
        ("https://instagram.com.evil.example/p/DCb9x8y7z6W/", "Only links to Instagram"),
        ("https://www.instagram.com@evil.example/p/DCb9x8y7z6W/", "not a valid link"),
        ("https://user:pw@www.instagram.com/p/DCb9x8y7z6W/", "not a valid link"),
        ("https://www.facebook.com/watch?v=123", "Only links to Instagram"),
        ("https://www.instagram.com/lenabakes/", "does not point at a post"),
        ("https://www.instagram.com/p/", "does not point at a post"),
        ("https://www.instagram.com/p/<script>/", "does not point at a post"),
        ("https://www.instagram.com/stories/lenabakes/3300000000/", "stories"),
        ("https://www.instagram.com/share/reel/BAabcdEFG", "share links"),
        ("https://vm.tiktok.com/ZMabc123/", "paste the full link"),
        ("https://vt.tiktok.com/ZSabc123/", "paste the full link"),
        ("https://www.tiktok.com/t/ZTRabc123/", "paste the full link"),
        ("https://www.tiktok.com/@lena", "does not point at a video"),
        ("https://www.tiktok.com/@lena/video/not-a-number", "does not point at a video"),
        ("https://www.youtube.com/@lenabakes", "does not point at a video"),
        ("https://www.youtube.com/watch?v=short", "no valid video id"),
        ("https://www.youtube.com/watch", "no valid video id"),
        ("https://www.youtube.com/playlist?list=PL123", "does not point at a video"),
        ("https://youtu.be/", "No video"),
        ("https://www.instagram.com/p/" + "a" * 600, "longer than 500"),
        ("http://[::1", "not a valid link"),
    ],
)
def test_it_refuses_what_is_not_a_post_url(url, message):
    with pytest.raises(PostUrlError, match=message):
        parse_post_url(url)


def test_it_reads_the_shortcode_of_an_api_permalink():
    assert shortcode_of_permalink("https://www.instagram.com/reel/DCa1b2c3d4E/") == "DCa1b2c3d4E"
    assert shortcode_of_permalink(None) is None
    assert shortcode_of_permalink("https://example.com/") is None
