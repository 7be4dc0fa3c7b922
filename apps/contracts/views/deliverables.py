"""The deliverables to-do: what creators owe under accepted and active contracts, by due date."""

import datetime
from itertools import groupby

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from apps.accounts.scoping import HtmxHttpRequest, workspace_required
from apps.campaigns.models import Campaign

from .. import services
from ..models import Deliverable


class DeliverableFilterForm(forms.Form):
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.none(), required=False, empty_label="All campaigns"
    )

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.for_workspace(workspace).only(
            "pk", "name"
        )


def _group(deliverable: Deliverable, today: datetime.date) -> str:
    due = deliverable.due_date
    if due is None:
        return "No due date"
    if due < today:
        return "Overdue"
    if due == today:
        return "Due today"
    if due <= today + datetime.timedelta(days=7):
        return "Due this week"
    return "Later"


@require_http_methods(["GET"])
@workspace_required
@vary_on_headers("HX-Request")
def deliverable_list(request: HtmxHttpRequest) -> HttpResponse:
    filters = DeliverableFilterForm(request.GET, workspace=request.workspace)
    rows = Deliverable.objects.for_workspace(request.workspace).to_do().with_contract()
    if filters.is_valid() and filters.cleaned_data["campaign"]:
        rows = rows.filter(version__contract__campaign=filters.cleaned_data["campaign"])
    today = timezone.localdate()
    rows = list(rows)
    for row in rows:
        row.is_overdue = row.due_date is not None and row.due_date < today
    # Rows come sorted by due date (no date last), so the groups come out in order.
    groups = [(label, list(items)) for label, items in groupby(rows, lambda d: _group(d, today))]
    context = {
        "filters": filters,
        "groups": groups,
        "count": len(rows),
        "today": today,
        "next": request.get_full_path(),
    }
    template = (
        "contracts/deliverables.html#results" if request.htmx else "contracts/deliverables.html"
    )
    return TemplateResponse(request, template, context)


@require_http_methods(["POST"])
@workspace_required
def deliverable_done(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    deliverable = get_object_or_404(
        Deliverable.objects.for_workspace(request.workspace).select_related(
            "version__contract__campaign_creator__creator"
        ),
        pk=pk,
    )
    creator = deliverable.version.contract.campaign_creator.creator
    try:
        services.deliverable_mark_done(deliverable=deliverable, by=request.user)
    except services.ContractError as error:
        messages.error(request, error.message)
        if request.htmx:
            # The row stays as it is; the toast says why. (A redirect would be followed
            # by htmx and swap the whole page into the row.)
            return HttpResponse(status=204)
    else:
        messages.success(request, f"Marked {deliverable} by {creator.name} as done.")
        if request.htmx:
            return HttpResponse("")  # the row leaves the to-do list
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("deliverable_list")
    return redirect(target)
