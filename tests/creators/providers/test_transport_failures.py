"""Failures below the platforms' own error formats, checked for every client."""

import httpx
import pytest

from apps.creators.providers.base import ProviderClient, TransientError
from apps.creators.providers.instagram import InstagramClient
from apps.creators.providers.tiktok import TikTokClient
from apps.creators.providers.youtube import YouTubeClient

from .conftest import IG_TOKEN, IG_USER_ID, TT_TOKEN, YT_KEY, replay

LENA = "UCq3VnR8cKb2yXw5LenaBk7A"

# platform -> (client fixture, router fixture, HTTP method, path, one representative call)
CASES = {
    "youtube": ("youtube", "youtube_api", "GET", "/channels", lambda c: c.fetch_accounts([LENA])),
    "instagram": (
        "instagram",
        "graph_api",
        "GET",
        f"/v24.0/{IG_USER_ID}",
        lambda c: c.resolve("lenabakes"),
    ),
    "tiktok": ("tiktok", "tiktok_api", "GET", "/v2/user/info/", lambda c: c.fetch_user()),
}
SECRETS = [YT_KEY, IG_TOKEN, TT_TOKEN]


@pytest.fixture(params=sorted(CASES))
def target(request):
    client_name, router_name, method, path, call = CASES[request.param]
    client = request.getfixturevalue(client_name)
    route = request.getfixturevalue(router_name).route(method=method, path=path)
    return client, route, lambda: call(client)


def test_a_502_html_page_is_a_transient_error(target):
    client, route, call = target
    route.mock(return_value=replay("common/bad_gateway_502"))

    with pytest.raises(TransientError) as caught:
        call()

    message = str(caught.value)
    assert "HTML page instead of JSON" in message
    assert "502 Bad Gateway" in message
    assert "<html" not in message
    assert caught.value.status_code == 502
    assert caught.value.retryable is True
    assert not any(secret in message for secret in SECRETS)


def test_invalid_json_is_a_transient_error(target):
    client, route, call = target
    route.mock(return_value=replay("common/truncated_json"))

    with pytest.raises(TransientError, match="instead of JSON"):
        call()


def test_json_of_the_wrong_shape_is_a_transient_error(target):
    client, route, call = target
    route.mock(return_value=httpx.Response(200, json=["not", "an", "object"]))

    with pytest.raises(TransientError, match="unexpected shape"):
        call()


def test_a_timeout_is_a_transient_error_and_costs_no_quota(target):
    client, route, call = target
    route.mock(side_effect=httpx.ReadTimeout("The read operation timed out"))

    with pytest.raises(TransientError, match="timed out") as caught:
        call()

    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
    assert client.last_usage.requests == 1
    assert client.last_usage.quota_units == 0


def test_a_refused_connection_is_a_transient_error(target):
    client, route, call = target
    route.mock(side_effect=httpx.ConnectError("[Errno 111] Connection refused"))

    with pytest.raises(TransientError, match="ConnectError"):
        call()


def test_a_503_keeps_the_retry_after_delay(target):
    client, route, call = target
    route.mock(
        return_value=httpx.Response(
            503, headers={"Retry-After": "120", "content-type": "text/html"}, text="<p>busy</p>"
        )
    )

    with pytest.raises(TransientError) as caught:
        call()

    assert caught.value.retry_after_seconds == 120


@pytest.mark.parametrize(
    ("make_client", "batch_size"),
    [
        (lambda: YouTubeClient(YT_KEY), 50),
        (lambda: InstagramClient(IG_USER_ID, IG_TOKEN), 1),
        (lambda: TikTokClient(TT_TOKEN), 1),
    ],
    ids=["youtube", "instagram", "tiktok"],
)
def test_every_client_implements_the_provider_interface(make_client, batch_size):
    client = make_client()
    assert isinstance(client, ProviderClient)
    assert client.max_batch_size == batch_size
    assert client.last_usage.platform == client.platform
    client.close()


def test_a_client_passed_in_is_used_and_left_open(youtube_api):
    youtube_api.get("/channels").mock(return_value=replay("youtube/channels_for_handle"))
    shared = httpx.Client(transport=httpx.MockTransport(youtube_api.handler))

    with YouTubeClient(YT_KEY, http_client=shared) as client:
        assert client.resolve("@lenabakes").handle == "lenabakes"

    assert not shared.is_closed
    shared.close()
