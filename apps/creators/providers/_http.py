"""Shared HTTP plumbing and defensive parsing helpers for the provider clients.

Not part of the public interface; see ``base.py`` for that.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx

from .base import (
    AuthError,
    InvalidRequest,
    ProviderError,
    RateLimited,
    TransientError,
    Usage,
)

T = TypeVar("T")
UsageCallback = Callable[[Usage], None]
Clock = Callable[[], datetime]

DEFAULT_TIMEOUT = 10.0
USER_AGENT = "microreach-providers/1.0"


def utcnow() -> datetime:
    return datetime.now(UTC)


def tracks_usage(method: Callable[..., T]) -> Callable[..., T]:
    """Reset ``last_usage`` at the start of an outermost public call."""

    @functools.wraps(method)
    def wrapper(self: HttpProviderBase, *args: Any, **kwargs: Any) -> T:
        if self._call_depth == 0:
            self._usage = Usage(platform=self.platform)
        self._call_depth += 1
        try:
            return method(self, *args, **kwargs)
        finally:
            self._call_depth -= 1

    return wrapper


class HttpProviderBase:
    """Owns the ``httpx.Client``, maps transport failures, records usage.

    Subclasses set ``platform`` and override ``_usage_for`` and
    ``_raise_for_error``.  Not safe to share between threads (``last_usage``).
    """

    platform: str = ""

    def __init__(
        self,
        *,
        base_url: str,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        usage_callback: UsageCallback | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._owns_client = http_client is None
        self._http = http_client or httpx.Client(
            transport=transport, timeout=timeout, headers={"User-Agent": USER_AGENT}
        )
        self._usage_callback = usage_callback
        self._clock = clock or utcnow
        self._usage = Usage(platform=self.platform)
        self._call_depth = 0

    # -- lifecycle ---------------------------------------------------------
    @property
    def last_usage(self) -> Usage:
        return self._usage

    def close(self) -> None:
        if self._owns_client:
            self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def now(self) -> datetime:
        return self._clock()

    # -- hooks -------------------------------------------------------------
    def _usage_for(self, response: httpx.Response) -> Usage:
        return Usage(platform=self.platform, requests=1)

    def _raise_for_error(self, response: httpx.Response, body: Any) -> None:
        """Raise the platform's error for ``body`` if it is an error reply."""

    def _error(self, cls: type[ProviderError], message: str, **kwargs: Any) -> ProviderError:
        kwargs.setdefault("platform", self.platform)
        return cls(message, **kwargs)

    # -- requests ----------------------------------------------------------
    def _record(self, usage: Usage) -> None:
        self._usage = self._usage + usage
        if self._usage_callback is not None:
            self._usage_callback(usage)

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        url = path if path.startswith(("http://", "https://")) else f"{self.base_url}{path}"
        what = f"{method} {path.split('?')[0]}"
        try:
            response = self._http.request(method, url, timeout=self.timeout, **kwargs)
        except httpx.TimeoutException as exc:
            self._record(Usage(platform=self.platform, requests=1))
            raise self._error(TransientError, f"{what} timed out ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            self._record(Usage(platform=self.platform, requests=1))
            raise self._error(
                TransientError, f"{what} failed: {type(exc).__name__}: {exc}"
            ) from exc
        self._record(self._usage_for(response))
        return response

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """Send, decode JSON, map errors; return the JSON object of a success."""
        response = self._send(method, path, **kwargs)
        what = f"{method} {path.split('?')[0]}"
        body = self._decode(response, what)
        self._raise_for_error(response, body)
        if not response.is_success:
            raise self._status_error(response, f"{what} failed with an unrecognised error body")
        if not isinstance(body, dict):
            raise self._error(
                TransientError,
                f"{what} returned JSON of unexpected shape ({type(body).__name__})",
                status_code=response.status_code,
            )
        return body

    def _decode(self, response: httpx.Response, what: str) -> Any:
        try:
            return json.loads(response.content) if response.content else None
        except (ValueError, UnicodeDecodeError):
            pass
        content_type = response.headers.get("content-type", "unknown content type")
        kind = "an HTML page" if "html" in content_type.lower() else f"non-JSON ({content_type})"
        message = f"{what} returned {kind} instead of JSON: {describe_body(response.text)!r}"
        raise self._status_error(response, message)

    def _status_error(self, response: httpx.Response, message: str) -> ProviderError:
        """Map an HTTP status when the body says nothing usable."""
        status = response.status_code
        if status == 429:
            return RateLimited(
                retry_after_seconds(response.headers),
                message=message,
                platform=self.platform,
                status_code=status,
            )
        if status == 401:
            return self._error(AuthError, message, status_code=status)
        if status >= 500 or status == 408 or response.is_success:
            return self._error(
                TransientError,
                message,
                status_code=status,
                retry_after_seconds=retry_after_seconds(response.headers),
            )
        return self._error(InvalidRequest, message, status_code=status)


# --------------------------------------------------------------------------
# Defensive parsing helpers
# --------------------------------------------------------------------------


def describe_body(text: str, limit: int = 160) -> str:
    """A short, log-friendly description of an unexpected (often HTML) body."""
    title = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
    if title:
        text = title.group(1)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def to_int(value: Any) -> int | None:
    """Counts arrive as ints, floats or strings; anything else is unknown."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        result = value
    elif isinstance(value, float):
        if not math.isfinite(value):
            return None
        result = int(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "")
        try:
            result = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return None
            if not math.isfinite(number):
                return None
            result = int(number)
    else:
        return None
    return result if result >= 0 else None


def to_float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def to_str(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def parse_datetime(value: Any) -> datetime | None:
    """ISO 8601 (``Z``, ``+0000``, ``+00:00``) or epoch seconds -> aware UTC."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


_DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def parse_iso_duration(value: Any) -> float | None:
    """``PT1M5S`` -> 65.0; ``None`` when absent or malformed."""
    if not isinstance(value, str):
        return None
    match = _DURATION.match(value.strip().upper())
    if not match or value.strip().upper() in ("P", "PT"):
        return None
    parts = {k: float(v) for k, v in match.groupdict().items() if v}
    return timedelta(**parts).total_seconds()


def retry_after_seconds(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after")
    if not value:
        return None
    number = to_float(value)
    if number is not None:
        return max(number, 0.0)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - utcnow()).total_seconds(), 0.0)


def unique(values: Iterable[T]) -> list[T]:
    seen: set[T] = set()
    result = []
    for value in values:
        if value not in seen:
            seen.add(value)
            result.append(value)
    return result


def chunked(values: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
