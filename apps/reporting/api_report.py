"""API: a campaign's report (read-only): totals, per creator, and the per-day series.

GET /api/v1/reports/{campaign_id}/?start=&end=&platform=&creator=
Money is given per currency and, when every currency converts through the
workspace's exchange rates, as a total in the campaign's currency (null otherwise,
with `refusal` naming the missing rates). Ratios are null when they cannot be
computed, with `reason`.
"""

from __future__ import annotations

from django.http import QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.accounts.api import WorkspaceScopedViewSet
from apps.campaigns.models import Campaign

from .dashboard import campaign_report
from .report_forms import ReportFilterForm


class MoneySerializer(serializers.Serializer):
    currency = serializers.CharField(help_text="The campaign's currency.")
    total = serializers.DecimalField(
        max_digits=16, decimal_places=2, allow_null=True, help_text="Null when a rate is missing."
    )
    amounts = serializers.DictField(
        child=serializers.DecimalField(max_digits=16, decimal_places=2),
        help_text="Per currency, as entered.",
    )
    refusal = serializers.CharField(help_text="Which exchange rates are missing, if any.")


class MetricSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=24, decimal_places=6, allow_null=True)
    formula = serializers.CharField()
    reason = serializers.CharField(help_text="Why the value is null.")


class ReportRowSerializer(serializers.Serializer):
    campaign_creator_id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    posts_live = serializers.IntegerField()
    posts_planned = serializers.IntegerField()
    views = serializers.IntegerField(allow_null=True, help_text="To date (end of the range).")
    views_in_range = serializers.IntegerField(allow_null=True)
    reach = serializers.IntegerField(allow_null=True)
    engagements = serializers.IntegerField(allow_null=True)
    engagements_in_range = serializers.IntegerField(allow_null=True)
    posts_likes_unknown = serializers.IntegerField()
    clicks = serializers.IntegerField()
    conversions = serializers.IntegerField()
    spend = MoneySerializer()
    revenue = MoneySerializer()
    metrics = serializers.DictField(child=MetricSerializer())


class DayValueSerializer(serializers.Serializer):
    date = serializers.DateField()
    value = serializers.DecimalField(max_digits=20, decimal_places=2)


class SeriesSerializer(serializers.Serializer):
    views_per_day = DayValueSerializer(many=True)
    engagements_per_day = DayValueSerializer(many=True)
    cumulative_spend = DayValueSerializer(many=True, allow_null=True)
    cumulative_revenue = DayValueSerializer(many=True, allow_null=True)


class CampaignReportSerializer(serializers.Serializer):
    campaign_id = serializers.IntegerField()
    currency = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    platform = serializers.CharField()
    creator = serializers.IntegerField(allow_null=True)
    totals = ReportRowSerializer()
    creators = ReportRowSerializer(many=True)
    series = SeriesSerializer()
    money_refusal = serializers.CharField()


def _money(value) -> dict:
    return {
        "currency": value.currency,
        "total": value.total,
        "amounts": dict(value.per_currency()),
        "refusal": value.refusal,
    }


def _row(row) -> dict:
    data = {
        name: getattr(row, name)
        for name in (
            "campaign_creator_id", "name", "posts_live", "posts_planned", "views",
            "views_in_range", "reach", "engagements", "engagements_in_range",
            "posts_likes_unknown", "clicks", "conversions",
        )
    }  # fmt: skip
    data["spend"] = _money(row.spend)
    data["revenue"] = _money(row.revenue)
    data["metrics"] = {
        key: {"value": m.value, "formula": m.formula, "reason": m.reason}
        for key, m in row.metrics.items()
    }
    return data


def _series(points) -> list[dict] | None:
    return None if points is None else [{"date": d, "value": v} for d, v in points]


def report_data(report) -> dict:
    filters = report.filters
    return {
        "campaign_id": report.campaign.pk,
        "currency": report.currency,
        "start": filters.start,
        "end": filters.end,
        "platform": filters.platform,
        "creator": filters.campaign_creator_id,
        "totals": _row(report.totals),
        "creators": [_row(row) for row in report.rows],
        "series": {
            "views_per_day": _series(report.views_per_day),
            "engagements_per_day": _series(report.engagements_per_day),
            "cumulative_spend": _series(report.cumulative_spend),
            "cumulative_revenue": _series(report.cumulative_revenue),
        },
        "money_refusal": report.money_refusal,
    }


FILTER_PARAMETERS = [
    OpenApiParameter("start", OpenApiTypes.DATE, description="First day (default: campaign start or 90 days ago)."),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Last day (default: campaign end or today). "
                     "Not before start; at most two years after it (else 400)."),
    OpenApiParameter("platform", OpenApiTypes.STR, enum=["instagram", "tiktok", "youtube"]),
    OpenApiParameter("creator", {"type": "integer", "minimum": 1}, description="A campaign creator id."),
]  # fmt: skip


class CampaignReportViewSet(mixins.RetrieveModelMixin, WorkspaceScopedViewSet):
    """A campaign's report. Another workspace's campaign is a 404."""

    queryset = Campaign.objects.all()
    serializer_class = CampaignReportSerializer

    @extend_schema(parameters=FILTER_PARAMETERS, responses=CampaignReportSerializer)
    def retrieve(self, request, *args, **kwargs):
        campaign = self.get_object()
        params = QueryDict(mutable=True)
        for name in ("start", "end", "platform", "creator"):
            if name in request.query_params:
                params[name] = request.query_params[name]
        form = ReportFilterForm(params or None, campaign=campaign)
        if params and not form.is_valid():
            raise ValidationError(
                {
                    ("non_field_errors" if field == "__all__" else field): list(messages)
                    for field, messages in form.errors.items()
                }
            )
        report = campaign_report(campaign, form.filters())
        return Response(CampaignReportSerializer(report_data(report)).data)
