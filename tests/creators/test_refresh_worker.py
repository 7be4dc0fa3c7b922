"""A real worker process killed mid-batch (SIGKILL): the broker redelivers the task and
every account still ends the day with exactly one snapshot, and finished chunks are not
fetched again.

The worker runs on its own queue with a short broker visibility timeout
(CELERY_VISIBILITY_TIMEOUT) so the redelivery comes within seconds, against the test
database and a loopback fake YouTube server in this process.
"""

import os
import secrets
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone

from apps.creators import connections, refresh
from apps.creators.models import AccountSnapshot, SocialAccount
from tests.creators.fake_youtube import FakeYouTube
from tests.factories import CreatorFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.xdist_group("celery"), pytest.mark.django_db(transaction=True)]


def database_url() -> str:
    """The test database (not the dev one) as a URL a child process can use."""
    db = connection.settings_dict
    user = quote(db["USER"] or "")
    password = quote(db["PASSWORD"] or "")
    # The embedded pgserver's socket directory arrives as OPTIONS["host"] (dj-database-url).
    host = db["HOST"] or db["OPTIONS"].get("host", "")
    if host.startswith("/"):
        return f"postgresql://{user}:{password}@/{db['NAME']}?host={host}"
    return f"postgresql://{user}:{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def fake_youtube():
    server = FakeYouTube(latency=0.4).start()
    yield server
    server.stop()


@pytest.fixture
def start_worker(fake_youtube):
    queue = f"test-refresh-{uuid.uuid4().hex[:8]}"
    processes = []
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "YOUTUBE_API_BASE": fake_youtube.base_url,
        "CELERY_VISIBILITY_TIMEOUT": "2",
        "REFRESH_HTTP_CONCURRENCY": "1",
        "REFRESH_QUEUE": queue,
    }

    def start():
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-Q",
                queue,
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=WARNING",
                "-n",
                f"{queue}-{len(processes)}@%h",
            ],
            cwd=ROOT,
            env=env,
        )
        processes.append(process)
        return process

    start.queue = queue
    yield start
    for process in processes:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(
    team, settings, fake_youtube, start_worker
):
    settings.REFRESH_QUEUE = start_worker.queue
    creator = CreatorFactory(workspace=team.workspace)
    SocialAccount.objects.bulk_create(
        SocialAccount(
            workspace=team.workspace,
            creator=creator,
            platform="youtube",
            handle=f"channel{n}",
            external_id=f"UC{n:022d}",
        )
        for n in range(500)
    )
    youtube = connections.connection_create(
        workspace=team.workspace,
        kind="youtube_key",
        name="Main key",
        secret=f"AIzaSy-{secrets.token_hex(12)}",
    )
    first = start_worker()

    summary = refresh.schedule_due()  # claims all 500: one task of 10 calls of 50 ids
    assert summary == {"connections": 1, "accounts": 500, "tasks": 1, "prioritised": 0}
    today = timezone.now().date()
    written = AccountSnapshot.objects.filter(account__workspace=team.workspace, date=today)
    wait_for(lambda: written.count() >= 150, 60, "the first worker to write some chunks")
    first.kill()  # SIGKILL: no chance to ack, reject or clean up
    first.wait(timeout=10)
    done_before = written.count()
    assert done_before < 500, "the batch finished before the kill; slow the fake server down"

    start_worker()
    wait_for(
        lambda: (
            not SocialAccount.objects.filter(
                workspace=team.workspace, refresh_queued_at__isnull=False
            ).exists()
        ),
        90,
        "the redelivered task to finish the batch",
    )

    assert written.count() == 500
    assert (
        SocialAccount.objects.filter(workspace=team.workspace, refresh_status="ok").count() == 500
    )
    refetched = sum(count - 1 for count in fake_youtube.served.values() if count > 1)
    assert refetched <= 50  # at most the chunk in flight at the kill is fetched again
    assert fake_youtube.calls <= 11
    youtube.refresh_from_db()
    assert youtube.status == "ok"
