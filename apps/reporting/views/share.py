"""Share links: the team makes and revokes them; anyone with the token reads the report."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_ratelimit.decorators import ratelimit

from apps.accounts.scoping import HtmxHttpRequest, workspace_required
from apps.campaigns.models import Campaign

from .. import share
from ..models import ShareLink, ShareLinkQuerySet
from ..report_forms import ShareLinkForm
from .report import report_context

# Per visitor IP: enough for a person clicking filters, not for guessing tokens.
SHARED_REPORT_RATE = "60/m"
SHARED_TEMPLATE = "reporting/report/shared.html"


def _campaign(request: HtmxHttpRequest, pk: int) -> Campaign:
    return get_object_or_404(Campaign.objects.for_workspace(request.workspace), pk=pk)


def _list_response(request, campaign, *, form=None, new_token="", new_link=None, status=200):
    links: ShareLinkQuerySet = (
        ShareLink.objects.for_workspace(request.workspace)
        .filter(campaign=campaign)
        .select_related("created_by")
    )
    context = {
        "campaign": campaign,
        "links": links,
        "form": form or ShareLinkForm(),
        "new_link": new_link,
        "new_url": (
            request.build_absolute_uri(reverse("shared_report", args=[new_token]))
            if new_token
            else ""
        ),
        "now": timezone.now(),
    }
    return TemplateResponse(request, "reporting/report/share_links.html", context, status=status)


@require_http_methods(["GET"])
@workspace_required
def share_link_list(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _list_response(request, _campaign(request, pk))


@require_POST
@workspace_required
def share_link_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    form = ShareLinkForm(request.POST)
    if not form.is_valid():
        return _list_response(request, campaign, form=form, status=422)
    link, token = share.share_link_create(
        campaign=campaign,
        by=request.user,
        label=form.cleaned_data["label"],
        hide_spend=form.cleaned_data["hide_spend"],
        expires_at=form.expires_at(),
    )
    messages.success(request, "Share link created. Copy it now: it is shown only once.")
    # Shown in this response only; never stored, never in a redirect URL.
    return _list_response(request, campaign, new_token=token, new_link=link)


@require_POST
@workspace_required
def share_link_revoke(request: HtmxHttpRequest, pk: int, link_pk: int) -> HttpResponse:
    link = get_object_or_404(
        ShareLink.objects.for_workspace(request.workspace), pk=link_pk, campaign_id=pk
    )
    if share.share_link_revoke(link=link):
        messages.success(request, f"Revoked “{link}”: it no longer opens the report.")
    return redirect("share_link_list", pk)


def _no_referrer(response: HttpResponse) -> HttpResponse:
    # The token is in the URL: never send it to sites the page links to, never index it.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_http_methods(["GET"])
@ratelimit(key="ip", rate=SHARED_REPORT_RATE, block=False)
@vary_on_headers("HX-Request")
def shared_report(request: HttpRequest, token: str) -> HttpResponse:
    """The report without login, read-only, for whoever holds the token."""
    if getattr(request, "limited", False):
        response = TemplateResponse(
            request, "reporting/report/shared_gone.html", {"reason": "rate"}, status=429
        )
        response["Retry-After"] = "60"
        return _no_referrer(response)
    link = share.share_link_for_token(token)
    if link is None:
        return _no_referrer(
            TemplateResponse(
                request, "reporting/report/shared_gone.html", {"reason": "unknown"}, status=404
            )
        )
    if not share.is_usable(link):
        reason = "revoked" if link.revoked_at else "expired"
        return _no_referrer(
            TemplateResponse(
                request, "reporting/report/shared_gone.html", {"reason": reason}, status=410
            )
        )
    ShareLink.objects.filter(pk=link.pk).update(last_opened_at=timezone.now())
    context = report_context(request, link.campaign, shared=True, hide_spend=link.hide_spend)
    context["share_path"] = request.path
    template = (
        f"{SHARED_TEMPLATE}#report-body" if getattr(request, "htmx", False) else SHARED_TEMPLATE
    )
    return _no_referrer(TemplateResponse(request, template, context))
