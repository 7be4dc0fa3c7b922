"""The security promises of issue #8: sessions, sign-in throttling, an enforced CSP that
htmx lives with, security headers, CSRF, and CSV uploads that are bounded and never
stored as files."""

from html.parser import HTMLParser
from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client, override_settings
from django.urls import Resolver404, resolve, reverse

from apps.creators.forms import MAX_IMPORT_BYTES
from apps.creators.models import CreatorImport
from tests.factories import PASSWORD, CampaignFactory, CreatorFactory

SESSION_COOKIE = settings.SESSION_COOKIE_NAME


def _session_exists(key: str) -> bool:
    return import_module(settings.SESSION_ENGINE).SessionStore().exists(key)


# -- sessions ----------------------------------------------------------------------------


def test_the_session_from_before_sign_in_is_discarded_at_sign_in(team, client):
    anonymous = client.session  # a session an attacker could have planted (fixation)
    anonymous["planted"] = True
    anonymous.save()
    before = anonymous.session_key
    client.cookies[SESSION_COOKIE] = before

    response = client.post(reverse("login"), {"username": "owner@acme.test", "password": PASSWORD})

    assert response.status_code == 302
    after = client.cookies[SESSION_COOKIE].value
    assert after != before
    assert not _session_exists(before)  # the planted key is worthless now


def test_the_signed_in_cookie_is_dead_after_sign_out(team, client):
    client.post(reverse("login"), {"username": "owner@acme.test", "password": PASSWORD})
    cookie = client.cookies[SESSION_COOKIE].value
    assert client.get(reverse("home")).status_code == 200
    assert _session_exists(cookie)

    client.post(reverse("logout"))

    assert not _session_exists(cookie)
    replay = Client()
    replay.cookies[SESSION_COOKIE] = cookie
    response = replay.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert replay.get("/api/v1/me/").status_code in (401, 403)


def test_the_session_cookie_is_http_only_and_same_site(team, client):
    client.post(reverse("login"), {"username": "owner@acme.test", "password": PASSWORD})
    cookie = client.cookies[SESSION_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


# -- sign-in throttling ------------------------------------------------------------------


def _fail_until_locked(client, email):
    """The failure limit's last attempt is the one that locks."""
    for attempt in range(1, settings.AXES_FAILURE_LIMIT + 1):
        response = client.post(reverse("login"), {"username": email, "password": "wrong-one"})
        assert response.status_code == (429 if attempt == settings.AXES_FAILURE_LIMIT else 200)


def test_sign_in_locks_after_the_failure_limit_even_with_the_right_password(team, client):
    _fail_until_locked(client, "owner@acme.test")

    response = client.post(reverse("login"), {"username": "owner@acme.test", "password": PASSWORD})

    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    assert SESSION_COOKIE not in client.cookies or not client.cookies[SESSION_COOKIE].value


def test_the_lock_holds_one_email_from_one_address_not_the_whole_account(team, client):
    """Locking per email + IP: an attacker elsewhere cannot lock the owner out."""
    _fail_until_locked(client, "owner@acme.test")

    teammate = Client().post(
        reverse("login"), {"username": "teammate@acme.test", "password": PASSWORD}
    )
    assert teammate.status_code == 302
    elsewhere = Client().post(
        reverse("login"),
        {"username": "owner@acme.test", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.9",
    )
    assert elsewhere.status_code == 302


# -- Content Security Policy ----------------------------------------------------------------


class _PageScan(HTMLParser):
    """Collects what an enforced CSP would block: scripts, inline styles and handlers."""

    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []
        self.inline_script_text = ""
        self.style_attributes: list[str] = []
        self.handlers: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes)
            self._in_script = True
        if "style" in attributes:
            self.style_attributes.append(tag)
        self.handlers += [f"{tag} {name}" for name in attributes if name.startswith("on")]

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.inline_script_text += data.strip()


def _policy(response) -> dict[str, list[str]]:
    assert "Content-Security-Policy-Report-Only" not in response.headers
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def _script_nonce(policy) -> str:
    [nonce] = [v for v in policy["script-src"] if v.startswith("'nonce-")]
    return nonce.removeprefix("'nonce-").removesuffix("'")


def _main_pages(team) -> list[str]:
    creator = CreatorFactory(workspace=team.workspace)
    campaign = CampaignFactory(workspace=team.workspace)
    return [
        reverse("home"),
        reverse("creator_list"),
        reverse("creator_detail", args=[creator.pk]),
        reverse("creator_add"),
        reverse("creator_import"),
        reverse("connections"),
        reverse("campaign_list"),
        reverse("campaign_detail", args=[campaign.pk]),
        reverse("campaign_board", args=[campaign.pk]),
        reverse("members"),
    ]


def test_the_csp_is_enforced_with_a_nonce_and_no_unsafe_script_sources(team, owner_client):
    for url in _main_pages(team):
        response = owner_client.get(url)
        assert response.status_code == 200, url
        policy = _policy(response)
        assert "'self'" in policy["script-src"], url
        assert not {"'unsafe-eval'", "'unsafe-inline'", "*"} & set(policy["script-src"]), url
        assert "'unsafe-inline'" not in policy["style-src"], url
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["default-src"] == ["'self'"]

        nonce = _script_nonce(policy)
        scan = _PageScan()
        scan.feed(response.content.decode())
        assert scan.scripts, url
        assert scan.inline_script_text == "", f"inline script on {url}"
        # Every script is one of our files ('self'); those that carry a nonce carry this one.
        for script in scan.scripts:
            assert script["src"].startswith("/static/"), (url, script)
            assert script.get("nonce", nonce) == nonce, (url, script)
        assert any(script.get("nonce") == nonce for script in scan.scripts), url
        # Blocked by the policy, so they must not be there: they would silently do nothing.
        assert scan.style_attributes == [], f"inline style= on {url}: {scan.style_attributes}"
        assert scan.handlers == [], f"on*= handlers on {url}: {scan.handlers}"


def test_htmx_is_configured_to_work_without_eval_or_inline_styles(team, owner_client):
    html = owner_client.get(reverse("home")).content.decode()
    assert '"allowEval": false' in html
    assert '"includeIndicatorStyles": false' in html
    assert "htmx" in html  # the vendored htmx script is on the page, with the nonce


def test_every_response_gets_a_fresh_nonce(team, owner_client):
    first = _script_nonce(_policy(owner_client.get(reverse("home"))))
    second = _script_nonce(_policy(owner_client.get(reverse("home"))))
    assert first != second
    assert len(first) >= 16


def test_the_sign_in_page_is_under_the_same_policy(client):
    response = client.get(reverse("login"))
    policy = _policy(response)
    assert not {"'unsafe-eval'", "'unsafe-inline'"} & set(policy["script-src"])
    assert _script_nonce(policy) in response.content.decode()


def test_the_api_docs_relax_only_styles(team, owner_client):
    policy = _policy(owner_client.get(reverse("api-docs")))
    assert "'unsafe-inline'" in policy["style-src"]  # Swagger UI's inline <style>
    assert not {"'unsafe-eval'", "'unsafe-inline'"} & set(policy["script-src"])


# -- headers and CSRF ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/api/v1/me/", "/login/"])
def test_security_headers_are_on_pages_and_the_api(team, owner_client, path):
    response = (Client() if path == "/login/" else owner_client).get(path)
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_a_form_post_without_the_csrf_token_is_refused(team):
    client = Client(enforce_csrf_checks=True)
    client.force_login(team.owner)
    response = client.post(reverse("workspace_new"), {"name": "Sneaky"})
    assert response.status_code == 403
    assert not team.owner.memberships.filter(workspace__name="Sneaky").exists()


# -- CSV uploads -----------------------------------------------------------------------------


def test_an_oversized_csv_gets_a_form_error_and_nothing_is_stored(team, owner_client):
    big = b"name,platform,handle\n" + b"a,instagram,b\n" * (MAX_IMPORT_BYTES // 14 + 1)
    assert len(big) > MAX_IMPORT_BYTES
    response = owner_client.post(
        reverse("creator_import"), {"file": SimpleUploadedFile("big.csv", big, "text/csv")}
    )
    assert response.status_code == 200
    [message] = response.context["form"].errors["file"]
    assert "the limit is 5 MB" in message
    assert "the limit is 5 MB" in response.content.decode()
    assert not CreatorImport.objects.exists()


def test_no_model_stores_uploaded_files_and_no_url_serves_media():
    """Uploads are parsed in memory and kept as rows (CreatorImport.rows), never as files:
    nothing a user uploads can land where the web server serves or executes it."""
    file_fields = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    ]
    assert file_fields == []
    assert settings.MEDIA_ROOT == ""
    with pytest.raises(Resolver404):
        resolve("/media/creators.csv")
    # Upload temp files (over FILE_UPLOAD_MAX_MEMORY_SIZE) go to the system temp folder.
    assert settings.FILE_UPLOAD_TEMP_DIR is None


@override_settings(AXES_IPWARE_PROXY_COUNT=1)  # TRUSTED_PROXY_COUNT=1: one proxy in front
def test_behind_a_proxy_the_lock_follows_the_visitor_not_the_proxy(team):
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    attacker = Client(HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    _fail_until_locked(attacker, "owner@acme.test")

    # The owner, through the same proxy from another address, still signs in.
    owner = Client(HTTP_X_FORWARDED_FOR="198.51.100.8", **proxy)
    response = owner.post(reverse("login"), {"username": "owner@acme.test", "password": PASSWORD})
    assert response.status_code == 302
    # A forged left-hand X-Forwarded-For entry does not free the attacker.
    forged = Client(HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.7", **proxy)
    response = forged.post(reverse("login"), {"username": "owner@acme.test", "password": PASSWORD})
    assert response.status_code == 429
