"""Campaign pages: the list, create/edit/archive, and the campaign hub with its shortlist."""

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.models import Role
from apps.accounts.scoping import workspace_required
from apps.creators.models import Creator

from .. import services
from ..forms import CampaignForm, StatusFilterForm
from ..models import Campaign, CampaignCreator

# The session key under which the last removal waits for its "Undo".
UNDO_KEY = "campaigns_undo"


@require_http_methods(["GET"])
@workspace_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    form = StatusFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    campaigns = Campaign.objects.for_workspace(request.workspace).with_counts()
    # Archived campaigns stay out of the way unless asked for by name.
    campaigns = campaigns.filter(status=status) if status else campaigns.not_archived()
    return TemplateResponse(
        request,
        "campaigns/list.html",
        {"campaigns": campaigns, "filter_form": form, "status": status},
    )


@require_http_methods(["GET", "POST"])
@workspace_required(role=Role.MEMBER)
def campaign_create(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        campaign = services.campaign_create(
            workspace=request.workspace, by=request.user, **form.cleaned_data
        )
        messages.success(request, f"Campaign “{campaign.name}” created.")
        return redirect(campaign)
    return TemplateResponse(request, "campaigns/form.html", {"form": form, "campaign": None})


@require_http_methods(["GET"])
@workspace_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(
        Campaign.objects.for_workspace(request.workspace).select_related("owner"), pk=pk
    )
    shortlist = campaign.campaign_creators.shortlisted().with_creator()
    undo = None
    if undo_pk := request.session.pop(UNDO_KEY, None):
        undo = (
            campaign.campaign_creators.filter(pk=undo_pk, removed_at__isnull=False)
            .select_related("creator")
            .first()
        )
    return TemplateResponse(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "shortlist": shortlist,
            "niches": campaign.niches.all(),
            "undo": undo,
            "can_manage": request.membership.has_role(Role.MANAGER),
        },
    )


@require_http_methods(["GET", "POST"])
@workspace_required(role=Role.MEMBER)
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.for_workspace(request.workspace), pk=pk)
    form = CampaignForm(request.POST or None, instance=campaign, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        # The form already copied its values onto `campaign`; the service saves and checks.
        campaign = services.campaign_update(campaign=campaign, **form.cleaned_data)
        messages.success(request, f"Saved “{campaign.name}”.")
        return redirect(campaign)
    return TemplateResponse(request, "campaigns/form.html", {"form": form, "campaign": campaign})


@require_POST
@workspace_required(write_role=Role.MANAGER)
def campaign_archive(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.for_workspace(request.workspace), pk=pk)
    if services.campaign_archive(campaign=campaign):
        messages.success(request, f"Archived “{campaign.name}”.")
    return redirect("campaign_list")


def _ids(request: HttpRequest, name: str) -> list[int]:
    return [int(value) for value in request.POST.getlist(name) if value.isdecimal()]


def _creators_posted(request: HttpRequest):
    """Creators named by `creator` ids or by `account` ids (the discovery checkboxes),
    only ever from the request's workspace: ids of another workspace match nothing."""
    return list(
        Creator.objects.for_workspace(request.workspace)
        .filter(Q(pk__in=_ids(request, "creator")) | Q(accounts__pk__in=_ids(request, "account")))
        .distinct()
    )


def _shortlist_add(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    if campaign.is_archived:
        messages.error(request, f"“{campaign.name}” is archived: no creators can be added.")
    else:
        creators = _creators_posted(request)
        added, already = services.shortlist_add(
            campaign=campaign, creators=creators, by=request.user
        )
        if not creators:
            messages.error(request, "Select at least one creator to add.")
        else:
            text = f"Added {added} creator{'' if added == 1 else 's'} to “{campaign.name}”"
            if already:
                text += f" ({already} {'was' if already == 1 else 'were'} already there)"
            messages.success(request, text + ".")
    return redirect(_safe_next(request) or campaign.get_absolute_url())


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@require_POST
@workspace_required
def shortlist_add(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.for_workspace(request.workspace), pk=pk)
    return _shortlist_add(request, campaign)


@require_POST
@workspace_required
def shortlist_add_from_discovery(request: HttpRequest) -> HttpResponse:
    """The discovery bulk form and the creator page: the campaign is a field, not in the URL.
    Without one (discovery's button), ask which campaign first."""
    campaign_id = request.POST.get("campaign", "")
    if not campaign_id:
        return _choose_campaign(request)
    campaign = get_object_or_404(
        Campaign.objects.for_workspace(request.workspace),
        pk=int(campaign_id) if campaign_id.isdecimal() else 0,
    )
    return _shortlist_add(request, campaign)


def _choose_campaign(request: HttpRequest) -> HttpResponse:
    creator_ids, account_ids = _ids(request, "creator"), _ids(request, "account")
    context = {
        "campaigns": services.open_campaigns(workspace_id=request.workspace.pk),
        "creator_ids": creator_ids,
        "account_ids": account_ids,
        "count": len(_creators_posted(request)),
        "next": _safe_next(request),
    }
    return TemplateResponse(request, "campaigns/choose.html", context)


def _campaign_creator(request: HttpRequest, pk: int, cc_pk: int) -> CampaignCreator:
    return get_object_or_404(
        CampaignCreator.objects.for_workspace(request.workspace).select_related("creator"),
        pk=cc_pk,
        campaign_id=pk,
    )


@require_POST
@workspace_required
def shortlist_remove(request: HttpRequest, pk: int, cc_pk: int) -> HttpResponse:
    campaign_creator = _campaign_creator(request, pk, cc_pk)
    services.shortlist_remove(campaign_creator=campaign_creator, by=request.user)
    request.session[UNDO_KEY] = campaign_creator.pk  # the campaign page offers "Undo" once
    return redirect("campaign_detail", pk)


@require_POST
@workspace_required
def shortlist_restore(request: HttpRequest, pk: int, cc_pk: int) -> HttpResponse:
    campaign_creator = _campaign_creator(request, pk, cc_pk)
    if services.shortlist_restore(campaign_creator=campaign_creator, by=request.user):
        messages.success(request, f"{campaign_creator.creator.name} is back on the shortlist.")
    return redirect("campaign_detail", pk)
