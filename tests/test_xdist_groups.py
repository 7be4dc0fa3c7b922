"""The suite relies on xdist_group: tests that share a Celery worker or a Redis key run on
one xdist worker, one after the other. pytest-xdist can stop honouring the mark without a
word (pytest-dev/pytest-xdist#1386, with pytest 9.2); this notices."""

import os

import pytest

pytestmark = pytest.mark.xdist_group("celery")


def test_xdist_keeps_a_group_on_one_worker(request):
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        pytest.skip("one process: nothing to group")
    # xdist schedules a group by the suffix it adds to each test's node id.
    assert request.node.nodeid.endswith("@celery"), (
        "xdist ignored xdist_group: see the pytest pin in pyproject.toml"
    )
