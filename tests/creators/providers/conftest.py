"""Replay recorded replies at the HTTP layer (respx routers behind
``httpx.MockTransport``).  No Django needed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from apps.creators.providers.base import Usage
from apps.creators.providers.instagram import InstagramClient
from apps.creators.providers.tiktok import TikTokClient, TikTokOAuthClient
from apps.creators.providers.youtube import YouTubeClient

RECORDINGS = Path(__file__).parent / "recordings"
FIXED_NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

YOUTUBE_BASE = "https://www.googleapis.com/youtube/v3"
GRAPH_BASE = "https://graph.facebook.com"
TIKTOK_BASE = "https://open.tiktokapis.com"

YT_KEY = "AIzaSy-test-key-0000000000000000000"
IG_USER_ID = "17841400000000001"
IG_TOKEN = "EAAG-test-page-token"
TT_TOKEN = "act.test-user-token"


def load_recording(name: str) -> dict[str, Any]:
    return json.loads((RECORDINGS / f"{name}.json").read_text())


def replay(name: str, *, status: int | None = None, headers: dict | None = None) -> httpx.Response:
    """The recorded reply ``name`` (e.g. ``"youtube/channels_list"``) as an httpx.Response."""
    recording = load_recording(name)
    all_headers = {**recording.get("headers", {}), **(headers or {})}
    if "text" in recording:
        content = recording["text"].encode()
    else:
        content = json.dumps(recording["body"]).encode()
    return httpx.Response(status or recording["status"], headers=all_headers, content=content)


def body_of(name: str) -> Any:
    return load_recording(name)["body"]


def router(base_url: str) -> respx.Router:
    return respx.Router(base_url=base_url, assert_all_mocked=True, assert_all_called=False)


@pytest.fixture
def usage_log() -> list[Usage]:
    return []


@pytest.fixture
def youtube_api() -> respx.Router:
    return router(YOUTUBE_BASE)


@pytest.fixture
def youtube(youtube_api, usage_log):
    client = YouTubeClient(
        YT_KEY,
        transport=httpx.MockTransport(youtube_api.handler),
        usage_callback=usage_log.append,
        clock=lambda: FIXED_NOW,
    )
    yield client
    client.close()


@pytest.fixture
def graph_api() -> respx.Router:
    return router(GRAPH_BASE)


@pytest.fixture
def instagram(graph_api, usage_log):
    client = InstagramClient(
        IG_USER_ID,
        IG_TOKEN,
        api_version="v24.0",
        transport=httpx.MockTransport(graph_api.handler),
        usage_callback=usage_log.append,
        clock=lambda: FIXED_NOW,
    )
    yield client
    client.close()


@pytest.fixture
def tiktok_api() -> respx.Router:
    return router(TIKTOK_BASE)


@pytest.fixture
def tiktok(tiktok_api, usage_log):
    client = TikTokClient(
        TT_TOKEN,
        transport=httpx.MockTransport(tiktok_api.handler),
        usage_callback=usage_log.append,
        clock=lambda: FIXED_NOW,
    )
    yield client
    client.close()


@pytest.fixture
def tiktok_oauth(tiktok_api):
    client = TikTokOAuthClient(
        transport=httpx.MockTransport(tiktok_api.handler), clock=lambda: FIXED_NOW
    )
    yield client
    client.close()
