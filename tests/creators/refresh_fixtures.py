"""Fixtures and fake platform replies shared by the stats-refresh tests.

Import the fixtures you need into a test module (`from tests.creators.refresh_fixtures
import eager_celery, ...`). Replies are built from the recorded ones in
tests/creators/providers/recordings, cloned per requested id.
"""

import copy
import secrets

import httpx
import pytest
from django.conf import settings

from apps.creators import connections
from apps.creators.models import Connection
from config.celery import app as celery_app
from tests.creators.providers.conftest import body_of, replay
from tests.factories import SocialAccountFactory


def channel_id(n: int) -> str:
    return f"UC{n:022d}"


def channels_reply(missing: frozenset[str] = frozenset(), subscribers: int = 48300):
    """channels.list: the recorded channel cloned for every requested id but `missing`."""

    def reply(request: httpx.Request) -> httpx.Response:
        template = body_of("youtube/channels_list")["items"][0]
        items = []
        for requested in request.url.params["id"].split(","):
            if requested in missing:
                continue  # YouTube simply leaves unknown ids out
            item = copy.deepcopy(template)
            item["id"] = requested
            item["snippet"]["customUrl"] = f"@{requested.lower()}"
            item["statistics"]["subscriberCount"] = str(subscribers)
            item["contentDetails"]["relatedPlaylists"]["uploads"] = "UU" + requested[2:]
            items.append(item)
        return httpx.Response(200, json={"kind": "youtube#channelListResponse", "items": items})

    return reply


def youtube_error(name: str, **kwargs) -> httpx.Response:
    return replay(f"youtube/{name}", **kwargs)


@pytest.fixture
def eager_celery():
    """Tasks run in the test process when enqueued (after commit), as a worker would run them."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def youtube_api():
    import respx

    with respx.mock(base_url=settings.YOUTUBE_API_BASE, assert_all_called=False) as api:
        yield api


def fresh_key(prefix: str = "AIzaSy") -> str:
    """A new credential per test, so each test starts with an untouched Redis budget."""
    return f"{prefix}-{secrets.token_hex(12)}"


@pytest.fixture
def youtube_connection(team) -> Connection:
    return connections.connection_create(
        workspace=team.workspace, kind="youtube_key", name="Main key", secret=fresh_key()
    )


def youtube_accounts(team, count: int, *, start: int = 0, **kwargs):
    """Accounts that have never been refreshed, with their channel ids."""
    defaults = {
        "platform": "youtube",
        "followers": None,
        "following": None,
        "posts_count": None,
        "stats_source": "manual",
        "stats_updated_at": None,
        "refresh_status": "pending",
    }
    return [
        SocialAccountFactory(
            creator__workspace=team.workspace,
            **{
                "external_id": channel_id(n),
                "handle": f"channel{n}",
                "profile_url": f"https://www.youtube.com/channel/{channel_id(n)}",
                **defaults,
                **kwargs,
            },
        )
        for n in range(start, start + count)
    ]
