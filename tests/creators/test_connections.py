"""The Connections page and its services: encrypted secrets, the credential test, roles."""

import json

import pytest
import respx
from cryptography.fernet import Fernet
from django.urls import reverse

from apps.creators import connections
from apps.creators.models import Connection
from apps.creators.providers.youtube import next_pacific_midnight
from tests.conftest import add_member
from tests.creators.providers.conftest import replay
from tests.creators.refresh_fixtures import channels_reply, fresh_key
from tests.factories import SocialAccountFactory, UserFactory

pytestmark = pytest.mark.django_db

KEY = "AIzaSyD-real-looking-key-1234567890abcd"


@pytest.fixture
def youtube(team) -> Connection:
    return connections.connection_create(
        workspace=team.workspace, kind="youtube_key", name="Main key", secret=fresh_key()
    )


@pytest.fixture
def manager_client(team):
    manager = UserFactory()
    add_member(team.workspace, manager, role="manager")
    return team.client_for(manager)


# -- secrets -----------------------------------------------------------------------------


def test_it_stores_secrets_encrypted_and_shows_only_their_end(team, owner_client):
    connection = connections.connection_create(
        workspace=team.workspace, kind="youtube_key", name="Main key", secret=KEY
    )

    assert KEY not in connection.secret_encrypted
    assert connections.secret_of(connection) == KEY
    assert connection.secret_hint == "abcd"
    page = owner_client.get(reverse("connections")).content.decode()
    assert "••••abcd" in page
    assert KEY not in page
    edit = owner_client.get(reverse("connection_edit", args=[connection.pk])).content.decode()
    assert KEY not in edit
    assert "ending in …abcd" in edit


def test_secrets_survive_a_key_rotation_and_say_so_when_unreadable(team, settings):
    old = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = old
    connection = connections.connection_create(
        workspace=team.workspace, kind="youtube_key", name="Main key", secret=KEY
    )
    settings.FIELD_ENCRYPTION_KEY = f"{Fernet.generate_key().decode()},{old}"
    assert connections.secret_of(connection) == KEY  # the old key still decrypts

    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    with pytest.raises(connections.SecretUnreadable, match="enter it again"):
        connections.secret_of(connection)


def test_the_same_key_in_two_workspaces_shares_one_budget(team):
    a = connections.connection_create(
        workspace=team.workspace, kind="youtube_key", name="A", secret=KEY
    )
    b = connections.connection_create(
        workspace=team.other_workspace, kind="youtube_key", name="B", secret=KEY
    )
    assert a.credential_fingerprint == b.credential_fingerprint
    assert KEY not in a.credential_fingerprint


# -- pages and roles ---------------------------------------------------------------------


def test_a_manager_adds_a_youtube_key(team, manager_client):
    response = manager_client.post(
        reverse("connection_add") + "?kind=youtube_key",
        {"kind": "youtube_key", "name": "Agency key", "secret": KEY, "daily_quota": ""},
    )

    assert response.status_code == 302
    connection = Connection.objects.for_workspace(team.workspace).get()
    assert connection.platform == "youtube"
    assert connection.status == Connection.Status.UNTESTED
    assert connections.secret_of(connection) == KEY


def test_the_form_keeps_input_and_explains_errors(team, owner_client):
    response = owner_client.post(
        reverse("connection_add"),
        {"kind": "instagram_graph", "name": "Our IG", "secret": "", "ig_user_id": "abc"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter the credential." in page
    assert "The account id is a number" in page
    assert 'value="Our IG"' in page
    assert not Connection.objects.exists()


def test_a_second_connection_for_the_same_platform_is_refused(team, owner_client, youtube):
    response = owner_client.post(
        reverse("connection_add"), {"kind": "youtube_key", "name": "Again", "secret": KEY}
    )
    assert "already has a YouTube connection" in response.content.decode()


def test_editing_with_a_blank_secret_keeps_the_stored_one(team, owner_client, youtube):
    stored = connections.secret_of(youtube)
    response = owner_client.post(
        reverse("connection_edit", args=[youtube.pk]), {"name": "Renamed", "secret": ""}
    )

    assert response.status_code == 302
    youtube.refresh_from_db()
    assert youtube.name == "Renamed"
    assert connections.secret_of(youtube) == stored


def test_a_tiktok_authorisation_belongs_to_one_account_of_the_workspace(team, owner_client):
    mine = SocialAccountFactory(creator__workspace=team.workspace, platform="tiktok")
    theirs = SocialAccountFactory(creator__workspace=team.other_workspace, platform="tiktok")
    url = reverse("connection_add") + "?kind=tiktok_oauth"

    refused = owner_client.post(
        url, {"kind": "tiktok_oauth", "name": "X", "secret": "act.x", "account": theirs.pk}
    )
    assert refused.status_code == 200 and not Connection.objects.exists()
    owner_client.post(
        url,
        {
            "kind": "tiktok_oauth",
            "name": "Lena",
            "secret": "act.abc",
            "refresh_token": "rft.abc",
            "account": mine.pk,
        },
    )
    assert Connection.objects.get().account == mine


def test_a_member_sees_connections_but_cannot_change_them(team, youtube):
    member = team.client_for(team.teammate)
    page = member.get(reverse("connections"))
    assert page.status_code == 200
    assert "Main key" in page.content.decode()
    assert "Add a connection" not in page.content.decode()
    assert member.get(reverse("connection_add") + "?kind=youtube_key").status_code == 403
    assert member.post(reverse("connection_delete", args=[youtube.pk])).status_code == 403
    assert member.post(reverse("connection_test", args=[youtube.pk])).status_code == 403
    assert Connection.objects.filter(pk=youtube.pk).exists()


def test_an_outsider_cannot_see_or_touch_another_workspaces_connection(
    team, youtube, outsider_client
):
    assert "Main key" not in outsider_client.get(reverse("connections")).content.decode()
    assert outsider_client.get(reverse("connection_edit", args=[youtube.pk])).status_code == 404
    assert outsider_client.post(reverse("connection_delete", args=[youtube.pk])).status_code == 404
    assert Connection.objects.filter(pk=youtube.pk).exists()


def test_the_owner_deletes_a_connection(team, owner_client, youtube):
    response = owner_client.post(reverse("connection_delete", args=[youtube.pk]))
    assert response.status_code == 302
    assert not Connection.objects.filter(pk=youtube.pk).exists()


# -- the credential test -----------------------------------------------------------------


@pytest.fixture
def youtube_api(settings):
    with respx.mock(base_url=settings.YOUTUBE_API_BASE) as api:
        yield api


def test_testing_a_working_key_makes_one_cheap_call(team, owner_client, youtube, youtube_api):
    route = youtube_api.get("/channels").mock(side_effect=channels_reply())

    response = owner_client.post(reverse("connection_test", args=[youtube.pk]), follow=True)

    assert route.call_count == 1
    assert route.calls.last.request.url.params["id"] == connections.TEST_CHANNEL_ID
    youtube.refresh_from_db()
    assert youtube.status == Connection.Status.OK
    assert youtube.last_tested_at is not None
    assert "The key works" in response.content.decode()


def test_testing_a_rejected_key_says_what_is_wrong_and_marks_it_broken(
    team, owner_client, youtube, youtube_api
):
    youtube_api.get("/channels").mock(return_value=replay("youtube/error_key_invalid"))

    response = owner_client.post(
        reverse("connection_test", args=[youtube.pk]), headers={"HX-Request": "true"}
    )

    page = response.content.decode()
    assert f'id="connection-{youtube.pk}"' in page  # the row, swapped in place
    assert "Rejected" in page and "YouTube Data API v3 is enabled" in page
    toast = json.loads(response["HX-Trigger"])["toast"]
    assert toast["level"] == "error"
    youtube.refresh_from_db()
    assert youtube.status == Connection.Status.BROKEN
    assert connections.secret_of(youtube) not in youtube.status_message


def test_testing_when_the_quota_is_spent_pauses_until_the_reset(
    team, owner_client, youtube, youtube_api
):
    youtube_api.get("/channels").mock(return_value=replay("youtube/error_quota_exceeded"))

    result = connections.connection_test(connection=youtube)

    assert not result.ok and "quota is spent" in result.message
    youtube.refresh_from_db()
    assert youtube.status == Connection.Status.PAUSED
    assert youtube.paused_until == next_pacific_midnight(youtube.last_tested_at)


def test_fixing_a_broken_key_and_testing_it_again_clears_the_break(
    team, owner_client, youtube, youtube_api
):
    connections.connection_mark_broken(connection=youtube, message="keyInvalid")
    owner_client.post(
        reverse("connection_edit", args=[youtube.pk]), {"name": "Main key", "secret": KEY}
    )
    youtube.refresh_from_db()
    assert youtube.status == Connection.Status.UNTESTED
    youtube_api.get("/channels").mock(side_effect=channels_reply())

    assert connections.connection_test(connection=youtube).ok
    youtube.refresh_from_db()
    assert youtube.status == Connection.Status.OK


def test_healthz_lists_broken_connections_without_their_names_or_messages(team, client, youtube):
    connections.connection_mark_broken(connection=youtube, message="Rejected: secret-ish detail")

    body = json.loads(client.get(reverse("healthz")).content)

    assert body["advisories"]["connections"] == (
        f"degraded: 1 broken connection(s): youtube connection #{youtube.pk}"
    )
    assert "Main key" not in json.dumps(body) and "secret-ish" not in json.dumps(body)
    assert set(body["checks"]) == {"database", "redis", "worker"}


def test_healthz_connections_are_ok_when_none_is_broken(team, client, youtube):
    body = json.loads(client.get(reverse("healthz")).content)
    assert body["advisories"] == {"connections": "ok"}
