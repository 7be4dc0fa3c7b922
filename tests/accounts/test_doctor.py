"""`manage.py doctor` against the real test database and Redis, and one real worker.

Grouped with tests/test_celery.py: the worker started here must not answer that
file's "no worker" check, and its worker must not answer ours.
"""

import os
import subprocess
import sys
import time
import uuid
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cryptography.fernet import Fernet
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings

from apps.accounts import doctor
from apps.accounts.tasks import BEAT_HEARTBEAT_KEY, beat_heartbeat, ping

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = [pytest.mark.xdist_group("celery"), pytest.mark.django_db]
PRODUCTION = doctor.Mode(True, "production (test)")
STRONG_KEY = "k7Qv2pX9wLm4Rt8Zy1Nc6Bh3Jd5Fg0Ks-Ue7Wa2Pq9Lx4Mv8Tz1Rb6Nc3Hj5Dy0"


def _doctor(*args) -> tuple[str, bool]:
    """Run the command; return its output and whether it failed (exit code 1)."""
    out = StringIO()
    try:
        call_command("doctor", *args, stdout=out, no_color=True)
    except CommandError as exc:
        assert exc.returncode == 1
        return out.getvalue(), True
    return out.getvalue(), False


def _levels(findings, name):
    return [f.level for f in findings if f.name == name]


@pytest.fixture
def worker():
    queue = f"test-doctor-{uuid.uuid4().hex[:8]}"
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue),
            *("--concurrency=1", "--pool=solo", "--without-gossip", "--without-mingle"),
            *("--loglevel=WARNING", "-n", f"{queue}@%h"),
        ],
        cwd=ROOT,
        env={**os.environ},
    )
    try:
        ping.apply_async(args=["up"], queue=queue).get(timeout=60)  # it consumes: it is up
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_it_passes_against_the_test_database_and_redis():
    output, failed = _doctor()
    assert not failed, output
    assert output.startswith("Microreach doctor: local run")
    for line in (
        "OK   database: reachable (PostgreSQL",
        "OK   migrations: all applied",
        "OK   redis cache: reachable",
        "OK   celery broker: reachable",
        "OK   check: no findings",
    ):
        assert line in output
    assert output.rstrip().endswith(" 0 FAIL")


def test_an_unapplied_migration_fails_and_names_the_fix():
    loader = MigrationLoader(connection)
    app, name = next(node for node in loader.graph.leaf_nodes() if node[0] == "accounts")
    MigrationRecorder.Migration.objects.filter(app=app, name=name).delete()  # rolled back after

    output, failed = _doctor()

    assert failed
    assert f"FAIL migrations: 1 not applied: accounts.{name}" in output
    assert "python manage.py migrate" in output


def test_a_bad_redis_url_fails_with_exit_code_1():
    test_database = urlsplit(os.environ["DATABASE_URL"])._replace(
        path="/" + connection.settings_dict["NAME"]
    )
    env = {
        **os.environ,
        "DATABASE_URL": test_database.geturl(),
        "REDIS_URL": "redis://127.0.0.1:1/0",  # nothing listens on port 1
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "doctor", "--no-color"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "OK   database: reachable" in result.stdout
    assert "FAIL redis cache: cannot reach redis://127.0.0.1:1/0" in result.stdout
    assert "FAIL celery broker: cannot reach redis://127.0.0.1:1/0" in result.stdout
    assert "fix: check REDIS_URL" in result.stdout
    assert "celery worker" not in result.stdout  # nobody to ping without a broker
    assert "2 check(s) failed" in result.stderr


def test_debug_on_in_production_fails_with_the_deploy_findings():
    with override_settings(DEBUG=True):
        output, failed = _doctor("--production")
    assert failed
    assert output.startswith("Microreach doctor: production (--production)")
    assert "FAIL DEBUG: is on in production" in output
    assert "fix: set DEBUG=false" in output
    # The local throwaway key is caught too, and Django's deploy checks are run.
    assert "FAIL SECRET_KEY: is a placeholder" in output
    assert "WARN check --deploy: security.W018" in output


def test_debug_on_with_a_public_site_url_is_judged_as_production():
    with override_settings(DEBUG=True, LOCAL=True, SITE_URL="https://crm.example.com"):
        mode = doctor.detect_mode()
    assert mode.production
    assert "SITE_URL is https://crm.example.com" in mode.reason


@override_settings(LOCAL=False, DEBUG=False)
def test_a_console_email_backend_in_production_is_a_warning():
    mode = doctor.detect_mode()
    assert mode.production
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend"):
        [finding] = doctor.check_email(mode)
    assert finding.level == doctor.WARN
    assert "never sent" in finding.message
    assert "EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend" in finding.hint

    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="smtp.mailhost.test",
        DEFAULT_FROM_EMAIL="Acme <hello@acme.test>",
    ):
        assert _levels(doctor.check_email(mode), "email") == [doctor.OK]


def test_the_console_backend_is_fine_for_a_local_run():
    [finding] = doctor.check_email(doctor.Mode(False, "local"))
    assert finding.level == doctor.OK


@override_settings(SITE_URL="https://app.example.com", ALLOWED_HOSTS=["other.example.com"])
def test_a_site_url_host_missing_from_allowed_hosts_fails():
    findings = doctor.check_hosts(PRODUCTION)
    [finding] = [f for f in findings if f.name == "ALLOWED_HOSTS"]
    assert finding.level == doctor.FAIL
    assert "'app.example.com'" in finding.message
    assert finding.hint == "add app.example.com to ALLOWED_HOSTS"


@override_settings(
    SITE_URL="http://app.example.com",
    ALLOWED_HOSTS=[".example.com"],
    SESSION_COOKIE_SECURE=True,
    CSRF_TRUSTED_ORIGINS=["https://app.example.com"],
)
def test_plain_http_site_url_with_secure_cookies_fails():
    findings = doctor.check_hosts(PRODUCTION)
    [site] = [f for f in findings if f.name == "SITE_URL"]
    assert site.level == doctor.FAIL
    assert site.hint == "set SITE_URL=https://app.example.com"
    [csrf] = [f for f in findings if f.name == "CSRF_TRUSTED_ORIGINS"]
    assert csrf.level == doctor.WARN


@override_settings(
    SITE_URL="https://app.example.com",
    ALLOWED_HOSTS=["app.example.com"],
    CSRF_TRUSTED_ORIGINS=["https://*.example.com"],
    SESSION_COOKIE_SECURE=True,
    SECURE_SSL_REDIRECT=True,
    SECURE_PROXY_SSL_HEADER=None,
)
def test_ssl_redirect_without_a_trusted_proxy_header_warns():
    findings = doctor.check_hosts(PRODUCTION)
    assert [(f.level, f.name) for f in findings] == [(doctor.WARN, "SECURE_SSL_REDIRECT")]
    assert "BEHIND_TLS_PROXY=true" in findings[0].hint

    with override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")):
        # Behind the proxy, sign-in throttling must count its hops too.
        [proxy] = doctor.check_hosts(PRODUCTION)
        assert (proxy.level, proxy.name) == (doctor.WARN, "TRUSTED_PROXY_COUNT")
        with override_settings(AXES_IPWARE_PROXY_COUNT=1):
            assert [f.level for f in doctor.check_hosts(PRODUCTION)] == [doctor.OK]


def test_secret_key_placeholders_fail_and_short_keys_warn():
    for placeholder in ("change-me-to-a-long-random-string", "django-insecure-" + "x" * 50):
        with override_settings(SECRET_KEY=placeholder):
            assert _levels(doctor.check_secret_key(PRODUCTION), "SECRET_KEY") == [doctor.FAIL]
    with override_settings(SECRET_KEY="short-but-random-Q3"):
        assert _levels(doctor.check_secret_key(PRODUCTION), "SECRET_KEY") == [doctor.WARN]
    with override_settings(SECRET_KEY=STRONG_KEY):
        assert _levels(doctor.check_secret_key(PRODUCTION), "SECRET_KEY") == [doctor.OK]


def test_field_encryption_key_unset_warns_and_a_non_fernet_key_fails():
    with override_settings(FIELD_ENCRYPTION_KEY=""):
        [unset] = doctor.check_encryption_key(PRODUCTION)
    assert unset.level == doctor.WARN
    assert "derived from SECRET_KEY" in unset.message
    with override_settings(FIELD_ENCRYPTION_KEY="change-me-to-another-long-random-string"):
        [bad] = doctor.check_encryption_key(PRODUCTION)
    assert bad.level == doctor.FAIL
    assert "Fernet.generate_key()" in bad.hint
    good = f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}"
    with override_settings(FIELD_ENCRYPTION_KEY=good):
        [ok] = doctor.check_encryption_key(PRODUCTION)
    assert (ok.level, ok.message) == (doctor.OK, "set (2 key(s))")


def test_the_unedited_env_example_is_caught():
    """Copying .env.example without editing it must not look healthy."""
    example = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line and line[0].isupper():
            key, _, value = line.partition("=")
            example[key] = value
    with override_settings(
        SECRET_KEY=example["SECRET_KEY"], FIELD_ENCRYPTION_KEY=example["FIELD_ENCRYPTION_KEY"]
    ):
        assert _levels(doctor.check_secret_key(PRODUCTION), "SECRET_KEY") == [doctor.FAIL]
        assert _levels(doctor.check_encryption_key(PRODUCTION), "FIELD_ENCRYPTION_KEY") == [
            doctor.FAIL
        ]


def test_no_worker_and_no_beat_are_warnings_not_failures():
    cache.delete(BEAT_HEARTBEAT_KEY)
    local = doctor.Mode(False, "local")
    [worker] = doctor.check_workers(local)
    assert (worker.level, worker.name) == (doctor.WARN, "celery worker")
    assert "docker compose up -d worker" in worker.hint
    [beat] = doctor.check_beat(local)
    assert beat.level == doctor.WARN
    assert beat.message.startswith("no heartbeat yet")

    cache.set(BEAT_HEARTBEAT_KEY, time.time() - 600)
    [stale] = doctor.check_beat(local)
    assert stale.level == doctor.WARN
    assert stale.message.startswith("last heartbeat 10 min ago")
    cache.delete(BEAT_HEARTBEAT_KEY)


def test_a_running_worker_and_a_fresh_beat_heartbeat_are_ok(worker):
    cache.delete(BEAT_HEARTBEAT_KEY)
    beat_heartbeat.apply_async(queue=worker)  # what beat sends every minute
    deadline = time.monotonic() + 30
    while cache.get(BEAT_HEARTBEAT_KEY) is None and time.monotonic() < deadline:
        time.sleep(0.2)
    local = doctor.Mode(False, "local")

    [beat] = doctor.check_beat(local)
    assert (beat.level, beat.name) == (doctor.OK, "celery beat")
    with override_settings(CELERY_TASK_DEFAULT_QUEUE=worker, REFRESH_QUEUE=""):
        [answered] = doctor.check_workers(local)
    assert answered.level == doctor.OK
    assert worker in answered.message  # the worker's node name starts with its queue
    with override_settings(CELERY_TASK_DEFAULT_QUEUE=worker, REFRESH_QUEUE="refresh-only"):
        findings = doctor.check_workers(local)
    assert [(f.level, f.name) for f in findings] == [
        (doctor.OK, "celery worker"),
        (doctor.WARN, "celery queues"),
    ]
    assert "'refresh-only'" in findings[1].message
    cache.delete(BEAT_HEARTBEAT_KEY)


def test_the_heartbeat_is_in_the_beat_schedule(settings):
    [entry] = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "accounts.beat_heartbeat"
    ]
    assert entry["schedule"] <= doctor.BEAT_STALE_SECONDS / 3


def test_registered_health_checks_are_reported(monkeypatch):
    from apps.accounts import health

    monkeypatch.setitem(health.ADVISORY_CHECKS, "mailbox", lambda: "degraded: inbox full")
    findings = doctor.check_registered_health(doctor.Mode(False, "local"))
    assert (
        doctor.Finding(
            doctor.WARN, "health mailbox", "degraded: inbox full", "see the app's page for details"
        )
        in findings
    )
    assert not [f for f in findings if f.name in {"health database", "health redis"}]
