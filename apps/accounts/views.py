from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.authtoken.models import Token

from . import attention, services
from .forms import AcceptInvitationForm, InvitationForm, MembershipRoleForm, WorkspaceForm
from .models import Invitation, Membership, Role, User
from .scoping import membership_for, remember_workspace, workspace_required


@require_http_methods(["GET"])
@workspace_required
def home(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(
        request,
        "accounts/home.html",
        {"attention_items": attention.items_for(request.workspace)},
    )


@require_POST
@login_required
def workspace_switch(request: HttpRequest) -> HttpResponse:
    # Only a workspace the user belongs to can be chosen; anything else is a 404.
    membership = membership_for(request.user, request.POST.get("workspace"))
    if membership is None or str(membership.workspace_id) != request.POST.get("workspace"):
        return HttpResponse("No such workspace.", status=404)
    remember_workspace(request, membership.workspace)
    messages.success(request, f"Switched to {membership.workspace.name}.")
    return redirect("home")


@require_http_methods(["GET", "POST"])
@login_required
def workspace_new(request: HttpRequest) -> HttpResponse:
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        workspace = services.workspace_create(name=form.cleaned_data["name"], owner=request.user)
        remember_workspace(request, workspace)
        messages.success(request, f"Workspace {workspace.name} created. You are its owner.")
        return redirect("home")
    return TemplateResponse(request, "accounts/workspace_new.html", {"form": form})


@require_http_methods(["GET", "POST"])
@workspace_required(write_role=Role.MANAGER)
def members(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace
    form = InvitationForm(
        request.POST or None, workspace=workspace, inviter_membership=request.membership
    )
    if request.method == "POST" and form.is_valid():
        services.invitation_send(
            workspace=workspace,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            invited_by=request.user,
        )
        messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
        return redirect("members")
    context = {
        "form": form,
        "memberships": Membership.objects.for_workspace(workspace).select_related("user"),
        "invitations": Invitation.objects.for_workspace(workspace)
        .pending()
        .select_related("invited_by"),
        "roles": Role.choices,
    }
    return TemplateResponse(request, "accounts/members.html", context)


@require_POST
@workspace_required(write_role=Role.MANAGER)
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(
        Invitation.objects.for_workspace(request.workspace).pending(), pk=pk
    )
    invitation.revoke()
    messages.success(request, f"Invitation for {invitation.email} revoked.")
    return redirect("members")


@require_POST
@workspace_required(write_role=Role.OWNER)
def membership_role(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.for_workspace(request.workspace), pk=pk)
    form = MembershipRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the listed roles.")
        return redirect("members")
    try:
        services.membership_change_role(
            membership=membership, role=form.cleaned_data["role"], by=request.membership
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"{membership.user.email} is now {membership.get_role_display().lower()}."
        )
    return redirect("members")


@require_POST
@workspace_required(write_role=Role.OWNER)
def membership_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.for_workspace(request.workspace), pk=pk)
    try:
        services.membership_remove(membership=membership)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{membership.user.email} was removed from the workspace.")
    return redirect("members")


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = Invitation.objects.select_related("workspace").filter(token=token).first()
    if invitation is None or not invitation.is_usable:
        state = invitation.state if invitation else "unknown"
        return TemplateResponse(
            request,
            "accounts/invitation_unusable.html",
            {"state": state},
            status=410 if invitation else 404,
        )

    existing_user = User.objects.filter(email=invitation.email).first()
    if request.user.is_authenticated or existing_user:
        if not request.user.is_authenticated:
            messages.info(
                request, f"Sign in as {invitation.email} to join {invitation.workspace.name}."
            )
            return redirect(f"{reverse('login')}?next={invitation.get_absolute_url()}")
        if request.method == "POST":
            try:
                membership = services.invitation_accept(invitation=invitation, user=request.user)
            except PermissionDenied as exc:
                messages.error(request, str(exc))
                return redirect("home")
            remember_workspace(request, membership.workspace)
            messages.success(request, f"Welcome to {membership.workspace.name}.")
            return redirect("home")
        return TemplateResponse(
            request, "accounts/invitation_accept.html", {"invitation": invitation, "form": None}
        )

    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        user = User.objects.create_user(
            invitation.email,
            form.cleaned_data["password"],
            full_name=form.cleaned_data["full_name"],
        )
        membership = services.invitation_accept(invitation=invitation, user=user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        remember_workspace(request, membership.workspace)
        messages.success(request, f"Welcome to {membership.workspace.name}.")
        return redirect("home")
    return TemplateResponse(
        request, "accounts/invitation_accept.html", {"invitation": invitation, "form": form}
    )


@require_http_methods(["GET", "POST"])
@login_required
def api_token(request: HttpRequest) -> HttpResponse:
    token = Token.objects.filter(user=request.user).first()
    new_key = None
    if request.method == "POST":
        if token:
            token.delete()
        token = Token.objects.create(user=request.user)
        new_key = token.key  # shown once, right after it is made
        messages.success(
            request, "A new API token was created. Copy it now: it will not be shown again."
        )
    return TemplateResponse(
        request, "accounts/api_token.html", {"has_token": token is not None, "new_key": new_key}
    )
