"""TikTok connect: a member makes a link; the creator (no login) authorises us on TikTok."""

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from apps.accounts.models import Role
from apps.accounts.scoping import workspace_required

from .. import tiktok_connect as connect
from ..models import Platform, SocialAccount
from ..providers import ProviderError

logger = logging.getLogger(__name__)

PROBLEM_TEMPLATE = "creators/refresh/tiktok_connect_problem.html"


@require_http_methods(["GET", "POST"])
@workspace_required(role=Role.MEMBER)
@never_cache
def tiktok_link(request: HttpRequest, pk: int) -> HttpResponse:
    """The link to send the creator. Nothing is stored, so every request may sign a fresh
    one; POST (the creator page's button) says so."""
    account = get_object_or_404(
        SocialAccount.objects.for_workspace(request.workspace).select_related("creator"), pk=pk
    )
    context = {"account": account, "configured": connect.is_configured(), "made": False}
    if account.platform != Platform.TIKTOK:
        context["refused"] = "Only TikTok accounts are connected with a TikTok link."
        return TemplateResponse(request, "creators/refresh/tiktok_link.html", context, status=400)
    if context["configured"]:
        context["link"] = connect.link_make(account=account)
        context["made"] = request.method == "POST"
        context["valid_days"] = connect.LINK_MAX_AGE.days
    return TemplateResponse(request, "creators/refresh/tiktok_link.html", context)


# -- public: the creator's side (the signed value is the credential) ----------------------


@require_GET
@never_cache
def tiktok_connect(request: HttpRequest, signed: str) -> HttpResponse:
    """What we will read and why; `?start=1` (the "Continue" link) goes on to TikTok.

    A link rather than a form: CSP form-action 'self' would stop a form redirecting away."""
    try:
        target = connect.link_read(signed)
        account = connect.account_for(target)
    except connect.LinkInvalid as exc:
        return _problem(request, exc.message, status=410 if exc.expired else 400)
    if not connect.is_configured():
        return _problem(
            request,
            "TikTok connections are not set up on this site yet. Tell the brand that sent you "
            "this link; nothing was shared.",
            status=503,
        )
    if request.GET.get("start"):
        return redirect(connect.authorize_url(target=target, session=request.session))
    context = {"account": account, "workspace_name": account.workspace.name}
    return TemplateResponse(request, "creators/refresh/tiktok_connect.html", context)


@require_GET
@never_cache
def tiktok_connect_callback(request: HttpRequest) -> HttpResponse:
    """TikTok sends the creator back here with `code` and our `state`, or with `error`."""
    error = request.GET.get("error", "")
    if error == "access_denied":
        request.session.pop(connect.SESSION_NONCE, None)
        return TemplateResponse(
            request,
            PROBLEM_TEMPLATE,
            {
                "title": "Not connected",
                "message": "You chose not to connect your TikTok account, so nothing was "
                "shared. If you change your mind, open the link you were sent again.",
            },
        )
    if error:
        # Not echoing error_description: anyone can put text in this URL.
        return _problem(
            request, f"TikTok reported an error ({error[:40]}). Open the link again to retry."
        )
    try:
        target = connect.state_read(request.GET.get("state", ""), session=request.session)
        account = connect.account_for(target)
    except connect.LinkInvalid as exc:
        return _problem(request, exc.message, status=400)
    code = request.GET.get("code", "")
    if not code or not connect.is_configured():
        return _problem(request, "TikTok did not send an authorisation code. Please try again.")
    try:
        grant = connect.code_exchange(code=code)
    except ProviderError as exc:
        logger.warning("TikTok code exchange failed for account %s: %s", account.pk, exc)
        return _problem(
            request,
            "TikTok did not accept the authorisation, so nothing was stored. "
            "Open the link you were sent and try again.",
            status=502,
        )
    connect.tiktok_connection_save(account=account, grant=grant)
    context = {
        "account": account,
        "workspace_name": account.workspace.name,
        "missing_scopes": connect.missing_scopes(grant),
    }
    return TemplateResponse(request, "creators/refresh/tiktok_connect_done.html", context)


def _problem(request: HttpRequest, message: str, *, status: int = 400) -> HttpResponse:
    context = {"title": "This link cannot be used", "message": message}
    return TemplateResponse(request, PROBLEM_TEMPLATE, context, status=status)
