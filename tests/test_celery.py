"""Celery through the real Redis broker and a real worker process (not eager mode).

Grouped on one xdist worker: the health check's "no worker" case must not see
the worker that the round-trip test starts.
"""

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.urls import reverse

from apps.accounts.tasks import ping

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.xdist_group("celery"), pytest.mark.django_db]


@pytest.fixture
def worker():
    queue = f"test-{uuid.uuid4().hex[:8]}"
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
            "--concurrency=1",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
            "-n",
            f"{queue}@%h",
        ],
        cwd=ROOT,
        env={**os.environ},
    )
    yield queue
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def test_a_task_round_trips_through_redis_and_a_real_worker(worker, client):
    result = ping.apply_async(args=["hello"], queue=worker)
    assert result.get(timeout=60) == "hello"

    health = client.get(reverse("healthz"))
    assert health.status_code == 200, health.content
    assert json.loads(health.content)["checks"] == {"database": "ok", "redis": "ok", "worker": "ok"}


def test_health_reports_503_when_no_worker_answers(client):
    started = time.monotonic()
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "unhealthy"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["worker"] == "no worker answered"
    assert time.monotonic() - started < 5
