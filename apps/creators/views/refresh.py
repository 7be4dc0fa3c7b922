"""Stats refresh pages: Connections (credentials), Refresh status, and "Refresh now"."""

from datetime import UTC, datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from apps.accounts.models import Role
from apps.accounts.scoping import HtmxHttpRequest, workspace_required

from .. import connections as connection_services
from ..connection_forms import ConnectionForm, kind_choices
from ..models import Connection, Creator
from ..quota import budget_for
from ..refresh_status import progress, refresh_request, workspace_status

PROGRESS_TEMPLATE = "creators/refresh/progress.html"


def _connection(request: HtmxHttpRequest, pk: int) -> Connection:
    return get_object_or_404(Connection.objects.for_workspace(request.workspace), pk=pk)


# -- Connections -------------------------------------------------------------------------


@require_GET
@workspace_required
def connections(request: HtmxHttpRequest) -> HttpResponse:
    status = workspace_status(workspace=request.workspace)
    return TemplateResponse(
        request,
        "creators/refresh/connections.html",
        {
            "rows": status.connections,
            "unreached_platforms": status.unreached_platforms,
            "kinds": kind_choices(),
            "can_change": request.membership.has_role(Role.MANAGER),
        },
    )


@require_http_methods(["GET", "POST"])
@workspace_required(role=Role.MANAGER, write_role=Role.MANAGER)
def connection_add(request: HtmxHttpRequest) -> HttpResponse:
    kind = request.GET.get("kind") or request.POST.get("kind") or ""
    if kind not in dict(kind_choices()):
        raise Http404("Unknown kind of connection.")
    form = ConnectionForm(request.POST or None, workspace=request.workspace, kind=kind)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            connection = connection_services.connection_create(
                workspace=request.workspace,
                kind=kind,
                name=data["name"],
                platform=data.get("platform") or "",
                secret=data.get("secret") or "",
                refresh_token=data.get("refresh_token") or "",
                ig_user_id=data.get("ig_user_id") or "",
                ig_username=data.get("ig_username") or "",
                account=data.get("account"),
                token_expires_at=_aware(data.get("token_expires_at")),
                daily_quota=data.get("daily_quota"),
                created_by=request.user,
            )
        except (ValidationError, IntegrityError) as exc:
            form.add_error(None, _reason(exc))
        else:
            messages.success(request, f"{connection} added. Test it to check the credential.")
            return redirect("connections")
    context = {"form": form, "kind": kind, "kind_label": dict(kind_choices())[kind]}
    return TemplateResponse(request, "creators/refresh/connection_form.html", context)


@require_http_methods(["GET", "POST"])
@workspace_required(role=Role.MANAGER, write_role=Role.MANAGER)
def connection_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    connection = _connection(request, pk)
    initial = {
        "name": connection.name,
        "ig_user_id": connection.ig_user_id,
        "ig_username": connection.ig_username,
        "daily_quota": connection.daily_quota,
        "token_expires_at": connection.token_expires_at,
    }
    form = ConnectionForm(
        request.POST or None,
        initial=initial,
        workspace=request.workspace,
        kind=connection.kind,
        connection=connection,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        connection_services.connection_update(
            connection=connection,
            name=data["name"],
            secret=data.get("secret") or "",
            refresh_token=data.get("refresh_token") or "",
            ig_user_id=data.get("ig_user_id") if "ig_user_id" in form.fields else None,
            ig_username=data.get("ig_username") if "ig_username" in form.fields else None,
            daily_quota=data.get("daily_quota"),
            token_expires_at=_aware(data.get("token_expires_at")),
        )
        messages.success(request, f"{connection} saved.")
        return redirect("connections")
    context = {
        "form": form,
        "connection": connection,
        "kind": connection.kind,
        "kind_label": connection.get_kind_display(),
    }
    return TemplateResponse(request, "creators/refresh/connection_form.html", context)


@require_POST
@workspace_required(role=Role.MANAGER, write_role=Role.MANAGER)
@vary_on_headers("HX-Request")
def connection_test(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    connection = _connection(request, pk)
    result = connection_services.connection_test(connection=connection)
    connection.refresh_from_db()
    level = "success" if result.ok else "error"
    if request.htmx:
        response = TemplateResponse(
            request,
            "creators/refresh/connections.html#connection_row",
            {
                "row": {"connection": connection, "budget": budget_for(connection).state()},
                "can_change": True,
                "test_result": result,
            },
        )
        return trigger_client_event(response, "toast", {"text": result.message, "level": level})
    getattr(messages, level)(request, f"{connection}: {result.message}")
    return redirect("connections")


@require_POST
@workspace_required(role=Role.MANAGER, write_role=Role.MANAGER)
def connection_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    connection = _connection(request, pk)
    connection_services.connection_delete(connection=connection)
    messages.success(request, f"{connection} deleted. Its accounts keep their numbers.")
    return redirect("connections")


# -- Refresh status and "Refresh now" ---------------------------------------------------


@require_GET
@workspace_required
@vary_on_headers("HX-Request")
def refresh_status(request: HtmxHttpRequest) -> HttpResponse:
    template = "creators/refresh/status.html"
    if request.htmx:
        template += "#status_body"
    context = {"status": workspace_status(workspace=request.workspace)}
    return TemplateResponse(request, template, context)


@require_POST
@workspace_required
@vary_on_headers("HX-Request")
def refresh_now(request: HtmxHttpRequest) -> HttpResponse:
    """Takes `creator` (all its accounts) or one or more `account` ids, from this workspace."""
    workspace = request.workspace
    ids = _ids(request.POST.getlist("account"))
    creator_ids = _ids([request.POST.get("creator", "")])
    if creator_ids:
        creator = get_object_or_404(Creator.objects.for_workspace(workspace), pk=creator_ids[0])
        ids += list(creator.accounts.values_list("pk", flat=True))
    if not ids:
        raise Http404("Choose at least one account.")
    started = timezone.now()
    result = refresh_request(workspace=workspace, account_ids=ids, now=started)
    if not result.account_ids:
        raise Http404("No such account.")
    watched = result.queued + result.already_queued
    state = progress(workspace=workspace, account_ids=watched, since=started)
    context = {
        "progress": state,
        "unreachable": result.unreachable,
        "poll_url": _progress_url(watched, started),
        "back_url": _back_url(request),
    }
    if request.htmx:
        return TemplateResponse(request, PROGRESS_TEMPLATE + "#progress", context)
    return TemplateResponse(request, PROGRESS_TEMPLATE, context)


@require_GET
@workspace_required
@vary_on_headers("HX-Request")
def refresh_progress(request: HtmxHttpRequest) -> HttpResponse:
    ids = _ids(request.GET.get("accounts", "").split(","))
    try:
        since = datetime.fromtimestamp(float(request.GET.get("since", "")), UTC)
    except (ValueError, OverflowError, OSError):
        since = timezone.now()
    state = progress(workspace=request.workspace, account_ids=ids, since=since)
    context = {
        "progress": state,
        "unreachable": [],
        "poll_url": _progress_url(ids, since),
        "back_url": _back_url(request),
    }
    if request.htmx:
        return TemplateResponse(request, PROGRESS_TEMPLATE + "#progress", context)
    return TemplateResponse(request, PROGRESS_TEMPLATE, context)


# -- helpers ------------------------------------------------------------------------------


def _ids(values) -> list[int]:
    return [int(value) for value in values if str(value).strip().isdecimal()][:500]


def _progress_url(ids, since: datetime) -> str:
    accounts = ",".join(str(pk) for pk in ids)
    return f"{reverse('refresh_progress')}?accounts={accounts}&since={since.timestamp():.3f}"


def _back_url(request: HtmxHttpRequest) -> str:
    """Where "Back" goes: a local path the form gave, else the status page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and not candidate.startswith("//"):
        return candidate
    return reverse("refresh_status")


def _aware(value):
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value, UTC)
    return value


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return "This workspace already has a connection for that platform."
