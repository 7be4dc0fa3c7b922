"""`check --deploy --fail-level WARNING` is clean with production settings.

Production is selected the way docker-compose selects it: DEBUG=false and no
MICROREACH_DEV (tests/environment.py sets it for the suite; it is removed here).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
STRONG_SECRET_KEY = "p4Xn9Lq2Wv7Rt1Zk8Mb3Hc6Jd0Fs5Gy-Ue2Wa7Pq4Lx9Mv1Tz8Rb3Nc6Hj0Dy5"
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": STRONG_SECRET_KEY,
    "ALLOWED_HOSTS": "microreach.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://microreach.example.com",
    "SITE_URL": "https://microreach.example.com",
    "BEHIND_TLS_PROXY": "true",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "smtp.example.com",
}
SETTINGS_PROBE = (
    "import json; from django.conf import settings as s; print(json.dumps({"
    "'DEBUG': s.DEBUG, 'LOCAL': s.LOCAL, 'SESSION_COOKIE_SECURE': s.SESSION_COOKIE_SECURE, "
    "'CSRF_COOKIE_SECURE': s.CSRF_COOKIE_SECURE, 'SECURE_SSL_REDIRECT': s.SECURE_SSL_REDIRECT, "
    "'SECURE_HSTS_SECONDS': s.SECURE_HSTS_SECONDS, "
    "'SECURE_PROXY_SSL_HEADER': getattr(s, 'SECURE_PROXY_SSL_HEADER', None), "
    "'SECRET_KEY_IS_SET': s.SECRET_KEY == " + repr(STRONG_SECRET_KEY) + "}))"
)


def _environment(values: dict) -> dict:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"MICROREACH_DEV", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(values)
    # The servers the suite uses (set by the settings when they are the embedded ones).
    env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    env["REDIS_URL"] = os.environ["REDIS_URL"]
    return env


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_check_deploy_has_no_findings_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_environment(PRODUCTION))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_passes_with_the_env_example_once_its_secrets_are_filled_in():
    example = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line and line[0].isupper():
            name, _, value = line.partition("=")
            example[name] = value
    example.pop("POSTGRES_PASSWORD")  # read by docker compose, not by the app
    example["SECRET_KEY"] = STRONG_SECRET_KEY
    example["FIELD_ENCRYPTION_KEY"] = Fernet.generate_key().decode()
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_environment(example))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_settings_turn_on_https_only_cookies_hsts_and_the_proxy_header():
    result = _manage("shell", "-c", SETTINGS_PROBE, env=_environment(PRODUCTION))
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "DEBUG": False,
        "LOCAL": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECRET_KEY_IS_SET": True,
    }


def test_the_local_run_keeps_plain_http_defaults():
    # The suite is a local run (tests/environment.py): cookies over HTTP, no redirect, no HSTS.
    assert settings.LOCAL
    assert not settings.SESSION_COOKIE_SECURE
    assert not settings.SECURE_SSL_REDIRECT
    assert settings.SECURE_HSTS_SECONDS == 0


def test_the_readme_documents_every_environment_variable():
    import re

    read = set(
        re.findall(
            r"env_(?:str|bool|int|list|url)\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']",
            (ROOT / "config" / "settings.py").read_text(),
        )
    )
    example = {
        line.split("=")[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and line[0].isupper()
    }
    readme = (ROOT / "README.md").read_text()
    production = readme[readme.index("## Running in production") :]
    assert "SECRET_KEY" in read and "REDIS_URL" in read  # the pattern finds them
    undocumented = sorted(name for name in read | example if f"`{name}`" not in production)
    assert undocumented == []
