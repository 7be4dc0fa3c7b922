"""Conversions pages of a campaign: tracked links, promo codes, conversions (by hand or CSV),
and the workspace's exchange rates."""

import re
import secrets

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.accounts.models import Role
from apps.accounts.scoping import HtmxHttpRequest, workspace_required
from apps.campaigns.models import Campaign

from .. import conversions, conversions_csv
from ..conversion_forms import (
    ConversionForm,
    ConversionsImportForm,
    ExchangeRateForm,
    PromoCodeForm,
    TrackedLinkForm,
    add_service_errors,
)
from ..models import Conversion, ExchangeRate, PromoCode, TrackedLink

PAGE_TEMPLATE = "reporting/conversions/page.html"
IMPORT_TEMPLATE = "reporting/conversions/import.html"
CONVERSIONS_PER_PAGE = 25
PREVIEW_ROWS = 50
ERRORS_SHOWN = 500
# An uploaded file waits here between its preview and the user's confirmation.
IMPORT_CACHE_SECONDS = 3600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _campaign(request: HtmxHttpRequest, pk: int) -> Campaign:
    return get_object_or_404(Campaign.objects.for_workspace(request.workspace), pk=pk)


def _page_url(campaign: Campaign, anchor: str = "") -> str:
    url = reverse("campaign_conversions", args=[campaign.pk])
    return f"{url}#{anchor}" if anchor else url


def _page(
    request: HtmxHttpRequest,
    campaign: Campaign,
    *,
    link_form=None,
    promo_form=None,
    conversion_form=None,
    status: int = 200,
) -> HttpResponse:
    workspace = request.workspace
    tracked_links = list(
        TrackedLink.objects.for_workspace(workspace)
        .filter(campaign=campaign)
        .select_related("campaign_creator__creator")
        .order_by("archived_at", "-created_at", "-id")  # active (NULL) first
    )
    promo_codes = (
        PromoCode.objects.for_workspace(workspace)
        .filter(campaign=campaign)
        .select_related("campaign_creator__creator")
    )
    conversion_rows = (
        Conversion.objects.for_workspace(workspace)
        .filter(campaign=campaign)
        .select_related("campaign_creator__creator", "promo_code", "tracked_link")
        .order_by("-occurred_on", "-id")
    )
    page = Paginator(conversion_rows, CONVERSIONS_PER_PAGE).get_page(request.GET.get("page"))
    can_edit = request.membership.has_role(Role.MEMBER) and not campaign.is_archived
    context = {
        "campaign": campaign,
        "links": [link for link in tracked_links if link.archived_at is None],
        "archived_links": [link for link in tracked_links if link.archived_at is not None],
        "site_url": settings.SITE_URL,
        "repeat_minutes": settings.TRACKED_LINK_REPEAT_MINUTES,
        "promo_codes": promo_codes,
        "page": page,
        "can_edit": can_edit,
        "link_form": link_form or TrackedLinkForm(campaign=campaign),
        "promo_form": promo_form or PromoCodeForm(campaign=campaign),
        "conversion_form": conversion_form or ConversionForm(campaign=campaign),
    }
    template = PAGE_TEMPLATE
    if request.htmx and request.htmx.target == "conversion-list":
        template = f"{PAGE_TEMPLATE}#conversion_list"
    return TemplateResponse(request, template, context, status=status)


@require_http_methods(["GET"])
@workspace_required
@vary_on_headers("HX-Request")
def campaign_conversions(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _page(request, _campaign(request, pk))


@require_POST
@workspace_required
def tracked_link_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    form = TrackedLinkForm(request.POST, campaign=campaign)
    if form.is_valid():
        data = form.cleaned_data
        try:
            link = conversions.tracked_link_create(
                campaign_creator=data["campaign_creator"],
                destination_url=data["destination_url"],
                by=request.user,
                utm={
                    name: data[name]
                    for name in ("utm_source", "utm_medium", "utm_campaign", "utm_content")
                },  # fmt: skip
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"Link {settings.SITE_URL}{link.get_short_path()} is ready to share."
            )
            return redirect(_page_url(campaign, "links"))
    return _page(request, campaign, link_form=form, status=400)


@require_POST
@workspace_required
def tracked_link_archive(request: HtmxHttpRequest, pk: int, link_pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    link = get_object_or_404(
        TrackedLink.objects.for_workspace(request.workspace).filter(campaign=campaign), pk=link_pk
    )
    if conversions.tracked_link_archive(link=link, by=request.user):
        messages.success(request, f"/r/{link.code} archived: it now answers “not found”.")
    else:
        messages.info(request, f"/r/{link.code} was already archived.")
    return redirect(_page_url(campaign, "links"))


@require_POST
@workspace_required
def promo_code_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    form = PromoCodeForm(request.POST, campaign=campaign)
    if form.is_valid():
        data = form.cleaned_data
        try:
            promo = conversions.promo_code_create(
                campaign_creator=data["campaign_creator"],
                code=data["code"],
                description=data["description"],
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Promo code {promo.code} added.")
            return redirect(_page_url(campaign, "promo-codes"))
    return _page(request, campaign, promo_form=form, status=400)


@require_POST
@workspace_required
def conversion_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    form = ConversionForm(request.POST, campaign=campaign)
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = conversions.conversion_record(
                workspace=request.workspace,
                campaign_creator=data["campaign_creator"],
                promo_code=data["promo_code"],
                tracked_link=data["tracked_link"],
                occurred_on=data["occurred_on"],
                uses=data["uses"],
                revenue=data["revenue"],
                currency=data["currency"],
                external_order_id=data["external_order_id"],
                source=Conversion.Source.MANUAL,
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if result.created:
                messages.success(request, "Conversion recorded.")
            else:
                messages.info(
                    request,
                    f"Order {result.conversion.external_order_id} was already recorded: "
                    "nothing was added.",
                )
            return redirect(_page_url(campaign, "conversions"))
    return _page(request, campaign, conversion_form=form, status=400)


# --- CSV import -------------------------------------------------------------------


def _cache_key(token: str) -> str:
    return f"reporting:conversions-import:{token}"


def _preview_context(campaign: Campaign, preview, token: str | None) -> dict:
    return {
        "campaign": campaign,
        "preview": preview,
        "token": token,
        "preview_rows": preview.rows[:PREVIEW_ROWS],
        "errors": preview.errors[:ERRORS_SHOWN],
        "errors_hidden": max(0, len(preview.errors) - ERRORS_SHOWN),
        "error_rows": len({e.row_number for e in preview.errors}),
    }


@require_http_methods(["GET", "POST"])
@workspace_required
def conversions_import(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Upload → preview (nothing written) → confirm (all rows in one transaction)."""
    campaign = _campaign(request, pk)
    if request.method == "POST" and "token" in request.POST:
        return _import_confirm(request, campaign, request.POST["token"])
    form = ConversionsImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read(conversions_csv.MAX_BYTES + 1)
        preview = conversions.conversions_import_preview(campaign=campaign, data=data)
        token = None
        if preview.can_confirm:
            token = secrets.token_urlsafe(16)
            cache.set(
                _cache_key(token),
                {
                    "workspace": request.workspace.pk,
                    "campaign": campaign.pk,
                    "user": request.user.pk,
                    "data": data,
                },
                IMPORT_CACHE_SECONDS,
            )
        return TemplateResponse(
            request, IMPORT_TEMPLATE, {**_preview_context(campaign, preview, token), "form": form}
        )
    return TemplateResponse(
        request,
        IMPORT_TEMPLATE,
        {"campaign": campaign, "form": form, "columns": conversions_csv.HEADER},
        status=400 if request.method == "POST" else 200,
    )


def _import_confirm(request: HtmxHttpRequest, campaign: Campaign, token: str) -> HttpResponse:
    valid = _TOKEN.fullmatch(token) is not None
    key = _cache_key(token)
    stored = cache.get(key) if valid else None
    if stored is None or (stored["workspace"], stored["campaign"], stored["user"]) != (
        request.workspace.pk,
        campaign.pk,
        request.user.pk,
    ):
        messages.error(request, "This preview has expired: upload the file again.")
        return redirect("conversions_import", campaign.pk)
    # Checked again: codes and recorded orders may have changed since the preview.
    preview = conversions.conversions_import_preview(campaign=campaign, data=stored["data"])
    if not preview.is_valid:
        cache.delete(key)
        return TemplateResponse(
            request,
            IMPORT_TEMPLATE,
            {**_preview_context(campaign, preview, None), "form": ConversionsImportForm()},
            status=400,
        )
    created, skipped = conversions.conversions_import(
        campaign=campaign, rows=preview.rows, by=request.user
    )
    cache.delete(key)
    skipped += len(preview.skipped)
    text = f"Imported {created} conversion{'s' if created != 1 else ''}."
    if skipped:
        text += f" {skipped} already recorded, skipped."
    messages.success(request, text)
    return redirect(_page_url(campaign, "conversions"))


@require_http_methods(["GET"])
@workspace_required
def conversions_import_template(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    _campaign(request, pk)
    response = HttpResponse(conversions_csv.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="conversions-template.csv"'
    return response


# --- exchange rates ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@workspace_required
def exchange_rates(request: HtmxHttpRequest) -> HttpResponse:
    form = ExchangeRateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                rate = conversions.exchange_rate_set(
                    workspace=request.workspace, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Saved: {rate}.")
                return redirect("exchange_rates")
        status = 400
    rates = ExchangeRate.objects.for_workspace(request.workspace).order_by(
        "from_currency", "to_currency"
    )
    return TemplateResponse(
        request,
        "reporting/conversions/exchange_rates.html",
        {"form": form, "rates": rates, "can_edit": request.membership.has_role(Role.MEMBER)},
        status=status,
    )


@require_POST
@workspace_required
def exchange_rate_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    rate = get_object_or_404(ExchangeRate.objects.for_workspace(request.workspace), pk=pk)
    rate.delete()
    messages.success(request, f"Removed the {rate.from_currency}→{rate.to_currency} rate.")
    return redirect("exchange_rates")
