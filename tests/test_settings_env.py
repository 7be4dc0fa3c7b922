import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str, env_url

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("1", True), ("Yes", True), ("off", False), ("0", False)]
)
def test_env_bool_reads_common_words(raw, expected):
    assert env_bool("X", False, environ={"X": raw}) is expected


def test_env_bool_rejects_nonsense():
    with pytest.raises(ImproperlyConfigured, match="X must be one of"):
        env_bool("X", False, environ={"X": "maybe"})


def test_env_int_rejects_words_and_values_below_minimum():
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("PORT", 1, environ={"PORT": "eighty"})
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("PORT", 1, minimum=1, environ={"PORT": "0"})
    assert env_int("PORT", 8000, environ={}) == 8000


def test_env_list_splits_and_trims():
    assert env_list("HOSTS", [], environ={"HOSTS": " a.test, b.test ,,"}) == ["a.test", "b.test"]


def test_env_str_prefers_the_file_variant(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-file\n")
    assert (
        env_str("SECRET_KEY", environ={"SECRET_KEY": "plain", "SECRET_KEY_FILE": str(secret)})
        == "from-file"
    )
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        env_str("SECRET_KEY", environ={"SECRET_KEY_FILE": str(tmp_path / "missing")})


def test_env_url_checks_the_scheme():
    assert env_url(
        "DATABASE_URL", None, schemes={"postgres"}, environ={"DATABASE_URL": "postgres://x/y"}
    )
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL must be a URL"):
        env_url(
            "DATABASE_URL",
            None,
            schemes={"postgres"},
            environ={"DATABASE_URL": "sqlite:///db.sqlite3"},
        )


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _production_env(**extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"MICROREACH_DEV", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DEBUG="false",
        SECRET_KEY="x" * 20 + "a-long-random-production-secret-key-for-the-check",
        ALLOWED_HOSTS="microreach.example.com",
        CSRF_TRUSTED_ORIGINS="https://microreach.example.com",
        DATABASE_URL=os.environ["DATABASE_URL"],
        REDIS_URL=os.environ["REDIS_URL"],
    )
    env.update(extra)
    return env


def test_check_deploy_passes_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_without_secret_key_refuses_to_start():
    env = _production_env()
    del env["SECRET_KEY"]
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_bad_boolean_stops_start_up_with_the_variable_named():
    result = _manage("check", env=_production_env(SECURE_SSL_REDIRECT="sometimes"))
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT must be one of" in result.stderr
