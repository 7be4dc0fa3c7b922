"""A loopback fake of YouTube's channels.list for worker tests and bench/refresh.py.

A threaded http.server on 127.0.0.1 (random port) that answers
`GET /youtube/v3/channels?part=…&id=ID1,…&key=…` like the real API: up to 50 ids per
call, realistic bodies (counts as strings), unknown ids left out, a fixed latency per
call, and the same error bodies as YouTube for a missing key or too many ids. It counts
calls and the ids it served, so callers can check how the quota was spent.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MAX_IDS = 50


def channel_body(channel_id: str) -> dict:
    """A channel as channels.list returns it; numbers derived from the id, stable per id."""
    seed = int(hashlib.sha256(channel_id.encode()).hexdigest()[:12], 16)
    subscribers = 1_000 + seed % 900_000
    return {
        "kind": "youtube#channel",
        "etag": f"e{seed % 10**8}",
        "id": channel_id,
        "snippet": {
            "title": f"Channel {channel_id[-6:]}",
            "description": "Weekly videos about baking, travel and small-kitchen life.",
            "customUrl": f"@c{channel_id[-8:].lower()}",
            "publishedAt": "2019-04-11T17:02:33Z",
            "thumbnails": {"default": {"url": "https://yt3.ggpht.com/x=s88", "width": 88}},
            "localized": {"title": f"Channel {channel_id[-6:]}", "description": ""},
            "country": "GB",
        },
        "contentDetails": {"relatedPlaylists": {"likes": "", "uploads": "UU" + channel_id[2:]}},
        "statistics": {
            "viewCount": str(subscribers * (20 + seed % 80)),
            # YouTube rounds subscriber counts to three significant figures.
            "subscriberCount": str(int(float(f"{subscribers:.3g}"))),
            "hiddenSubscriberCount": False,
            "videoCount": str(10 + seed % 700),
        },
    }


def _error(status: int, reason: str, message: str) -> tuple[int, dict]:
    return status, {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"message": message, "domain": "youtube.parameter", "reason": reason}],
        }
    }


class FakeYouTube:
    def __init__(self, *, latency: float = 0.1, missing: frozenset[str] = frozenset()):
        self.latency = latency
        self.missing = missing
        self.calls = 0
        self.served: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/youtube/v3"

    def start(self) -> FakeYouTube:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 - http.server's naming
                status, body = fake.answer(self.path)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                """Quiet: thousands of calls."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.request_queue_size = 128
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def answer(self, path: str) -> tuple[int, dict]:
        time.sleep(self.latency)
        url = urlsplit(path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        if not params.get("key"):
            return _error(403, "forbidden", "The request is missing a valid API key.")
        if url.path != "/youtube/v3/channels":
            return _error(404, "notFound", f"No fake for {url.path}")
        ids = [i for i in params.get("id", "").split(",") if i]
        if len(ids) > MAX_IDS:
            return _error(400, "invalidFilters", "Too many ids: at most 50 per call.")
        with self._lock:
            self.calls += 1
            self.served.update(ids)
        items = [channel_body(i) for i in ids if i not in self.missing]
        return 200, {
            "kind": "youtube#channelListResponse",
            "etag": "fake",
            "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
            "items": items,
        }
