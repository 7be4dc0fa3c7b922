"""Tracked links, the pure parts: codes, destinations, UTM parameters, bots, visitors."""

import datetime as dt
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.exceptions import ValidationError

from apps.accounts.client_ip import client_ip
from apps.reporting import links

BROWSER = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 Instagram 330.0.0.0"
)
UTM = {
    "utm_source": "instagram",
    "utm_medium": "influencer",
    "utm_campaign": "summer-launch",
    "utm_content": "jane.doe",
}


def test_codes_are_8_url_safe_characters_and_differ():
    codes = {links.code_generate() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert len(code) == links.CODE_LENGTH
        assert set(code) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_utm_merge_adds_the_parameters_and_keeps_the_others():
    url = links.utm_merge("https://shop.example.com/summer?ref=ig&size=M#reviews", UTM)
    parts = urlsplit(url)
    assert parts.netloc == "shop.example.com" and parts.path == "/summer"
    assert parts.fragment == "reviews"
    assert parse_qsl(parts.query) == [
        ("ref", "ig"),
        ("size", "M"),
        ("utm_source", "instagram"),
        ("utm_medium", "influencer"),
        ("utm_campaign", "summer-launch"),
        ("utm_content", "jane.doe"),
    ]


def test_utm_merge_never_duplicates_a_utm_already_in_the_destination():
    url = links.utm_merge("https://shop.example.com/?utm_source=newsletter&x=1", UTM)
    query = parse_qsl(urlsplit(url).query)
    assert [value for key, value in query if key == "utm_source"] == ["newsletter"]
    assert ("utm_medium", "influencer") in query
    assert len([k for k, _ in query if k == "utm_source"]) == 1


def test_utm_merge_keeps_existing_encoding_and_skips_blank_values():
    original = "https://shop.example.com/p?q=a%20b&empty="
    url = links.utm_merge(original, {"utm_source": "tiktok", "utm_medium": "", "utm_content": "  "})
    assert url == original + "&utm_source=tiktok"
    assert links.utm_merge(original, {}) == original


def test_utm_merge_encodes_values():
    url = links.utm_merge("https://shop.example.com/", {"utm_campaign": "Summer & Sun"})
    assert url == "https://shop.example.com/?utm_campaign=Summer+%26+Sun"


@pytest.mark.parametrize(
    "user_agent",
    [
        "Googlebot/2.1 (+http://www.google.com/bot.html)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "curl/8.5.0",
        "python-requests/2.32.3",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/126.0 Safari/537.36",
        "Mozilla/5.0 (compatible; bingpreview/2.0)",
        "Twitterbot/1.0",
        "WhatsApp/2.23.20.0 A",
        "Mozilla/5.0 (compatible; YandexSpider/3.0)",
        "",
    ],
)
def test_it_spots_bots_and_link_previews(user_agent):
    assert links.is_bot(user_agent)


@pytest.mark.parametrize(
    "user_agent",
    [
        BROWSER,
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0 Mobile Safari/537.36 [FBAN/EMA;FBLC/en_US]",
    ],
)
def test_people_in_browsers_are_not_bots(user_agent):
    assert not links.is_bot(user_agent)


@pytest.mark.parametrize(
    "url",
    [
        "https://shop.example.com/summer",
        "http://shop.example.com",
        "https://shop.example.com:8443/a?b=c#d",
        "https://xn--bcher-kva.example/",
    ],
)
def test_it_accepts_web_addresses(url):
    assert links.destination_clean(f"  {url} ") == url


@pytest.mark.parametrize(
    "url",
    [
        "",
        "javascript:alert(1)",
        "data:text/html,hi",
        "ftp://files.example.com/x",
        "//evil.test/",
        "/relative/path",
        "https://",
        "https://user:pass@shop.example.com/",
        "https://shop.example.com@evil.test/",
        "https://shop.example.com\\@evil.test/",
        "https://shop.example.com/a b",
        "https://shop.example.com/\x00",
        "https://shop.example.com/" + "a" * 1000,
    ],
)
def test_it_refuses_unsafe_destinations(url):
    with pytest.raises(ValidationError):
        links.destination_clean(url)
    assert not links.destination_is_safe(url)


def test_visitor_hash_is_stable_per_day_and_changes_with_the_day(settings):
    day = dt.date(2026, 11, 25)
    one = links.visitor_hash(ip="203.0.113.5", user_agent=BROWSER, day=day)
    assert one == links.visitor_hash(ip="203.0.113.5", user_agent=BROWSER, day=day)
    assert len(one) == 64 and "203.0.113.5" not in one
    assert one != links.visitor_hash(ip="203.0.113.6", user_agent=BROWSER, day=day)
    assert one != links.visitor_hash(ip="203.0.113.5", user_agent="other", day=day)
    assert one != links.visitor_hash(
        ip="203.0.113.5", user_agent=BROWSER, day=day + dt.timedelta(days=1)
    )
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert one != links.visitor_hash(ip="203.0.113.5", user_agent=BROWSER, day=day)


def test_client_ip_trusts_forwarded_for_only_behind_configured_proxies(settings, rf):
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9")
    settings.AXES_IPWARE_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.AXES_IPWARE_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_ip(request) == ""


def test_referer_host_keeps_only_the_host():
    assert links.referer_host("https://l.instagram.com/?u=secret&e=x") == "l.instagram.com"
    assert links.referer_host("") == ""
    assert links.referer_host("http://[::1") == ""
