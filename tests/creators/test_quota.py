"""Quota budgets on the real Redis: atomic under competition, reset on the platforms' clocks."""

import os
import secrets
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from apps.creators.providers.base import Usage
from apps.creators.providers.youtube import PACIFIC, next_pacific_midnight
from apps.creators.quota import DailyUnitsBudget, MetaUsageBudget, SlidingWindowBudget

ROOT = Path(__file__).resolve().parents[2]


def fingerprint() -> str:
    return f"test-{secrets.token_hex(8)}"


def spend_until_denied(budget, granted: list, start: threading.Barrier | None = None):
    if start is not None:
        start.wait()
    count = 0
    while budget.try_spend(1).allowed:
        count += 1
    granted.append(count)


def test_two_threads_competing_never_spend_more_than_the_daily_limit():
    budget = DailyUnitsBudget(fingerprint(), limit=500)
    granted: list[int] = []
    start = threading.Barrier(2)
    threads = [
        threading.Thread(target=spend_until_denied, args=(budget, granted, start)) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(granted) == 500
    assert all(count > 0 for count in granted)  # both really competed
    assert budget.state().used == 500
    assert budget.state().left == 0


WORKER_SCRIPT = """
import sys, django
django.setup()
from apps.creators.quota import DailyUnitsBudget
budget = DailyUnitsBudget(sys.argv[1], limit=int(sys.argv[2]))
count = 0
while budget.try_spend(1).allowed:
    count += 1
print(count)
"""


def test_two_worker_processes_competing_never_spend_more_than_the_daily_limit():
    fp = fingerprint()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER_SCRIPT, fp, "400"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    counts = [int(worker.communicate(timeout=120)[0].strip()) for worker in workers]

    assert sum(counts) == 400
    assert DailyUnitsBudget(fp, limit=400).used() == 400


def test_a_spend_is_refused_whole_when_it_does_not_fit():
    budget = DailyUnitsBudget(fingerprint(), limit=10)
    assert budget.try_spend(8).allowed
    denied = budget.try_spend(3)
    assert not denied.allowed
    assert denied.reason == "quota"
    assert budget.used() == 8  # nothing taken by the refused spend
    assert budget.try_spend(2).allowed


def test_the_day_is_the_pacific_day_and_a_refused_spend_says_when_it_resets():
    budget = DailyUnitsBudget(fingerprint(), limit=1)
    late_evening = datetime(2026, 11, 25, 23, 59, tzinfo=PACIFIC)
    assert budget.try_spend(1, now=late_evening).allowed
    denied = budget.try_spend(1, now=late_evening)
    assert denied.retry_at == datetime(2026, 11, 26, 0, 0, tzinfo=PACIFIC)
    after_midnight = datetime(2026, 11, 26, 0, 1, tzinfo=PACIFIC)
    assert budget.try_spend(1, now=after_midnight).allowed  # a new day's counter


def test_a_quota_error_stops_every_worker_until_the_reset():
    budget = DailyUnitsBudget(fingerprint(), limit=10_000)
    now = datetime.now(UTC)
    reset = next_pacific_midnight(now)
    budget.exhaust(reset, now=now)

    other_worker = DailyUnitsBudget(budget.fingerprint, limit=10_000)
    denied = other_worker.try_spend(1, now=now)
    assert not denied.allowed and denied.reason == "paused"
    assert abs((denied.retry_at - reset).total_seconds()) < 5
    assert other_worker.capacity(now=now) == 0
    budget.resume()
    assert other_worker.try_spend(1, now=now).allowed


def test_refunds_never_go_below_zero_and_extra_cost_is_charged():
    budget = DailyUnitsBudget(fingerprint(), limit=100)
    budget.try_spend(2)
    budget.settle(reserved=2, spent=0)  # no reply: nothing charged by YouTube
    assert budget.used() == 0
    budget.refund(5)
    assert budget.used() == 0
    budget.try_spend(2)
    budget.settle(reserved=2, spent=3)  # the uploads playlist had to be looked up
    assert budget.used() == 3


def test_posts_only_spend_their_share_of_the_day():
    budget = DailyUnitsBudget(fingerprint(), limit=10)
    for _ in range(5):
        assert budget.try_spend(1, share=0.5).allowed
    denied = budget.try_spend(1, share=0.5)
    assert not denied.allowed and denied.reason == "share"
    assert budget.try_spend(5).allowed  # stats may use the rest


def test_the_tiktok_window_admits_the_limit_per_minute_across_threads():
    budget = SlidingWindowBudget(fingerprint(), limit=60, window=timedelta(seconds=60))
    granted: list[int] = []
    start = threading.Barrier(4)
    threads = [
        threading.Thread(target=spend_until_denied, args=(budget, granted, start)) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(granted) == 60
    denied = budget.try_spend(1)
    assert denied.reason == "window"
    assert 0 < (denied.retry_at - datetime.now(UTC)).total_seconds() <= 60


def test_the_tiktok_window_slides():
    budget = SlidingWindowBudget(fingerprint(), limit=2, window=timedelta(seconds=10))
    start = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)
    assert budget.try_spend(1, now=start).allowed
    assert budget.try_spend(1, now=start + timedelta(seconds=5)).allowed
    assert not budget.try_spend(1, now=start + timedelta(seconds=9)).allowed
    assert budget.try_spend(1, now=start + timedelta(seconds=11)).allowed  # the first left


@pytest.mark.parametrize(
    ("percent", "allowed_calls"), [(None, 40), (50.0, 40), (80.0, 10), (100.0, 0)]
)
def test_meta_usage_slows_down_from_75_percent_and_stops_at_100(percent, allowed_calls):
    budget = MetaUsageBudget(fingerprint(), calls_per_hour=40)
    if percent is not None:
        budget.record(Usage(platform="instagram", requests=1, max_percent=percent))
    granted: list[int] = []
    spend_until_denied(budget, granted)
    assert granted == [allowed_calls]


def test_meta_throttling_pauses_for_the_estimated_time_to_regain_access():
    budget = MetaUsageBudget(fingerprint(), calls_per_hour=200)
    now = datetime.now(UTC)
    budget.record(
        Usage(
            platform="instagram",
            requests=1,
            max_percent=100.0,
            estimated_time_to_regain_access=12,
        ),
        now=now,
    )
    paused_until = budget.paused_until(now)
    assert paused_until is not None
    assert abs((paused_until - (now + timedelta(minutes=12))).total_seconds()) < 5
