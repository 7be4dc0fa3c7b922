"""The operator's admin for creators: every workspace's rows, so lists stay cheap at a million.

Scores are denormalised (services.accounts_recompute) and so read-only here; the
benchmark bands are the operator-editable data the scores are judged against.
"""

from django.contrib import admin
from django.contrib.postgres.search import SearchQuery
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Q
from django.utils.functional import cached_property

from .models import (
    BenchmarkBand,
    Connection,
    Creator,
    CreatorImport,
    Niche,
    SavedSearch,
    SocialAccount,
)
from .scoring import SCORE_FIELDS

COUNT_CAP = 10_000
COUNTRIES_CACHE_SECONDS = 3600


class CappedCountPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 rows: an exact COUNT(*) of a million costs half a second."""

    @cached_property
    def count(self) -> int:
        return self.object_list[: COUNT_CAP + 1].count()


class CountryFilter(admin.SimpleListFilter):
    """The countries present, cached: SELECT DISTINCT over every account reads the whole table."""

    title = "country"
    parameter_name = "country"

    def lookups(self, request, model_admin):
        def present() -> list[str]:
            rows = SocialAccount.objects.exclude(country="").values_list("country", flat=True)
            return sorted(rows.order_by().distinct())

        countries = cache.get_or_set("creators:admin:countries", present, COUNTRIES_CACHE_SECONDS)
        return [(code, code) for code in countries]

    def queryset(self, request, queryset):
        return queryset.filter(country=self.value()) if self.value() else queryset


@admin.register(Niche)
class NicheAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "workspace"]
    list_filter = ["workspace"]
    search_fields = ["name", "slug"]
    list_select_related = ["workspace"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["workspace"]


class SocialAccountInline(admin.TabularInline):
    model = SocialAccount
    extra = 0
    fields = ["platform", "handle", "followers", "tier", "engagement_rate", "authenticity_score"]
    readonly_fields = ["tier", "engagement_rate", "authenticity_score"]
    show_change_link = True


@admin.register(Creator)
class CreatorAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "country", "language", "workspace", "created_at"]
    list_filter = ["workspace"]
    search_fields = ["name", "email"]
    list_select_related = ["workspace"]
    raw_id_fields = ["workspace"]
    filter_horizontal = ["niches"]
    inlines = [SocialAccountInline]
    show_full_result_count = False


@admin.register(SocialAccount)
class SocialAccountAdmin(admin.ModelAdmin):
    list_display = [
        "handle",
        "platform",
        "creator",
        "followers",
        "tier",
        "engagement_rate",
        "authenticity_score",
        "country",
        "workspace",
    ]
    list_filter = ["workspace", "platform", "tier", CountryFilter, "has_sponsored"]
    search_fields = ["handle", "creator__name", "bio"]  # see get_search_results
    list_select_related = ["creator", "workspace"]
    raw_id_fields = ["creator", "workspace"]
    readonly_fields = [*SCORE_FIELDS, "scores_updated_at", "niche_ids", "country", "language"]
    # A million rows: no second COUNT(*) of the whole table for "N total", a capped one
    # for the filtered rows.
    show_full_result_count = False
    paginator = CappedCountPaginator

    def get_search_results(self, request, queryset, search_term):
        """Name, handle and bio through discovery's full-text index (search_vector), plus
        handles containing the term (trigram index), instead of ILIKE '%…%' over a join."""
        term = search_term.strip()
        if not term:
            return queryset, False
        words = SearchQuery(term, config="simple", search_type="websearch")
        handle = term.lstrip("@").lower()
        return queryset.filter(Q(search_vector=words) | Q(handle__contains=handle)), False


@admin.register(BenchmarkBand)
class BenchmarkBandAdmin(admin.ModelAdmin):
    list_display = ["__str__", "platform", "min_audience", "max_audience", "low", "high", "source"]
    list_editable = ["max_audience", "low", "high", "source"]
    list_filter = ["platform"]


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    list_display = ["name", "query_string", "workspace", "created_by", "created_at"]
    list_select_related = ["workspace", "created_by"]
    search_fields = ["name"]
    raw_id_fields = ["workspace", "created_by"]


@admin.register(CreatorImport)
class CreatorImportAdmin(admin.ModelAdmin):
    """Imports are written by the importer; the admin only looks (and may mark one failed)."""

    list_display = [
        "filename",
        "status",
        "workspace",
        "total_rows",
        "created_accounts",
        "created_at",
    ]
    list_filter = ["status"]
    list_select_related = ["workspace"]
    readonly_fields = [
        "workspace",
        "created_by",
        "created_at",
        "filename",
        "rows",
        "errors",
        "duplicates",
        "total_rows",
        "processed_rows",
        "created_accounts",
        "finished_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    """Read-mostly for operators: secrets are encrypted and never shown; edit them on the Connections page."""

    list_display = [
        "name",
        "workspace",
        "platform",
        "kind",
        "status",
        "paused_until",
        "last_success_at",
    ]
    list_filter = ["platform", "kind", "status"]
    search_fields = ["name", "workspace__name"]
    list_select_related = ["workspace"]
    readonly_fields = [
        "secret_hint",
        "status_message",
        "paused_until",
        "last_tested_at",
        "last_success_at",
    ]
