"""The discovery page: filtered creator list, its CSV export and saved searches.

The querying lives in apps/creators/discovery.py; this module turns its accounts into rows
of text for the page and the CSV, and handles the requests.
"""

import csv
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url

from apps.accounts.models import Role
from apps.accounts.scoping import HtmxHttpRequest, workspace_required

from .. import discovery, metrics
from ..csv_import import csv_row
from ..models import SavedSearch, SocialAccount

PAGE_TEMPLATE = "creators/discovery/list.html"
DASH = "—"


def _age(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    if (now - moment).total_seconds() < 60:
        return "just now"
    return f"{timesince(moment, now, depth=1)} ago"


def _niche_list(account: SocialAccount, niches: Mapping[int, str], separator: str) -> str:
    return separator.join(niches[pk] for pk in account.niche_ids if pk in niches)


@dataclass(frozen=True)
class ResultRow:
    """One account as the list shows it, every number already formatted (formatting in Python
    costs a fraction of template filters, which shows on a page of 100 rows)."""

    account: SocialAccount
    url: str  # the creator page
    niches: str
    followers: str
    tier: str
    engagement: str  # "4.1%", or "" when there is no rate
    sample: str  # "12 posts"
    growth: str
    posts_per_week: str
    data_age: str

    @classmethod
    def of(cls, account: SocialAccount, niches: Mapping[int, str], now: datetime) -> "ResultRow":
        followers, rate, growth = account.followers, account.engagement_rate, account.growth_30d
        sample, weekly = account.engagement_sample, account.posts_per_week
        return cls(
            account=account,
            url=account.get_absolute_url(),
            niches=_niche_list(account, niches, ", "),
            followers=DASH if followers is None else f"{followers:,}",
            tier=DASH if followers is None else metrics.tier_for(followers).value.capitalize(),
            engagement="" if rate is None else metrics.format_percent(rate),
            sample=f"{sample} post{'' if sample == 1 else 's'}",
            growth=DASH
            if growth is None
            else ("+" if growth > 0 else "") + metrics.format_percent(growth),
            posts_per_week=DASH if weekly is None else f"{weekly:.1f}",
            data_age=_age(account.stats_updated_at, now),
        )


def _wants_results(request: HtmxHttpRequest) -> bool:
    # htmx restoring history (back button, nothing cached) needs the whole page.
    return (
        bool(request.htmx)
        and request.htmx.target == "results"
        and not request.htmx.history_restore_request
    )


def _list_response(
    request: HtmxHttpRequest, params: QueryDict, save_form: discovery.SavedSearchForm | None = None
) -> HttpResponse:
    workspace = request.workspace
    niches = discovery.niche_names(workspace)
    form = discovery.DiscoveryForm(params, niches=niches)
    filters = form.filters()
    page = discovery.discover(SocialAccount.objects.for_workspace(workspace), filters)
    now = timezone.now()
    base = reverse("creator_list")
    query = discovery.shareable_query(params)
    context = {
        "form": form,
        # Everything the filter form's HTML depends on (it is cached by this key).
        "filters_key": (workspace.pk, sorted(niches.items()), sorted(params.lists())),
        "filters": filters,
        "page": page,
        "rows": [ResultRow.of(account, niches, now) for account in page.accounts],
        "query_string": query,
        "clear_url": base,
        "first_url": f"{base}?{query}" if query else base,
        "next_url": page.next_cursor
        and f"{base}?{discovery.shareable_query(params, after=page.next_cursor.encode())}",
        "export_url": reverse("creator_export") + (f"?{query}" if query else ""),
    }
    if _wants_results(request):
        response = TemplateResponse(
            request, f"{PAGE_TEMPLATE}#results", {**context, "partial": True}
        )
        # The address bar gets the tidy URL (the form would push every empty field too), and
        # no new history entry when nothing changed (leaving the search box fires "change").
        here = discovery.shareable_query(params, after=params.get("after") or None)
        tidy = f"{base}?{here}" if here else base
        current = urlsplit(request.htmx.current_url or "")
        unchanged = current.path + (f"?{current.query}" if current.query else "") == tidy
        return push_url(response, False if unchanged else tidy)
    context["saved_searches"] = SavedSearch.objects.for_workspace(workspace)
    context["save_form"] = save_form or discovery.SavedSearchForm(initial={"query_string": query})
    return TemplateResponse(request, PAGE_TEMPLATE, context)


@require_http_methods(["GET"])
@workspace_required
@vary_on_headers("HX-Request")
def creator_list(request: HtmxHttpRequest) -> HttpResponse:
    return _list_response(request, request.GET)


EXPORT_HEADER = [
    "creator", "platform", "handle", "profile_url", "followers", "tier", "engagement_rate_percent",
    "engagement_sample", "authenticity_score", "growth_30d_percent", "posts_per_week", "country",
    "language", "niches", "sponsored_before", "stats_updated_at",
]  # fmt: skip


def export_rows(accounts: QuerySet, niches: Mapping[int, str]) -> Iterator[list[object]]:
    """Header, one row per account, and a note when the export was capped."""
    yield EXPORT_HEADER
    for number, account in enumerate(accounts.iterator(chunk_size=2000), start=1):
        if number > discovery.EXPORT_LIMIT:
            yield [
                f"# Stopped at {discovery.EXPORT_LIMIT:,} rows: "
                "narrow the filters to export the rest."
            ]
            return
        followers, rate, growth = account.followers, account.engagement_rate, account.growth_30d
        yield [
            account.creator.name,
            account.get_platform_display(),
            account.handle,
            account.profile_url,
            followers,
            metrics.tier_for(followers).value if followers is not None else "",
            None if rate is None else round(rate * 100, 2),
            account.engagement_sample,
            account.authenticity_score,
            None if growth is None else round(growth * 100, 2),
            account.posts_per_week,
            account.country,
            account.language,
            _niche_list(account, niches, "; "),
            "yes" if account.has_sponsored else "no",
            account.stats_updated_at.isoformat() if account.stats_updated_at else "",
        ]


class _Echo:
    """csv.writer writes into this and gets the line back, so rows stream one by one."""

    def write(self, value: str) -> str:
        return value


# Exporting only reads, so a viewer may do it; the selected rows arrive by POST because a
# page of ids can be longer than a URL should be.
@require_http_methods(["GET", "POST"])
@workspace_required(write_role=Role.VIEWER)
def creator_export(request: HtmxHttpRequest) -> HttpResponse:
    workspace = request.workspace
    accounts = SocialAccount.objects.for_workspace(workspace)
    niches = discovery.niche_names(workspace)
    if request.method == "POST":
        ids = request.POST.getlist("account")
        if not ids:
            messages.error(request, "Tick at least one row to export.")
            return redirect(reverse("creator_list") + "?" + request.POST.get("query_string", ""))
        selected = discovery.selected_accounts(accounts, ids)
    else:
        filters = discovery.DiscoveryForm(request.GET, niches=niches).filters()
        selected = discovery.export_accounts(accounts, filters)
    writer = csv.writer(_Echo())
    lines = (writer.writerow(csv_row(row)) for row in export_rows(selected, niches))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="creators-{stamp}.csv"'
    return response


@require_http_methods(["POST"])
@workspace_required
def saved_search_create(request: HtmxHttpRequest) -> HttpResponse:
    form = discovery.SavedSearchForm(request.POST)
    if not form.is_valid():
        # Show the same list again, with the form's errors and what was typed.
        return _list_response(request, QueryDict(request.POST.get("query_string", "")), form)
    search = form.save(commit=False)
    search.workspace, search.created_by = request.workspace, request.user
    search.save()
    messages.success(request, f"Saved the search “{search.name}”.")
    return redirect(search.get_absolute_url())


@require_http_methods(["POST"])
@workspace_required
def saved_search_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    search = get_object_or_404(SavedSearch.objects.for_workspace(request.workspace), pk=pk)
    search.delete()
    messages.success(request, f"Deleted the saved search “{search.name}”.")
    return redirect("creator_list")
