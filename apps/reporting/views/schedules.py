"""Scheduled report emails of a campaign: list, create, pause/resume, delete."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.scoping import HtmxHttpRequest, workspace_required
from apps.campaigns.models import Campaign

from .. import schedules
from ..models import ReportSchedule
from ..report_forms import ReportScheduleForm


def _campaign(request: HtmxHttpRequest, pk: int) -> Campaign:
    return get_object_or_404(Campaign.objects.for_workspace(request.workspace), pk=pk)


def _schedule(request: HtmxHttpRequest, pk: int, schedule_pk: int) -> ReportSchedule:
    return get_object_or_404(
        ReportSchedule.objects.for_workspace(request.workspace).select_related("campaign"),
        pk=schedule_pk,
        campaign_id=pk,
    )


def _list_response(request, campaign, form=None, status=200) -> TemplateResponse:
    context = {
        "campaign": campaign,
        "schedules": ReportSchedule.objects.for_workspace(request.workspace).filter(
            campaign=campaign
        ),
        "contract_schedules": sorted(schedules.contract_schedules(campaign)),
        "form": form or ReportScheduleForm(),
    }
    return TemplateResponse(request, "reporting/report/schedules.html", context, status=status)


@require_http_methods(["GET"])
@workspace_required
def report_schedule_list(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _list_response(request, _campaign(request, pk))


@require_POST
@workspace_required
def report_schedule_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    form = ReportScheduleForm(request.POST)
    if not form.is_valid():
        return _list_response(request, campaign, form, status=422)
    schedule = schedules.report_schedule_create(
        campaign=campaign, by=request.user, **form.cleaned_data
    )
    messages.success(
        request,
        f"Report emails scheduled; the first goes out {schedule.next_send_at:%-d %b %Y, %H:%M}.",
    )
    return redirect("report_schedule_list", pk)


@require_POST
@workspace_required
def report_schedule_pause(request: HtmxHttpRequest, pk: int, schedule_pk: int) -> HttpResponse:
    schedule = _schedule(request, pk, schedule_pk)
    paused = schedule.paused_at is None
    if schedules.report_schedule_pause(schedule=schedule, paused=paused):
        messages.success(request, "Report emails paused." if paused else "Report emails resumed.")
    return redirect("report_schedule_list", pk)


@require_POST
@workspace_required
def report_schedule_delete(request: HtmxHttpRequest, pk: int, schedule_pk: int) -> HttpResponse:
    schedule = _schedule(request, pk, schedule_pk)
    schedule.delete()
    messages.success(request, "Report emails deleted.")
    return redirect("report_schedule_list", pk)
