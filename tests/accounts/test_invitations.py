from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Invitation, Membership, Role
from tests.factories import PASSWORD, InvitationFactory, UserFactory


def _invite(team, client, email="newbie@acme.test", role=Role.MEMBER):
    response = client.post(reverse("members"), {"email": email, "role": role})
    assert response.status_code == 302, response.content.decode()
    return Invitation.objects.get(email=email)


def test_owner_invites_and_the_email_carries_the_link(
    team, owner_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(team, owner_client)
    assert invitation.workspace == team.workspace
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["newbie@acme.test"]
    assert invitation.get_absolute_url() in mail.outbox[0].body


def test_a_new_person_accepts_by_choosing_a_password(team, owner_client, client):
    invitation = _invite(team, owner_client)
    response = client.post(
        invitation.get_absolute_url(), {"full_name": "New Bie", "password": "a-long-new-password-1"}
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="newbie@acme.test")
    assert (membership.workspace, membership.role) == (team.workspace, Role.MEMBER)
    assert client.get(reverse("home")).status_code == 200


def test_a_weak_password_is_refused_and_the_name_kept(team, owner_client, client):
    invitation = _invite(team, owner_client)
    response = client.post(
        invitation.get_absolute_url(), {"full_name": "New Bie", "password": "123"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "too short" in body
    assert 'value="New Bie"' in body
    assert not Membership.objects.filter(user__email="newbie@acme.test").exists()


def test_an_existing_user_accepts_after_signing_in(team, owner_client, client):
    existing = UserFactory(email="known@acme.test")
    invitation = _invite(team, owner_client, email="known@acme.test")
    response = client.get(invitation.get_absolute_url())
    assert response["Location"].startswith(reverse("login"))
    client.post(reverse("login"), {"username": "known@acme.test", "password": PASSWORD})
    client.post(invitation.get_absolute_url())
    assert Membership.objects.filter(user=existing, workspace=team.workspace).exists()


def test_someone_else_signed_in_cannot_use_the_invitation(team, owner_client):
    invitation = _invite(team, owner_client, email="known@acme.test")
    UserFactory(email="known@acme.test")
    outsider = team.client_for(team.outsider)
    outsider.post(invitation.get_absolute_url())
    assert not Membership.objects.filter(user=team.outsider, workspace=team.workspace).exists()


def test_an_invitation_works_once(team, owner_client, client):
    invitation = _invite(team, owner_client)
    client.post(
        invitation.get_absolute_url(), {"full_name": "A", "password": "a-long-new-password-1"}
    )
    response = team.client_for(team.teammate).get(invitation.get_absolute_url())
    assert response.status_code == 410
    assert "accepted already" in response.content.decode()


def test_expired_and_revoked_invitations_show_a_clear_page(team, client):
    expired = InvitationFactory(
        workspace=team.workspace, expires_at=timezone.now() - timedelta(minutes=1)
    )
    revoked = InvitationFactory(workspace=team.workspace, revoked_at=timezone.now())
    assert "It expired." in client.get(expired.get_absolute_url()).content.decode()
    assert "withdrawn" in client.get(revoked.get_absolute_url()).content.decode()
    assert client.get("/invitations/not-a-real-token/").status_code == 404


def test_manager_revokes_a_pending_invitation(team, owner_client, client):
    invitation = _invite(team, owner_client)
    owner_client.post(reverse("invitation_revoke", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert client.get(invitation.get_absolute_url()).status_code == 410


def test_inviting_an_existing_member_is_refused_with_a_message(team, owner_client):
    response = owner_client.post(
        reverse("members"), {"email": "teammate@acme.test", "role": "member"}
    )
    assert response.status_code == 200
    assert "already a member" in response.content.decode()


def test_a_manager_cannot_invite_an_owner(team):
    Membership.objects.filter(user=team.teammate).update(role=Role.MANAGER)
    response = team.client_for(team.teammate).post(
        reverse("members"), {"email": "boss@acme.test", "role": "owner"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
