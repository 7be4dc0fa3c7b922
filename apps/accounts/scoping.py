"""The one place that decides which workspace a request acts in, and what the user may do there."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import redirect
from django_htmx.middleware import HtmxDetails

from .models import Membership, Role, Workspace

SESSION_KEY = "workspace_id"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def membership_for(user, preferred_workspace_id=None) -> Membership | None:
    """The user's membership in the preferred workspace, else in their first workspace."""
    if not user.is_authenticated:
        return None
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("workspace")
        .order_by("workspace__name", "pk")
    )
    for membership in memberships:
        if str(membership.workspace_id) == str(preferred_workspace_id):
            return membership
    return memberships[0] if memberships else None


def remember_workspace(request, workspace) -> None:
    request.session[SESSION_KEY] = workspace.pk


def workspace_required(view=None, *, role: str = Role.VIEWER, write_role: str = Role.MEMBER):
    """Signed in, with a workspace, and a role high enough for the request.

    Reading needs `role`; unsafe methods (POST, PUT, ...) need at least `write_role`,
    so a viewer is read-only on every page that uses this decorator.
    """

    def decorator(view_func):
        @login_required
        @wraps(view_func)
        def wrapped(request, *args, **kwargs):
            membership = request.membership
            if membership is None:
                return redirect("workspace_new")
            needed = (
                role if request.method in SAFE_METHODS else max(role, write_role, key=Role.rank)
            )
            if not membership.has_role(needed):
                raise PermissionDenied(
                    f"This needs the {Role(needed).label.lower()} role or higher."
                )
            return view_func(request, *args, **kwargs)

        return wrapped

    return decorator(view) if view is not None else decorator


class HtmxHttpRequest(HttpRequest):
    """What every app view receives: django-htmx details plus the workspace set by the middleware."""

    htmx: HtmxDetails
    workspace: Workspace | None
    membership: Membership | None
