"""The creator page (vetting) and what can be done on it: edit, flags, notes, stats, blocklist."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.accounts.models import Role
from apps.accounts.scoping import HtmxHttpRequest, workspace_required

from .. import services, vetting
from ..forms import AccountStatsForm, BlockedKeywordForm, CreatorForm, FlagForm, NoteForm
from ..models import BlockedKeyword, Creator, CreatorFlag, SocialAccount, StatsSource

PAGE_TEMPLATE = "creators/detail/page.html"


def _flag_kinds(flags: list[CreatorFlag]) -> list[tuple[str, str, CreatorFlag | None]]:
    """Every flag kind with the flag set for it (or None), in the order the model lists them."""
    by_kind = {flag.kind: flag for flag in flags}
    return [(kind, label, by_kind.get(kind)) for kind, label in CreatorFlag.Kind.choices]


def _page_response(
    request: HtmxHttpRequest, creator: Creator, *, note_form: NoteForm | None = None
) -> TemplateResponse:
    page = vetting.creator_page(creator=creator)
    context = {
        "page": page,
        "creator": creator,
        "flags": page.flags,
        "flag_kinds": _flag_kinds(page.flags),
        "note_form": note_form or NoteForm(),
    }
    return TemplateResponse(request, PAGE_TEMPLATE, context)


def _creator(request: HtmxHttpRequest, pk: int) -> Creator:
    return get_object_or_404(vetting.creators_for_page(request.workspace), pk=pk)


@require_http_methods(["GET"])
@workspace_required
def creator_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _page_response(request, _creator(request, pk))


@require_http_methods(["GET", "POST"])
@workspace_required
def creator_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    creator = get_object_or_404(Creator.objects.for_workspace(request.workspace), pk=pk)
    form = CreatorForm(request.POST or None, instance=creator)
    if request.method == "POST" and form.is_valid():
        fields = {name: value for name, value in form.cleaned_data.items() if name != "niches"}
        creator = services.creator_update(
            creator=creator, niche_names=form.cleaned_data["niches"], **fields
        )
        messages.success(request, f"Saved {creator.name}.")
        return redirect(creator)
    return TemplateResponse(
        request, "creators/detail/edit.html", {"creator": creator, "form": form}
    )


@require_POST
@vary_on_headers("HX-Request")
@workspace_required
def creator_flag(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    creator = get_object_or_404(Creator.objects.for_workspace(request.workspace), pk=pk)
    form = FlagForm(request.POST)
    status = 200
    if form.is_valid():
        kind = form.cleaned_data["kind"]
        flag = services.creator_flag_toggle(
            creator=creator, kind=kind, note=form.cleaned_data["note"], by=request.user
        )
        label = CreatorFlag.Kind(kind).label
        text = f"Flagged: {label}." if flag else f"Flag removed: {label}."
    else:
        status, text = 400, "Choose one of the listed flags."
    if request.htmx:
        # The fragment itself shows the change; no toast needed.
        flags = vetting.creator_flags(creator)
        context = {"creator": creator, "flags": flags, "flag_kinds": _flag_kinds(flags)}
        return TemplateResponse(request, f"{PAGE_TEMPLATE}#flags", context, status=status)
    (messages.success if status == 200 else messages.error)(request, text)
    return redirect(f"{creator.get_absolute_url()}#flags")


@require_POST
@workspace_required
def creator_note_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    creator = _creator(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _page_response(request, creator, note_form=form)
    note = form.save(commit=False)
    note.workspace, note.creator, note.author = request.workspace, creator, request.user
    note.save()
    messages.success(request, "Note added.")
    return redirect(f"{creator.get_absolute_url()}#notes")


@require_http_methods(["GET", "POST"])
@workspace_required
def account_stats_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(
        SocialAccount.objects.for_workspace(request.workspace).with_creator(), pk=pk
    )
    initial = {
        "followers": account.followers,
        "following": account.following,
        "posts_count": account.posts_count,
        "total_views": account.total_views,
    }
    form = AccountStatsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.account_record_stats(
            account=account, source=StatsSource.MANUAL, **form.cleaned_data
        )
        messages.success(request, f"Saved the numbers for @{account.handle}; scores recomputed.")
        return redirect(f"{account.get_absolute_url()}#account-{account.pk}")
    return TemplateResponse(
        request, "creators/detail/stats_form.html", {"account": account, "form": form}
    )


@require_http_methods(["GET", "POST"])
@workspace_required(write_role=Role.MANAGER)
def blocklist(request: HtmxHttpRequest) -> HttpResponse:
    """Everyone reads the blocklist; managers and owners add and remove keywords."""
    keywords = BlockedKeyword.objects.for_workspace(request.workspace)
    if request.method == "POST" and "remove" in request.POST:
        remove = request.POST["remove"]
        if not remove.isdecimal():
            raise Http404("No such keyword.")
        keyword = get_object_or_404(keywords, pk=remove)
        keyword.delete()
        messages.success(request, f"Removed “{keyword.keyword}” from the blocklist.")
        return redirect("blocklist")
    form = BlockedKeywordForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        BlockedKeyword.objects.create(
            workspace=request.workspace, keyword=form.cleaned_data["keyword"]
        )
        messages.success(request, f"Added “{form.cleaned_data['keyword']}” to the blocklist.")
        return redirect("blocklist")
    context = {
        "keywords": keywords,
        "form": form,
        "can_manage": request.membership.has_role(Role.MANAGER),
    }
    return TemplateResponse(request, "creators/detail/blocklist.html", context)
