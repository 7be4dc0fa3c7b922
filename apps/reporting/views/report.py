"""The campaign report (dashboard), the workspace overview, and the CSV/PDF exports."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from apps.accounts.models import Role
from apps.accounts.scoping import HtmxHttpRequest, workspace_required
from apps.campaigns.models import Campaign
from apps.contracts.documents import PdfError, html_to_pdf
from apps.creators import metrics

from .. import dashboard, report_charts, report_table
from ..dashboard import LEADERBOARD_SORTS
from ..export import report_csv
from ..overview import workspace_overview
from ..report_forms import ReportFilterForm

REPORT_TEMPLATE = "reporting/report/report.html"
PDF_TEMPLATE = "reporting/report/pdf.html"


def campaign_report_url(campaign: Campaign) -> str:
    return reverse("campaign_report", args=[campaign.pk])


def _campaign(request: HtmxHttpRequest, pk: int) -> Campaign:
    return get_object_or_404(Campaign.objects.for_workspace(request.workspace), pk=pk)


def _day_rows(report, *, with_money: bool) -> list[dict]:
    """The charts' numbers per day, for the data table under them."""
    days: dict = {}

    def day_row(day):
        return days.setdefault(
            day, {"day": day, "views": None, "engagements": None, "spend": None, "revenue": None}
        )

    for day, value in report.views_per_day:
        day_row(day)["views"] = value
    for day, value in report.engagements_per_day:
        day_row(day)["engagements"] = value
    if with_money:
        for day, value in report.cumulative_spend or ():
            day_row(day)["spend"] = value
        for day, value in report.cumulative_revenue or ():
            day_row(day)["revenue"] = value
    return [days[day] for day in sorted(days)]


def report_context(request, campaign: Campaign, *, shared: bool, hide_spend: bool) -> dict:
    """Everything the report template needs; the same for the team and a share link."""
    form = ReportFilterForm(request.GET or None, campaign=campaign)
    filters = form.filters()
    report = dashboard.campaign_report(campaign, filters)
    form.set_creators(report.creators)
    sort = form.leaderboard_sort()
    if hide_spend and sort == "roas":  # not even the order may hint at the money
        sort = "views"
    query = urlencode(
        {
            "start": filters.start.isoformat(),
            "end": filters.end.isoformat(),
            **({"platform": filters.platform} if filters.platform else {}),
            **({"creator": filters.campaign_creator_id} if filters.campaign_creator_id else {}),
        }
    )
    charts = {
        "views": report_charts.per_day_chart(
            report.views_per_day, title="Views per day", chart_id="report-views"
        ),
        "engagements": report_charts.per_day_chart(
            report.engagements_per_day, title="Engagements per day", chart_id="report-engagements"
        ),
    }
    if not hide_spend and report.cumulative_spend is not None:
        charts["money"] = report_charts.spend_revenue_chart(
            report.cumulative_spend,
            report.cumulative_revenue,
            currency=report.currency,
            chart_id="report-money",
        )
    return {
        "campaign": campaign,
        "report": report,
        "report_url": request.path,
        "day_rows": report_table.day_rows_html(
            _day_rows(report, with_money="money" in charts), with_money="money" in charts
        ),
        "creator_rows": report_table.creator_rows_html(report, hide_spend=hide_spend),
        "engagements_formula": metrics.ENGAGEMENTS_FORMULA,
        "form": form,
        "filters": filters,
        "query": query,
        "charts": charts,
        "leaderboard": report.leaderboard(sort),
        "sort": sort,
        "sorts": LEADERBOARD_SORTS,
        "shared": shared,
        "hide_spend": hide_spend,
        "cost_keys": ("cpm", "cpe", "cpc", "cpa"),
    }


@require_http_methods(["GET"])
@workspace_required
@vary_on_headers("HX-Request")
def campaign_report(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    context = report_context(request, campaign, shared=False, hide_spend=False)
    context["can_share"] = request.membership.has_role(Role.MEMBER)
    template = f"{REPORT_TEMPLATE}#report-body" if request.htmx else REPORT_TEMPLATE
    return TemplateResponse(request, template, context)


@require_http_methods(["GET"])
@workspace_required
def report_overview(request: HtmxHttpRequest) -> HttpResponse:
    campaigns = workspace_overview(request.workspace)
    return TemplateResponse(request, "reporting/report/overview.html", {"campaigns": campaigns})


def _filename(campaign: Campaign, filters, extension: str) -> str:
    name = slugify(campaign.name) or f"campaign-{campaign.pk}"
    return f"{name}-report-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.{extension}"


@require_http_methods(["GET"])
@workspace_required
def campaign_report_csv(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    form = ReportFilterForm(request.GET or None, campaign=campaign)
    report = dashboard.campaign_report(campaign, form.filters())
    response = HttpResponse(report_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{_filename(campaign, report.filters, "csv")}"'
    )
    return response


@require_http_methods(["GET"])
@workspace_required
def campaign_report_pdf(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    context = report_context(request, campaign, shared=False, hide_spend=False)
    html = render_to_string(PDF_TEMPLATE, context, request=request)
    try:
        pdf = html_to_pdf(html)
    except PdfError as exc:
        messages.error(request, exc.message)
        return redirect(f"{campaign_report_url(campaign)}?{context['query']}")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{_filename(campaign, context["filters"], "pdf")}"'
    )
    return response
