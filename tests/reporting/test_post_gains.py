"""Each snapshot keeps what its post gained since its earlier snapshots (the daily chart)."""

import datetime as dt

import pytest

from apps.reporting import services
from apps.reporting.models import PostMetricSnapshot
from tests.factories import DeliverablePostFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 3, 1)


def record(post, days: int, **numbers) -> None:
    services.post_metrics_record(
        post=post, date=DAY + dt.timedelta(days=days), numbers=numbers, source="manual"
    )


def gains(post) -> list[tuple[int, int, int]]:
    return [
        ((row.date - DAY).days, row.views_gain, row.engagements_gain)
        for row in PostMetricSnapshot.objects.filter(post=post).order_by("date")
    ]


def test_the_first_snapshot_gains_everything_so_far_and_later_ones_the_difference():
    post = DeliverablePostFactory()
    record(post, 0, views=1000, likes=100, comments=10)
    record(post, 1, views=1500, likes=120, comments=10)
    record(post, 3, views=1600, likes=130, comments=15)

    assert gains(post) == [(0, 1000, 110), (1, 500, 20), (3, 100, 15)]


def test_a_day_recorded_late_moves_the_gain_of_the_day_after_it():
    post = DeliverablePostFactory()
    record(post, 0, views=1000)
    record(post, 2, views=3000)
    record(post, 1, views=1800)  # entered afterwards, for the day in between

    assert [(day, views) for day, views, _ in gains(post)] == [(0, 1000), (1, 800), (2, 1200)]


def test_an_unknown_day_gains_nothing_and_the_next_day_counts_from_the_last_known():
    post = DeliverablePostFactory()
    record(post, 0, views=1000)
    record(post, 1, likes=50)  # no views that day
    record(post, 2, views=1400)

    assert [(day, views) for day, views, _ in gains(post)] == [(0, 1000), (1, 0), (2, 400)]


def test_a_recount_that_lowers_a_number_gains_nothing_rather_than_a_negative():
    post = DeliverablePostFactory()
    record(post, 0, views=1000)
    record(post, 1, views=900)
    record(post, 2, views=1100)

    assert [(day, views) for day, views, _ in gains(post)] == [(0, 1000), (1, 0), (2, 100)]
