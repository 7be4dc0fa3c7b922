"""Outreach pages: message templates (with a live preview), sending, and each creator's timeline."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.accounts.models import Role
from apps.accounts.scoping import HtmxHttpRequest, workspace_required

from .. import outreach, templating
from ..models import Campaign, CampaignCreator, MessageTemplate, OutreachMessage
from ..outreach_forms import MessageTemplateForm, ReplyForm, SendForm, template_error_text


@require_http_methods(["GET"])
@workspace_required(role=Role.MEMBER)
def template_list(request: HtmxHttpRequest) -> HttpResponse:
    templates = MessageTemplate.objects.for_workspace(request.workspace).select_related(
        "created_by"
    )
    return TemplateResponse(request, "campaigns/outreach/templates.html", {"templates": templates})


def _template_form(request: HtmxHttpRequest, template: MessageTemplate | None) -> HttpResponse:
    form = MessageTemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        template = form.save(commit=False)
        if template.pk is None:
            template.workspace = request.workspace
            template.created_by = request.user
        template.save()
        messages.success(request, f"Saved template “{template.name}”.")
        return redirect("outreach_template_list")
    context = {
        "form": form,
        "template": template,
        "merge_fields": templating.MERGE_FIELDS.items(),
        "preview": _preview(form["subject"].value() or "", form["body"].value() or ""),
    }
    return TemplateResponse(request, "campaigns/outreach/template_form.html", context)


@require_http_methods(["GET", "POST"])
@workspace_required(role=Role.MEMBER)
def template_create(request: HtmxHttpRequest) -> HttpResponse:
    return _template_form(request, None)


@require_http_methods(["GET", "POST"])
@workspace_required(role=Role.MEMBER)
def template_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(MessageTemplate.objects.for_workspace(request.workspace), pk=pk)
    return _template_form(request, template)


def _preview(subject: str, body: str) -> dict:
    """Subject and body rendered with the example values, or their errors."""
    result = {"subject": "", "body": "", "errors": []}
    for name, text in (("subject", subject), ("body", body)):
        errors = templating.validate(text)
        if errors:
            result["errors"] += [f"{name.title()}: {template_error_text(e)}" for e in errors]
        else:
            result[name] = templating.render(text, templating.EXAMPLE_VALUES, html=False)
    return result


@require_POST
@workspace_required(role=Role.MEMBER)
def template_preview(request: HtmxHttpRequest) -> HttpResponse:
    """The editor's live preview (htmx posts the form here on every change)."""
    preview = _preview(request.POST.get("subject", ""), request.POST.get("body", ""))
    return TemplateResponse(request, "campaigns/outreach/_preview.html", {"preview": preview})


def _campaign(request: HtmxHttpRequest, pk: int) -> Campaign:
    return get_object_or_404(Campaign.objects.for_workspace(request.workspace), pk=pk)


def _selected(campaign: Campaign, params) -> list[CampaignCreator]:
    ids = [int(value) for value in params.getlist("cc") if value.isdecimal()]
    return list(
        campaign.campaign_creators.shortlisted()
        .with_creator()
        .select_related("campaign__workspace")
        .filter(pk__in=ids)
    )


@require_http_methods(["GET", "POST"])
@workspace_required(role=Role.MEMBER)
@vary_on_headers("HX-Request")
def outreach_send(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Pick creators, a template and an offer; preview each email; POST queues them."""
    campaign = _campaign(request, pk)
    params = request.POST if request.method == "POST" else request.GET
    form = SendForm(params if "template" in params else None, workspace=request.workspace)
    form.currency = campaign.currency
    selected = _selected(campaign, params)
    drafts = []
    if form.is_bound and form.is_valid() and selected:
        data = form.cleaned_data
        if request.method == "POST":
            queued, refused = outreach.outreach_send(
                campaign_creators=selected,
                template=data["template"],
                by=request.user,
                offer_type=data["offer_type"],
                offer_value=data["offer_value"],
            )
            if queued:
                messages.success(
                    request, f"Queued {len(queued)} message{'' if len(queued) == 1 else 's'}."
                )
            for draft in refused:
                messages.error(request, f"Not sent: {draft.refusal}.")
            return redirect("outreach_send", campaign.pk)
        drafts = outreach.outreach_drafts(
            campaign_creators=selected,
            template=data["template"],
            sender=request.user,
            offer_type=data["offer_type"],
            offer_value=data["offer_value"],
        )
    elif request.method == "POST" and not selected:
        messages.error(request, "Select at least one creator.")
    context = {
        "campaign": campaign,
        "form": form,
        "shortlist": campaign.campaign_creators.shortlisted().with_creator(),
        "selected_ids": {row.pk for row in selected},
        "drafts": drafts,
        "log": OutreachMessage.objects.for_workspace(request.workspace)
        .filter(campaign_creator__campaign=campaign)
        .timeline(),
    }
    template_name = "campaigns/outreach/send.html"
    if request.htmx:
        template_name += "#drafts"
    return TemplateResponse(request, template_name, context)


def _campaign_creator(request: HtmxHttpRequest, pk: int, cc_pk: int) -> CampaignCreator:
    return get_object_or_404(
        CampaignCreator.objects.for_workspace(request.workspace).select_related(
            "creator", "campaign"
        ),
        pk=cc_pk,
        campaign_id=pk,
    )


@require_http_methods(["GET"])
@workspace_required
def outreach_timeline(request: HtmxHttpRequest, pk: int, cc_pk: int) -> HttpResponse:
    row = _campaign_creator(request, pk, cc_pk)
    return _timeline(request, row, ReplyForm())


def _timeline(request: HtmxHttpRequest, row: CampaignCreator, form: ReplyForm) -> HttpResponse:
    context = {
        "row": row,
        "campaign": row.campaign,
        "timeline": row.messages.timeline(),
        "stage_changes": row.stage_changes.select_related("by"),
        "form": form,
        "can_edit": request.membership.has_role(Role.MEMBER),
    }
    return TemplateResponse(request, "campaigns/outreach/timeline.html", context)


@require_POST
@workspace_required
def outreach_reply(request: HtmxHttpRequest, pk: int, cc_pk: int) -> HttpResponse:
    """Mark replied: keep the pasted answer on the timeline, move contacted → replied."""
    row = _campaign_creator(request, pk, cc_pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _timeline(request, row, form)
    outreach.reply_record(campaign_creator=row, body=form.cleaned_data["body"], by=request.user)
    messages.success(request, f"Recorded {row.creator.name}'s reply.")
    return redirect("outreach_timeline", pk, cc_pk)
