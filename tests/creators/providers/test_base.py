from datetime import UTC, datetime

import pytest

from apps.creators.providers._http import parse_datetime, parse_iso_duration, to_int
from apps.creators.providers.base import (
    AuthError,
    InvalidRequest,
    NotFound,
    ProviderError,
    QuotaExceeded,
    RateLimited,
    TransientError,
    Usage,
)


def test_usage_adds_counts_and_keeps_the_latest_header_snapshot():
    first = Usage("instagram", requests=1, app_usage={"call_count": 10.0}, max_percent=10.0)
    second = Usage("instagram", requests=1, app_usage={"call_count": 80.0}, max_percent=80.0)
    no_headers = Usage("instagram", requests=1)

    total = first + second + no_headers

    assert total.requests == 3
    assert total.app_usage == {"call_count": 80.0}
    assert total.should_slow_down is True


def test_usage_sums_youtube_quota_units():
    total = Usage("youtube") + Usage("youtube", 1, 1) + Usage("youtube", 1, 1)

    assert (total.requests, total.quota_units) == (2, 2)
    assert total.should_slow_down is False


@pytest.mark.parametrize(
    ("error", "retryable"),
    [
        (QuotaExceeded(datetime(2026, 1, 1, tzinfo=UTC)), False),
        (RateLimited(30), True),
        (TransientError("502"), True),
        (AuthError("bad key"), False),
        (NotFound("gone"), False),
        (InvalidRequest("bug"), False),
    ],
)
def test_only_rate_limits_and_transient_errors_are_retryable(error, retryable):
    assert isinstance(error, ProviderError)
    assert error.retryable is retryable


def test_error_messages_name_the_platform_status_and_code():
    error = AuthError("API key rejected", platform="youtube", status_code=400, code="keyInvalid")

    assert str(error) == "youtube: API key rejected (HTTP 400, code=keyInvalid)"


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("PT42S", 42),
        ("PT1M", 60),
        ("PT1M1S", 61),
        ("PT14M7S", 847),
        ("PT1H2M3S", 3723),
        ("P1DT1S", 86401),
        ("P0D", 0),
        ("pt59.5s", 59.5),
        ("", None),
        ("PT", None),
        ("42", None),
        (None, None),
    ],
)
def test_it_parses_iso_8601_durations(value, seconds):
    assert parse_iso_duration(value) == seconds


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("48300", 48300),
        (48300, 48300),
        (" 1,204 ", 1204),
        ("1.2e3", 1200),
        (12.0, 12),
        (None, None),
        ("", None),
        ("n/a", None),
        (True, None),
        (-1, None),
        (float("nan"), None),
        ({"count": 1}, None),
    ],
)
def test_it_reads_counts_defensively(value, number):
    assert to_int(value) == number


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-01T12:00:00+0000", datetime(2024, 5, 1, 12, tzinfo=UTC)),
        ("2026-11-15T16:00:02Z", datetime(2026, 11, 15, 16, 0, 2, tzinfo=UTC)),
        ("2026-11-15T17:00:02+01:00", datetime(2026, 11, 15, 16, 0, 2, tzinfo=UTC)),
        (1795627200, datetime(2026, 11, 25, 17, 20, tzinfo=UTC)),
        ("yesterday", None),
        (None, None),
    ],
)
def test_it_parses_timestamps_into_aware_utc_datetimes(value, expected):
    assert parse_datetime(value) == expected
