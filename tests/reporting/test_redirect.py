"""The public short redirect /r/<code>: counts, filters, and never sends anyone elsewhere."""

import datetime as dt
import random
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from apps.reporting.models import LinkClick, TrackedLink
from tests.factories import TrackedLinkFactory

BROWSER = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 Instagram 330.0.0.0"
)


def _ip() -> str:
    # Each test its own address: the rate limit counts per IP in the shared Redis.
    return f"198.{random.randint(18, 19)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


@pytest.fixture
def visitor() -> Client:
    return Client(REMOTE_ADDR=_ip(), HTTP_USER_AGENT=BROWSER)


@pytest.fixture
def link(db) -> TrackedLink:
    return TrackedLinkFactory(
        code="Ab3-x_9Z",
        destination_url="https://shop.example.com/summer?ref=ig",
        utm_source="instagram",
        utm_medium="influencer",
        utm_campaign="summer-launch",
        utm_content="jane",
    )


def _clicks(link) -> list[tuple[bool, str]]:
    return list(
        LinkClick.objects.filter(link=link).order_by("id").values_list("counted", "ignored")
    )


def test_it_redirects_to_the_destination_with_utm_and_counts_the_click(visitor, link):
    response = visitor.get("/r/Ab3-x_9Z", HTTP_REFERER="https://l.instagram.com/?u=abc")
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert (target.scheme, target.netloc, target.path) == ("https", "shop.example.com", "/summer")
    assert parse_qsl(target.query) == [
        ("ref", "ig"),
        ("utm_source", "instagram"),
        ("utm_medium", "influencer"),
        ("utm_campaign", "summer-launch"),
        ("utm_content", "jane"),
    ]
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    link.refresh_from_db()
    assert link.click_count == 1
    click = LinkClick.objects.get(link=link)
    assert click.counted and click.ignored == ""
    assert click.referer_host == "l.instagram.com"
    assert click.campaign_id == link.campaign_id
    assert len(click.visitor_hash) == 64


def test_two_visitors_are_two_clicks(link):
    for _ in range(2):
        Client(REMOTE_ADDR=_ip(), HTTP_USER_AGENT=BROWSER).get("/r/Ab3-x_9Z")
    link.refresh_from_db()
    assert link.click_count == 2


def test_a_bot_is_recorded_but_not_counted(link):
    bot = Client(REMOTE_ADDR=_ip(), HTTP_USER_AGENT="facebookexternalhit/1.1")
    response = bot.get("/r/Ab3-x_9Z")
    assert response.status_code == 302  # previews still see where the link goes
    link.refresh_from_db()
    assert link.click_count == 0
    assert _clicks(link) == [(False, "bot")]


def test_a_repeat_within_the_window_is_not_counted_and_after_it_is(visitor, link, settings):
    settings.TRACKED_LINK_REPEAT_MINUTES = 30
    visitor.get("/r/Ab3-x_9Z")
    visitor.get("/r/Ab3-x_9Z")
    link.refresh_from_db()
    assert link.click_count == 1
    assert _clicks(link) == [(True, ""), (False, "repeat")]

    # Move the counted click 31 minutes into the past: the next click counts again.
    LinkClick.objects.filter(link=link).update(at=timezone.now() - dt.timedelta(minutes=31))
    visitor.get("/r/Ab3-x_9Z")
    link.refresh_from_db()
    assert link.click_count == 2
    assert _clicks(link)[-1] == (True, "")


def test_the_window_is_per_link(visitor, link):
    other = TrackedLinkFactory(campaign_creator=link.campaign_creator, code="Other123")
    visitor.get("/r/Ab3-x_9Z")
    visitor.get("/r/Other123")
    link.refresh_from_db()
    other.refresh_from_db()
    assert (link.click_count, other.click_count) == (1, 1)


def test_head_requests_are_not_counted(visitor, link):
    response = visitor.head("/r/Ab3-x_9Z")
    assert response.status_code == 302
    assert response["Location"].startswith("https://shop.example.com/summer")
    link.refresh_from_db()
    assert link.click_count == 0
    assert not LinkClick.objects.exists()


@pytest.mark.parametrize("path", ["/r/nope1234", "/r/", "/r/Ab3-x_9Z/", "/r/Ab3-x_9Z/evil"])
def test_unknown_codes_are_404_and_redirect_nowhere(visitor, link, path):
    response = visitor.get(path)
    assert response.status_code == 404
    assert "Location" not in response
    assert not LinkClick.objects.exists()


def test_an_archived_link_is_404(visitor, link):
    link.archived_at = timezone.now()
    link.save()
    response = visitor.get("/r/Ab3-x_9Z")
    assert response.status_code == 404
    assert "Location" not in response
    link.refresh_from_db()
    assert link.click_count == 0


def test_a_stored_destination_that_is_no_longer_safe_is_404(visitor, link):
    TrackedLink.objects.filter(pk=link.pk).update(destination_url="javascript:alert(1)")
    response = visitor.get("/r/Ab3-x_9Z")
    assert response.status_code == 404
    assert "Location" not in response


@pytest.mark.parametrize(
    "path",
    [
        "/r/Ab3-x_9Z?next=https://evil.test",
        "/r/Ab3-x_9Z?url=//evil.test&utm_source=evil",
        "/r/Ab3-x_9Z?destination=https%3A%2F%2Fevil.test%2F",
        "/r/Ab3-x_9Z?redirect_to=%2F%2Fevil.test",
        "/r/Ab3-x_9Z#https://evil.test",
        "/r/Ab3-x_9Z//evil.test",
        "/r/Ab3-x_9Z/%2F%2Fevil.test",
        "/r/Ab3-x_9Z%2F%2Fevil.test",
        "/r/Ab3-x_9Z%0d%0aLocation:%20https://evil.test",
        "/r//evil.test",
        "/r/%2F%2Fevil.test",
        "/r/https://evil.test",
        "/r/..%2F..%2Fevil.test",
    ],
)
def test_open_redirect_attempts_never_leave_the_stored_host(visitor, link, path):
    response = visitor.get(path, HTTP_HOST="127.0.0.1")
    location = response.get("Location", "")
    if response.status_code == 302:
        target = urlsplit(location)
        assert target.netloc == "shop.example.com"
        assert target.path == "/summer"
        assert "evil" not in location
    else:
        assert response.status_code == 404
        assert location == ""


def test_it_is_rate_limited_per_ip_with_a_429_page(link, settings, still_ratelimit_window):
    settings.TRACKED_LINK_RATE_LIMIT = "3/m"
    flooder = Client(REMOTE_ADDR=_ip(), HTTP_USER_AGENT=BROWSER)
    statuses = [flooder.get("/r/Ab3-x_9Z").status_code for _ in range(5)]
    assert statuses[:3] == [302, 302, 302]
    assert statuses[3:] == [429, 429]
    response = flooder.get("/r/Ab3-x_9Z")
    assert "Location" not in response
    assert response["Retry-After"] == "60"
    assert b"Too many requests" in response.content
    # Another address is not affected.
    assert Client(REMOTE_ADDR=_ip(), HTTP_USER_AGENT=BROWSER).get("/r/Ab3-x_9Z").status_code == 302
    link.refresh_from_db()
    assert link.click_count == 2  # the flooder counted once, then repeats; the other once


def test_the_redirect_takes_at_most_three_queries(visitor, link, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = visitor.get("/r/Ab3-x_9Z")
    assert response.status_code == 302
    with django_assert_max_num_queries(3):  # a repeat: lookup and insert
        visitor.get("/r/Ab3-x_9Z")
    link.refresh_from_db()
    assert link.click_count == 1


def test_signed_in_users_are_redirected_too(team, link):
    client = team.client_for(team.outsider)  # any workspace, or none: the link is public
    client.defaults.update(REMOTE_ADDR=_ip(), HTTP_USER_AGENT=BROWSER)
    assert client.get("/r/Ab3-x_9Z").status_code == 302
