"""TikTok connect: a member's signed link, the creator's consent, the code exchange."""

import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import respx
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.creators import connections, tiktok_connect
from apps.creators.models import Connection
from tests.factories import SocialAccountFactory

SITE = "https://microreach.test"
# The shape TikTok's POST /v2/oauth/token/ answers an authorization_code grant with.
TOKEN_REPLY = {
    "access_token": "act.x",
    "expires_in": 86400,
    "open_id": "-000Hm8K2bKs2t0n5hXwQ9rTz1lA3pV7yY",
    "refresh_expires_in": 31536000,
    "refresh_token": "rft.x",
    "scope": "user.info.basic,video.list",
    "token_type": "Bearer",
}
INVALID_GRANT = {
    "error": "invalid_grant",
    "error_description": "Authorization code is expired.",
    "log_id": "20261125121410C1D2E3F4A5B6C7D8E9F0",
}


@pytest.fixture(autouse=True)
def tiktok_app(settings):
    settings.TIKTOK_CLIENT_KEY = "aw-client-key"
    settings.TIKTOK_CLIENT_SECRET = "client-secret"
    settings.SITE_URL = SITE
    settings.TIKTOK_API_BASE = "https://open.tiktokapis.com"
    settings.TIKTOK_AUTH_URL = "https://www.tiktok.com/v2/auth/authorize/"
    return settings


@pytest.fixture
def token_endpoint():
    with respx.mock(base_url="https://open.tiktokapis.com", assert_all_called=False) as api:
        yield api.post("/v2/oauth/token/")


@pytest.fixture
def account(team):
    return SocialAccountFactory(creator__workspace=team.workspace, platform="tiktok", handle="mia")


def _link_path(account) -> str:
    return urlsplit(tiktok_connect.link_make(account=account)).path


def _start(client: Client, account) -> str:
    """Opens the link and follows "Continue to TikTok"; returns the state sent to TikTok."""
    response = client.get(_link_path(account) + "?start=1")
    assert response.status_code == 302
    return parse_qs(urlsplit(response["Location"]).query)["state"][0]


def _callback(client: Client, **params):
    return client.get(reverse("tiktok_connect_callback"), params)


# -- the link a member makes ----------------------------------------------------------------


def test_a_member_makes_a_link_for_the_tiktok_account(team, account):
    response = team.client_for(team.teammate).post(reverse("tiktok_link", args=[account.pk]))
    assert response.status_code == 200
    link = response.context["link"]
    assert link.startswith(f"{SITE}/connect/tiktok/")
    assert link in response.content.decode()
    assert "A new link was made" in response.content.decode()
    target = tiktok_connect.link_read(urlsplit(link).path.split("/")[3])
    assert (target.workspace_id, target.account_id) == (team.workspace.pk, account.pk)


def test_a_viewer_cannot_make_a_link(team, account):
    client = team.client_for(team.viewer)
    assert client.get(reverse("tiktok_link", args=[account.pk])).status_code == 403
    assert client.post(reverse("tiktok_link", args=[account.pk])).status_code == 403


def test_an_outsider_gets_404(team, account):
    client = team.client_for(team.outsider)
    assert client.post(reverse("tiktok_link", args=[account.pk])).status_code == 404


def test_a_link_for_a_non_tiktok_account_is_refused(team, owner_client):
    instagram = SocialAccountFactory(creator__workspace=team.workspace, platform="instagram")
    response = owner_client.post(reverse("tiktok_link", args=[instagram.pk]))
    assert response.status_code == 400
    assert "Only TikTok accounts" in response.content.decode()
    assert "link" not in response.context
    with pytest.raises(ValueError):
        tiktok_connect.link_make(account=instagram)


def test_without_a_client_key_the_page_says_what_the_operator_must_set(
    team, owner_client, account, tiktok_app
):
    tiktok_app.TIKTOK_CLIENT_KEY = ""
    response = owner_client.post(reverse("tiktok_link", args=[account.pk]))
    assert "TIKTOK_CLIENT_KEY" in response.content.decode()
    assert "link" not in response.context


def test_the_creator_page_offers_the_link_on_tiktok_accounts_to_members_only(team, account):
    SocialAccountFactory(creator=account.creator, platform="instagram")
    url = reverse("creator_detail", args=[account.creator_id])
    page = team.client_for(team.teammate).get(url).content.decode()
    assert page.count("Get a TikTok connect link") == 1
    assert reverse("tiktok_link", args=[account.pk]) in page
    assert "Get a TikTok connect link" not in team.client_for(team.viewer).get(url).content.decode()


# -- the creator's pages ----------------------------------------------------------------------


def test_the_connect_page_explains_what_is_read_without_a_login(client, team, account):
    response = client.get(_link_path(account))
    assert response.status_code == 200
    page = response.content.decode()
    assert "@mia" in page and team.workspace.name in page
    assert "read-only" in page or "only read" in page
    assert 'href="?start=1"' in page


def test_a_tampered_link_shows_a_clear_page(client, account):
    path = _link_path(account)
    response = client.get(path[:-3] + "xyz/")
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    forged = signing.dumps({"w": account.workspace_id, "a": account.pk}, salt="other")
    assert client.get(reverse("tiktok_connect", args=[forged])).status_code == 400


def test_an_expired_link_shows_a_clear_page(client, account, monkeypatch):
    eight_days_ago = time.time() - timedelta(days=8).total_seconds()
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: eight_days_ago)
        path = _link_path(account)
    response = client.get(path)
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_a_link_for_a_deleted_account_shows_a_clear_page(client, account):
    path = _link_path(account)
    account.delete()
    response = client.get(path)
    assert response.status_code == 400
    assert "no longer listed" in response.content.decode()


def test_continue_redirects_to_tiktok_with_the_right_params(client, account):
    response = client.get(_link_path(account) + "?start=1")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == (
        "https://www.tiktok.com/v2/auth/authorize/"
    )
    params = {key: values[0] for key, values in parse_qs(location.query).items()}
    assert params["client_key"] == "aw-client-key"
    assert params["scope"] == "user.info.basic,user.info.profile,user.info.stats,video.list"
    assert params["response_type"] == "code"
    assert params["redirect_uri"] == f"{SITE}/connect/tiktok/callback/"
    state = signing.loads(params["state"], salt=tiktok_connect.STATE_SALT)
    assert (state["w"], state["a"]) == (account.workspace_id, account.pk)
    assert state["n"] == client.session[tiktok_connect.SESSION_NONCE]


# -- the callback ---------------------------------------------------------------------------


def test_a_good_callback_exchanges_the_code_and_stores_the_tokens_encrypted(
    client, account, token_endpoint
):
    token_endpoint.mock(return_value=httpx.Response(200, json=TOKEN_REPLY))
    state = _start(client, account)
    response = _callback(client, code="auth-code-1", state=state, scopes="user.info.basic")
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    sent = parse_qs(token_endpoint.calls.last.request.content.decode())
    assert sent == {
        "client_key": ["aw-client-key"],
        "client_secret": ["client-secret"],
        "code": ["auth-code-1"],
        "grant_type": ["authorization_code"],
        "redirect_uri": [f"{SITE}/connect/tiktok/callback/"],
    }
    connection = Connection.objects.get(account=account)
    assert connection.kind == Connection.Kind.TIKTOK_OAUTH
    assert connection.workspace_id == account.workspace_id
    assert "act.x" not in connection.secret_encrypted
    assert "rft.x" not in connection.refresh_token_encrypted
    assert connections.secret_of(connection) == "act.x"
    assert connections.decrypt(connection.refresh_token_encrypted) == "rft.x"
    in_a_day = timezone.now() + timedelta(days=1)
    assert abs(connection.token_expires_at - in_a_day) < timedelta(minutes=1)
    assert connection.refresh_expires_at > timezone.now() + timedelta(days=364)
    # The reply lacked the stats scopes: the creator is told what is missing.
    assert "user.info.stats" in response.content.decode()


def test_connecting_again_updates_the_accounts_connection(client, account, token_endpoint):
    old = connections.connection_create(
        workspace=account.workspace,
        kind=Connection.Kind.TIKTOK_OAUTH,
        name="TikTok @mia",
        secret="act.old",
        refresh_token="rft.old",
        account=account,
    )
    connections.connection_mark_broken(connection=old, message="token revoked")
    token_endpoint.mock(return_value=httpx.Response(200, json=TOKEN_REPLY))
    _callback(client, code="auth-code-2", state=_start(client, account))
    connection = Connection.objects.get(account=account)
    assert connection.pk == old.pk
    assert connections.secret_of(connection) == "act.x"
    assert connection.status == Connection.Status.UNTESTED
    assert connection.refresh_expires_at is not None


def test_a_state_from_another_session_is_refused(client, account, token_endpoint):
    state = _start(client, account)
    response = _callback(Client(), code="auth-code-1", state=state)
    assert response.status_code == 400
    assert "another browser" in response.content.decode()
    assert not token_endpoint.called
    assert not Connection.objects.filter(account=account).exists()


def test_a_state_is_good_for_one_callback(client, account, token_endpoint):
    token_endpoint.mock(return_value=httpx.Response(200, json=TOKEN_REPLY))
    state = _start(client, account)
    assert _callback(client, code="auth-code-1", state=state).status_code == 200
    assert _callback(client, code="auth-code-1", state=state).status_code == 400
    assert token_endpoint.call_count == 1


def test_a_forged_state_is_refused(client, account, token_endpoint):
    _start(client, account)
    nonce = client.session[tiktok_connect.SESSION_NONCE]
    forged = signing.dumps({"w": account.workspace_id, "a": account.pk, "n": nonce}, salt="x")
    response = _callback(client, code="auth-code-1", state=forged)
    assert response.status_code == 400
    assert not token_endpoint.called


def test_declining_on_tiktok_says_nothing_was_shared(client, account, token_endpoint):
    state = _start(client, account)
    response = _callback(
        client, error="access_denied", error_description="User canceled", state=state
    )
    assert response.status_code == 200
    assert "nothing was shared" in response.content.decode()
    assert not token_endpoint.called
    assert not Connection.objects.filter(account=account).exists()


def test_a_failed_exchange_shows_a_clear_page_and_stores_nothing(client, account, token_endpoint):
    token_endpoint.mock(return_value=httpx.Response(400, json=INVALID_GRANT))
    response = _callback(client, code="stale-code", state=_start(client, account))
    assert response.status_code == 502
    assert "nothing was stored" in response.content.decode()
    assert not Connection.objects.filter(account=account).exists()


def test_tiktok_being_unreachable_shows_a_clear_page(client, account, token_endpoint):
    token_endpoint.mock(side_effect=httpx.ConnectError("no route"))
    response = _callback(client, code="auth-code-1", state=_start(client, account))
    assert response.status_code == 502
    assert not Connection.objects.filter(account=account).exists()
