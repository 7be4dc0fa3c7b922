from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Invitation, Membership, Role, User, Workspace


@transaction.atomic
def workspace_create(*, name: str, owner: User) -> Workspace:
    workspace = Workspace.objects.create(name=name)
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    return workspace


def invitation_send(*, workspace: Workspace, email: str, role: str, invited_by: User) -> Invitation:
    invitation = Invitation.objects.create(
        workspace=workspace, email=email.lower(), role=role, invited_by=invited_by
    )
    context = {
        "invitation": invitation,
        "url": settings.SITE_URL + invitation.get_absolute_url(),
        "inviter": invited_by,
        "valid_days": settings.INVITATION_VALID_DAYS,
    }
    transaction.on_commit(
        lambda: send_mail(
            subject=f"{invited_by.get_short_name()} invited you to {workspace.name} on Microreach",
            message=render_to_string("accounts/email/invitation.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )
    )
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Turn a usable invitation into a membership; the row lock stops a double accept."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise PermissionDenied(f"This invitation is {invitation.state}.")
    if user.email.lower() != invitation.email:
        raise PermissionDenied(
            f"This invitation was sent to {invitation.email}; you are signed in as {user.email}."
        )
    membership, _ = Membership.objects.get_or_create(
        workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, by: Membership) -> Membership:
    _refuse_to_orphan(membership, new_role=role)
    if not by.has_role(role):
        raise PermissionDenied("You cannot give a role above your own.")
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    _refuse_to_orphan(membership, new_role=None)
    membership.delete()


def _refuse_to_orphan(membership: Membership, *, new_role: str | None) -> None:
    """A workspace must always keep at least one owner."""
    if membership.role != Role.OWNER or new_role == Role.OWNER:
        return
    owners = Membership.objects.select_for_update().filter(
        workspace=membership.workspace_id, role=Role.OWNER
    )
    if owners.count() <= 1:
        raise PermissionDenied(
            "A workspace needs at least one owner. Make someone else owner first."
        )
