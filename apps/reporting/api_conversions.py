"""REST API over tracked links (with click counts and daily clicks), promo codes and conversions.

Same pattern as apps/campaigns/api.py: viewsets inherit WorkspaceScopedViewSet (it owns the
workspace filter); related ids of another workspace are "Invalid pk" (400) like missing
ones; inputs validate and hand plain values to conversions.py.

Pushing a conversion is idempotent by `external_order_id`: the first POST answers 201,
a replay answers 200 with the stored row, `created: false`, and `differences` naming
the fields where this request disagrees with the stored row. Not 409: a shop retrying
after a timeout must not see its own successful push as an error, and the stored row
stays authoritative either way (a correction is made in the app, not by a replay).
"""

import datetime as dt

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.accounts.api import WorkspaceScopedViewSet
from apps.campaigns.models import CampaignCreator, validate_currency

from . import conversions
from .models import Conversion, LinkClick, PromoCode, TrackedLink

MAX_CLICK_DAYS = 366


class WorkspaceCampaignCreatorField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return CampaignCreator.objects.for_workspace(self.context["view"].workspace)


class WorkspaceTrackedLinkField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return TrackedLink.objects.for_workspace(self.context["view"].workspace)


# --- output -----------------------------------------------------------------------


class TrackedLinkOutput(serializers.ModelSerializer):
    short_url = serializers.SerializerMethodField(help_text="The absolute /r/<code> address")
    creator_name = serializers.CharField(source="campaign_creator.creator.name", read_only=True)

    class Meta:
        model = TrackedLink
        fields = [
            "id",
            "campaign",
            "campaign_creator",
            "creator_name",
            "code",
            "short_url",
            "destination_url",
            "utm_source",
            "utm_medium",
            "utm_campaign",
            "utm_content",
            "click_count",
            "created_at",
            "archived_at",
        ]
        read_only_fields = fields

    def get_short_url(self, link: TrackedLink) -> str:
        return f"{settings.SITE_URL}{link.get_short_path()}"


class DailyClicksOutput(serializers.Serializer):
    date = serializers.DateField()
    clicks = serializers.IntegerField(help_text="Counted clicks")
    bots = serializers.IntegerField(help_text="Requests from bots and link previews (not counted)")
    repeats = serializers.IntegerField(help_text="Repeat clicks within the window (not counted)")


class PromoCodeOutput(serializers.ModelSerializer):
    class Meta:
        model = PromoCode
        fields = ["id", "campaign", "campaign_creator", "code", "description", "created_at"]
        read_only_fields = fields


class ConversionOutput(serializers.ModelSerializer):
    promo_code = serializers.CharField(
        source="promo_code.code", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Conversion
        fields = [
            "id",
            "campaign",
            "campaign_creator",
            "promo_code",
            "tracked_link",
            "occurred_on",
            "uses",
            "revenue",
            "currency",
            "external_order_id",
            "source",
            "created_at",
        ]
        read_only_fields = fields


class ConversionCreateOutput(ConversionOutput):
    created = serializers.BooleanField(help_text="False when this order id was already recorded")
    differences = serializers.ListField(
        child=serializers.CharField(),
        help_text="On a replay: the fields whose stored value differs from this request",
    )

    class Meta(ConversionOutput.Meta):
        fields = [*ConversionOutput.Meta.fields, "created", "differences"]
        read_only_fields = fields


# --- input ------------------------------------------------------------------------


class ConversionInput(serializers.Serializer):
    campaign_creator = WorkspaceCampaignCreatorField(
        queryset=CampaignCreator.objects.all(),
        required=False,
        allow_null=True,
        help_text="Campaign creator id; optional when promo_code or tracked_link says who",
    )
    promo_code = serializers.CharField(
        max_length=64, required=False, allow_blank=True, help_text="The promo code as typed"
    )
    tracked_link = WorkspaceTrackedLinkField(
        queryset=TrackedLink.objects.all(), required=False, allow_null=True
    )
    occurred_on = serializers.DateField()
    uses = serializers.IntegerField(min_value=1, max_value=conversions.MAX_USES, default=1)
    revenue = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, default=0, coerce_to_string=True
    )
    currency = serializers.CharField(
        max_length=3,
        required=False,
        allow_blank=True,
        help_text="ISO 4217; default: the campaign's",
    )
    external_order_id = serializers.CharField(
        max_length=conversions.MAX_ORDER_ID_LENGTH,
        help_text="Your order id: a replay with the same id is not recorded twice",
    )

    def validate_currency(self, value: str) -> str:
        value = value.strip().upper()
        if value:
            try:
                validate_currency(value)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages) from None
        return value

    def validate_promo_code(self, value: str):
        value = value.strip()
        if not value:
            return None
        promo = (
            PromoCode.objects.for_workspace(self.context["view"].workspace)
            .filter(code__iexact=value)
            .select_related("campaign_creator__campaign")
            .first()
        )
        if promo is None:
            raise serializers.ValidationError("No such promo code in this workspace.")
        return promo

    def validate(self, attrs):
        if not (
            attrs.get("campaign_creator") or attrs.get("promo_code") or attrs.get("tracked_link")
        ):
            raise serializers.ValidationError(
                {"campaign_creator": ["Give campaign_creator, promo_code or tracked_link."]}
            )
        return attrs


# --- filters ----------------------------------------------------------------------

MAX_ID = 2**63 - 1  # bigint


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """An id: a whole number in bigint range (django-filter's NumberFilter takes any decimal)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=MAX_ID, **kwargs)


class _StrictBooleanField(forms.NullBooleanField):
    """Only "true" or "false" (django-filter's BooleanFilter reads anything else as "any")."""

    widget = forms.TextInput  # hands the raw text to to_python (NullBooleanSelect maps it)

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in (True, "true", "True"):
            return True
        if value in (False, "false", "False"):
            return False
        raise forms.ValidationError("Use true or false.")

    def validate(self, value):
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = _StrictBooleanField


class TrackedLinkFilter(django_filters.FilterSet):
    campaign = IdFilter(field_name="campaign_id", help_text="Campaign id")
    campaign_creator = IdFilter(field_name="campaign_creator_id", help_text="Campaign creator id")
    archived = StrictBooleanFilter(
        field_name="archived_at", lookup_expr="isnull", exclude=True, help_text="Archived links"
    )

    class Meta:
        model = TrackedLink
        fields = ["campaign", "campaign_creator", "archived"]


class PromoCodeFilter(django_filters.FilterSet):
    campaign = IdFilter(field_name="campaign_id", help_text="Campaign id")
    campaign_creator = IdFilter(field_name="campaign_creator_id", help_text="Campaign creator id")

    class Meta:
        model = PromoCode
        fields = ["campaign", "campaign_creator"]


class ConversionFilter(django_filters.FilterSet):
    campaign = IdFilter(field_name="campaign_id", help_text="Campaign id")
    campaign_creator = IdFilter(field_name="campaign_creator_id", help_text="Campaign creator id")
    source = django_filters.ChoiceFilter(choices=Conversion.Source.choices)
    external_order_id = django_filters.CharFilter(max_length=conversions.MAX_ORDER_ID_LENGTH)
    occurred_after = django_filters.DateFilter(field_name="occurred_on", lookup_expr="gte")
    occurred_before = django_filters.DateFilter(field_name="occurred_on", lookup_expr="lte")

    class Meta:
        model = Conversion
        fields = ["campaign", "campaign_creator", "source", "external_order_id"]


class ClicksQuery(serializers.Serializer):
    start = serializers.DateField(
        required=False,
        help_text=f"First day (default: 30 days before end; at most {MAX_CLICK_DAYS} days before end)",
    )
    end = serializers.DateField(required=False, help_text="Last day (default: today)")


def _days_before(day: dt.date, days: int) -> dt.date:
    try:
        return day - dt.timedelta(days=days)
    except OverflowError:
        return dt.date.min


# --- viewsets ---------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Tracked links with their counted clicks, newest first"),
    retrieve=extend_schema(summary="One tracked link"),
)
class TrackedLinkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceScopedViewSet):
    queryset = TrackedLink.objects.all()
    serializer_class = TrackedLinkOutput
    filterset_class = TrackedLinkFilter

    def filter_workspace_queryset(self, queryset):
        return queryset.select_related("campaign_creator__creator").order_by("-created_at", "-id")

    @extend_schema(
        summary="Clicks on this link per day (UTC): counted, bots, repeats",
        parameters=[ClicksQuery],
        responses=DailyClicksOutput(many=True),
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def clicks(self, request, *args, **kwargs):
        link = self.get_object()
        query = ClicksQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        end = query.validated_data.get("end") or timezone.localdate()
        start = query.validated_data.get("start") or _days_before(end, 29)
        # A reversed range is simply empty; a long one is cut to its last MAX_CLICK_DAYS.
        start = max(start, _days_before(end, MAX_CLICK_DAYS - 1))
        rows = (
            LinkClick.objects.filter(link=link, at__date__gte=start, at__date__lte=end)
            .annotate(day=TruncDate("at"))
            .values("day")
            .annotate(
                clicks=Count("id", filter=Q(counted=True)),
                bots=Count("id", filter=Q(ignored=LinkClick.Ignored.BOT)),
                repeats=Count("id", filter=Q(ignored=LinkClick.Ignored.REPEAT)),
            )
            .order_by("day")
        )
        data = [
            {"date": row["day"], **{k: row[k] for k in ("clicks", "bots", "repeats")}}
            for row in rows
        ]
        return Response(DailyClicksOutput(data, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="Promo codes, by code"),
    retrieve=extend_schema(summary="One promo code"),
)
class PromoCodeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceScopedViewSet):
    queryset = PromoCode.objects.all()
    serializer_class = PromoCodeOutput
    filterset_class = PromoCodeFilter

    def filter_workspace_queryset(self, queryset):
        return queryset.order_by("code", "id")


@extend_schema_view(
    list=extend_schema(summary="Conversions, newest first"),
    retrieve=extend_schema(summary="One conversion"),
)
class ConversionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceScopedViewSet):
    queryset = Conversion.objects.all()
    serializer_class = ConversionOutput
    filterset_class = ConversionFilter

    def filter_workspace_queryset(self, queryset):
        return queryset.select_related("promo_code").order_by("-occurred_on", "-id")

    @extend_schema(
        summary="Record a conversion (idempotent by external_order_id)",
        description="201 with `created: true` the first time; a replay of the same "
        "`external_order_id` answers 200 with the stored row, `created: false` and the "
        "`differences` between the stored row and this request. The stored row is never "
        "changed by a replay.",
        request=ConversionInput,
        responses={201: ConversionCreateOutput, 200: ConversionCreateOutput},
    )
    def create(self, request, *args, **kwargs):
        serializer = ConversionInput(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = conversions.conversion_record(
            workspace=self.workspace,
            campaign_creator=data.get("campaign_creator"),
            promo_code=data.get("promo_code"),
            tracked_link=data.get("tracked_link"),
            occurred_on=data["occurred_on"],
            uses=data["uses"],
            revenue=data["revenue"],
            currency=data.get("currency") or "",
            external_order_id=data["external_order_id"],
            source=Conversion.Source.API,
            by=request.user,
        )
        conversion = self.get_queryset().get(pk=result.conversion.pk)
        body = {
            **ConversionOutput(conversion).data,
            "created": result.created,
            "differences": list(result.differences),
        }
        return Response(
            body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        )
