"""Follow-up reminders: snoozing one creator's reminder from their outreach timeline."""

import datetime

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.scoping import HtmxHttpRequest, workspace_required

from .. import reminders
from ..models import CampaignCreator


class SnoozeForm(forms.Form):
    days = forms.TypedChoiceField(
        label="Snooze for",
        choices=[(1, "1 day"), (3, "3 days"), (7, "7 days")],
        coerce=int,
        initial=3,
    )


@require_POST
@workspace_required
def follow_up_snooze(request: HtmxHttpRequest, pk: int, cc_pk: int) -> HttpResponse:
    row = get_object_or_404(
        CampaignCreator.objects.for_workspace(request.workspace).select_related("creator"),
        pk=cc_pk,
        campaign_id=pk,
    )
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose 1, 3 or 7 days.")
        return redirect("outreach_timeline", pk, cc_pk)
    until = timezone.localdate() + datetime.timedelta(days=form.cleaned_data["days"])
    reminders.follow_up_snooze(campaign_creator=row, until=until, by=request.user)
    messages.success(request, f"Reminder for {row.creator.name} snoozed until {until:%-d %b}.")
    return redirect("outreach_timeline", pk, cc_pk)
