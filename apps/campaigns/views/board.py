"""The pipeline: the board (columns by stage), the table, and moving a card between stages."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from apps.accounts.models import Role
from apps.accounts.scoping import HtmxHttpRequest, workspace_required

from .. import board, pipeline, services
from ..models import Campaign, CampaignCreator

BOARD_TEMPLATE = "campaigns/board/board.html"
TABLE_TEMPLATE = "campaigns/board/table.html"
MOVE_TEMPLATE = "campaigns/board/move.html"
MOVE_FORM_TEMPLATE = "campaigns/board/_move_form.html"
STAGE_CHOICES = [(stage, pipeline.LABELS[stage]) for stage in pipeline.STAGES]


class MoveForm(forms.Form):
    to = forms.ChoiceField(choices=STAGE_CHOICES, error_messages={"required": "Choose a stage."})
    expected_version = forms.IntegerField(min_value=1)
    reason = forms.CharField(required=False, max_length=2000)


class TableFilterForm(forms.Form):
    stage = forms.ChoiceField(choices=[("", "All stages"), *STAGE_CHOICES], required=False)
    sort = forms.CharField(required=False)


def _campaign(request: HtmxHttpRequest, pk: int) -> Campaign:
    return get_object_or_404(Campaign.objects.for_workspace(request.workspace), pk=pk)


def _board_response(
    request: HtmxHttpRequest, campaign: Campaign, *, status: int = 200, error=None
) -> TemplateResponse:
    """The whole page, or for htmx just #board, always built from the database's state."""
    context = {
        "campaign": campaign,
        # error: (card pk, message) of a refused move, shown on that card with its form open.
        "columns": board.board_columns(
            campaign,
            can_move=bool(request.membership and request.membership.has_role(Role.MEMBER)),
            error=error,
        ),
    }
    template = f"{BOARD_TEMPLATE}#board" if request.htmx else BOARD_TEMPLATE
    return TemplateResponse(request, template, context, status=status)


@require_http_methods(["GET"])
@workspace_required
@vary_on_headers("HX-Request")
def campaign_board(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _board_response(request, _campaign(request, pk))


@require_http_methods(["GET", "POST"])
@workspace_required(role=Role.MEMBER)
@vary_on_headers("HX-Request")
def campaign_creator_move(request: HtmxHttpRequest, pk: int, cc_pk: int) -> HttpResponse:
    """GET: one card's move form (lazily loaded into the board's "Move" menu, or a page
    of its own without JS); POST: move the card and answer with the board."""
    campaign = _campaign(request, pk)
    card = get_object_or_404(
        CampaignCreator.objects.for_workspace(request.workspace)
        .shortlisted()
        .select_related("creator"),
        pk=cc_pk,
        campaign=campaign,
    )
    if request.method == "GET":
        return _move_form_response(request, campaign, card)
    form = MoveForm(request.POST)
    if not form.is_valid():
        message = next(iter(form.errors.values()))[0]
        messages.error(request, f"{card.creator.name}: {message}")
        return _board_response(request, campaign, status=400, error=(card.pk, message))
    try:
        services.campaign_creator_move(
            campaign_creator=card,
            to_stage=form.cleaned_data["to"],
            by=request.user,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["expected_version"],
        )
    except (pipeline.MoveRefused, services.StaleMove) as refusal:
        messages.error(request, f"{card.creator.name}: {refusal.message}")
        # 409 with the board as it really is, so the page shows the truth, not a guess.
        return _board_response(request, campaign, status=409, error=(card.pk, refusal.message))
    messages.success(request, f"Moved {card.creator.name} to {pipeline.label(card.stage)}.")
    if request.htmx:
        return _board_response(request, campaign)
    return redirect("campaign_board", campaign.pk)


def _move_form_response(
    request: HtmxHttpRequest, campaign: Campaign, card: CampaignCreator
) -> TemplateResponse:
    # The board asks for the form of the version it shows, so a card moved meanwhile is
    # refused with 409 on submit rather than moved from a stage the user did not see.
    version = request.GET.get("version", "")
    context = {
        "campaign": campaign,
        "card": card,
        "move_url": reverse("campaign_creator_move", args=[campaign.pk, card.pk]),
        "version": int(version) if version.isdecimal() else card.version,
        "options_html": board.move_options_html(card.stage),
        "reason_required": card.stage in pipeline.REASON_REQUIRED,
        "stage_label": pipeline.label(card.stage),
        "on_board": bool(request.htmx),
    }
    return TemplateResponse(request, MOVE_FORM_TEMPLATE if request.htmx else MOVE_TEMPLATE, context)


@require_http_methods(["GET", "POST"])
@workspace_required
@vary_on_headers("HX-Request")
def campaign_table(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    filters = TableFilterForm(request.GET)
    filters.is_valid()
    stage = filters.cleaned_data.get("stage", "")
    sort = board.parse_sort(filters.cleaned_data.get("sort", ""))
    query = urlencode({k: v for k, v in (("stage", stage), ("sort", sort)) if v})
    if request.method == "POST":
        _bulk_move(request, campaign)
        return redirect(reverse("campaign_table", args=[campaign.pk]) + f"?{query}")
    context = {
        "campaign": campaign,
        "rows": board.table_rows(campaign, stage=stage, sort=sort),
        "filters": filters,
        "stage": stage,
        "sort": sort,
        "query": query,
        "sort_links": _sort_links(stage, sort),
        "stage_choices": STAGE_CHOICES,
        "table_url": reverse("campaign_table", args=[campaign.pk]),
    }
    if request.htmx and request.htmx.target == "table-results":
        return TemplateResponse(request, f"{TABLE_TEMPLATE}#results", context)
    return TemplateResponse(request, TABLE_TEMPLATE, context)


def _sort_links(stage: str, sort: str) -> dict[str, dict]:
    """Per column: the query that sorts by it (flipping direction when already sorted by it)."""
    links = {}
    for key in board.TABLE_SORTS:
        current = sort.removeprefix("-") == key
        target = f"-{key}" if current and not sort.startswith("-") else key
        params = {"sort": target, **({"stage": stage} if stage else {})}
        direction = ("descending" if sort.startswith("-") else "ascending") if current else ""
        links[key] = {"query": urlencode(params), "direction": direction}
    return links


def _bulk_move(request: HtmxHttpRequest, campaign: Campaign) -> None:
    """Move every ticked row through the same service as the board; report each refusal."""
    to_stage = request.POST.get("to", "")
    reason = request.POST.get("reason", "")
    # Each tick carries "pk:version" so a row moved meanwhile is refused, not overwritten.
    ticked: dict[int, int] = {}
    for value in request.POST.getlist("row"):
        pk, _, version = value.partition(":")
        if pk.isdecimal() and version.isdecimal():
            ticked[int(pk)] = int(version)
    if not ticked or to_stage not in pipeline.LABELS:
        messages.error(request, "Tick at least one creator and choose a stage.")
        return
    rows = campaign.campaign_creators.shortlisted().select_related("creator").filter(pk__in=ticked)
    moved, refused = 0, []
    for row in rows.order_by("creator__name", "pk"):
        try:
            services.campaign_creator_move(
                campaign_creator=row, to_stage=to_stage, by=request.user, reason=reason,
                expected_version=ticked[row.pk],
            )  # fmt: skip
            moved += 1
        except (pipeline.MoveRefused, services.StaleMove) as refusal:
            refused.append(f"{row.creator.name}: {refusal.message}")
    label = pipeline.label(to_stage)
    if moved:
        messages.success(request, f"Moved {moved} creator{'' if moved == 1 else 's'} to {label}.")
    if refused:
        messages.warning(request, f"Not moved ({len(refused)}): " + "; ".join(refused) + ".")
