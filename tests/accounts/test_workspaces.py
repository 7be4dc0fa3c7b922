import pytest
from django.urls import reverse

from apps.accounts import attention
from apps.accounts.models import Membership, Role
from tests.factories import UserFactory, WorkspaceFactory


def test_home_shows_the_workspace_and_an_empty_attention_list(
    team, owner_client, django_assert_max_num_queries
):
    # Session, user, membership, then one or two per "needs attention" provider:
    # connections (creators), follow-ups (campaigns), overdue deliverables and
    # approvals (contracts), failed disclosure checks (reporting).
    with django_assert_max_num_queries(9):
        response = owner_client.get(reverse("home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Acme Brand" in body
    assert "Nothing needs your attention." in body


def test_home_lists_what_apps_register_as_needing_attention(team, owner_client):
    def reminders(workspace):
        return [
            attention.AttentionItem(
                kind="Reminder", title=f"Follow up for {workspace.name}", url="/x/"
            )
        ]

    attention.register(reminders)
    try:
        body = owner_client.get(reverse("home")).content.decode()
    finally:
        attention._providers.remove(reminders)
    assert "Follow up for Acme Brand" in body


def test_switching_to_own_workspace_changes_home(team, owner_client):
    second = WorkspaceFactory(name="Zeta Shop")
    Membership.objects.create(workspace=second, user=team.owner, role=Role.VIEWER)

    response = owner_client.post(reverse("workspace_switch"), {"workspace": second.pk})
    assert response.status_code == 302
    body = owner_client.get(reverse("home")).content.decode()
    assert "<h1>Zeta Shop</h1>" in body
    assert "You are viewer in this workspace." in body


def test_switching_to_someone_elses_workspace_is_404(team, owner_client):
    response = owner_client.post(
        reverse("workspace_switch"), {"workspace": team.other_workspace.pk}
    )
    assert response.status_code == 404
    assert "<h1>Acme Brand</h1>" in owner_client.get(reverse("home")).content.decode()


def test_user_without_workspace_is_asked_to_create_one(db, client):
    user = UserFactory()
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("workspace_new")

    response = client.post(reverse("workspace_new"), {"name": "Fresh Co"})
    assert response.status_code == 302
    membership = Membership.objects.get(user=user)
    assert (membership.workspace.name, membership.role) == ("Fresh Co", Role.OWNER)


def test_new_workspace_needs_a_name(db, client):
    client.force_login(UserFactory())
    response = client.post(reverse("workspace_new"), {"name": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_members_page_lists_only_this_workspace(team, owner_client):
    body = owner_client.get(reverse("members")).content.decode()
    assert "teammate@acme.test" in body
    assert "outsider@rival.test" not in body


@pytest.mark.parametrize("who", ["teammate", "viewer"])
def test_members_below_manager_cannot_invite(team, who):
    response = team.client_for(getattr(team, who)).post(
        reverse("members"), {"email": "x@y.test", "role": "member"}
    )
    assert response.status_code == 403


def test_owner_changes_a_role(team, owner_client):
    membership = Membership.objects.get(user=team.teammate)
    response = owner_client.post(
        reverse("membership_role", args=[membership.pk]), {"role": Role.MANAGER}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.MANAGER


def test_the_last_owner_cannot_step_down(team, owner_client):
    membership = Membership.objects.get(user=team.owner)
    owner_client.post(reverse("membership_role", args=[membership.pk]), {"role": Role.MEMBER})
    membership.refresh_from_db()
    assert membership.role == Role.OWNER
    body = owner_client.get(reverse("members")).content.decode()
    assert "A workspace needs at least one owner." in body


def test_owner_removes_a_member(team, owner_client):
    membership = Membership.objects.get(user=team.teammate)
    owner_client.post(reverse("membership_remove", args=[membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_teammate_cannot_change_roles(team):
    membership = Membership.objects.get(user=team.viewer)
    response = team.client_for(team.teammate).post(
        reverse("membership_role", args=[membership.pk]), {"role": "owner"}
    )
    assert response.status_code == 403
