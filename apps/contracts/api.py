"""REST API over contracts and their versions: list, draft, edit terms, send, read versions.

Same pattern as apps/campaigns/api.py: the viewset inherits WorkspaceScopedViewSet (it owns
the workspace filter), inputs validate and hand plain values to services.py, outputs only
read. Service refusals are 409 with a `detail` the user can read; invalid terms are 400.
"""

import django_filters
from django.db import IntegrityError
from django.db.models import Prefetch
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from apps.accounts.api import WorkspaceScopedViewSet
from apps.campaigns.api import ConflictOutput, PlatformField
from apps.campaigns.models import CampaignCreator, validate_currency

from . import acceptance, documents, services, terms
from .models import (
    Contract,
    ContractDecision,
    ContractLink,
    ContractTemplate,
    ContractVersion,
    Deliverable,
    DeliverableFormat,
    PaymentSchedule,
    ReportingSchedule,
    ReportMetric,
    TrackingMethod,
    UsageChannel,
)

# --- related fields: ids of another workspace are "Invalid pk", like missing ones ----------


class WorkspaceCampaignCreatorField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return CampaignCreator.objects.for_workspace(self.context["view"].workspace).shortlisted()


class WorkspaceContractTemplateField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return ContractTemplate.objects.for_workspace(self.context["view"].workspace)


# --- input serializers ----------------------------------------------------------


def _money(**kwargs):
    return serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True, **kwargs
    )


def _days(**kwargs):
    return serializers.IntegerField(min_value=0, required=False, allow_null=True, **kwargs)


class PaymentSplitInput(serializers.Serializer):
    percent = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    when = serializers.CharField(max_length=200)


class DeliverableInput(serializers.Serializer):
    platform = PlatformField()
    format = serializers.ChoiceField(choices=DeliverableFormat.choices)
    quantity = serializers.IntegerField(min_value=1, max_value=100, default=1)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    required_hashtags = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list
    )
    required_mentions = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list
    )
    required_links = serializers.ListField(
        child=serializers.URLField(max_length=500), required=False, default=list
    )
    reach_goal = serializers.IntegerField(
        min_value=0, required=False, allow_null=True, default=None
    )
    engagement_goal = serializers.IntegerField(
        min_value=0, required=False, allow_null=True, default=None
    )


class TermsInput(serializers.Serializer):
    """The terms of the current version. PATCH changes the fields given; PUT replaces them all
    (fields left out take their defaults). `deliverables`, when given, replaces the list."""

    objectives = serializers.CharField(required=False, allow_blank=True)
    currency = serializers.CharField(max_length=3, required=False, help_text="ISO 4217, e.g. USD")
    cash_amount = _money()
    product_description = serializers.CharField(max_length=300, required=False, allow_blank=True)
    product_value = _money()
    payment_schedule = serializers.ChoiceField(choices=PaymentSchedule.choices, required=False)
    payment_splits = PaymentSplitInput(
        many=True, required=False, help_text="For a split schedule; the percents add up to 100."
    )
    commission_per_conversion = _money()
    promo_code_bonus = _money()
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)
    posting_frequency = serializers.CharField(max_length=200, required=False, allow_blank=True)
    disclosure_label = serializers.CharField(max_length=100, required=False, allow_blank=True)
    disclosure_placement = serializers.CharField(max_length=200, required=False, allow_blank=True)
    usage_channels = serializers.ListField(
        child=serializers.ChoiceField(choices=UsageChannel.choices), required=False
    )
    usage_duration_days = _days()
    paid_ads_whitelisting = serializers.BooleanField(required=False)
    exclusivity_days = _days()
    exclusivity_competitors = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False
    )
    approval_required = serializers.BooleanField(required=False)
    approval_turnaround_days = serializers.IntegerField(
        min_value=0, max_value=365, required=False, allow_null=True
    )
    cancellation_terms = serializers.CharField(required=False, allow_blank=True)
    report_metrics = serializers.ListField(
        child=serializers.ChoiceField(choices=ReportMetric.choices), required=False
    )
    tracking_methods = serializers.ListField(
        child=serializers.ChoiceField(choices=TrackingMethod.choices), required=False
    )
    reporting_schedule = serializers.ChoiceField(choices=ReportingSchedule.choices, required=False)
    deliverables = DeliverableInput(many=True, required=False)

    def validate_currency(self, value: str) -> str:
        value = value.strip().upper()
        try:
            validate_currency(value)
        except Exception as exc:  # Django's ValidationError: re-raised as DRF's
            raise serializers.ValidationError(exc.messages) from None
        return value

    def validate_payment_splits(self, value):
        return [{"percent": str(split["percent"]), "when": split["when"]} for split in value]


class ContractCreateInput(serializers.Serializer):
    campaign_creator = WorkspaceCampaignCreatorField(
        queryset=CampaignCreator.objects.all(), help_text="Id of the shortlisted creator"
    )
    template = WorkspaceContractTemplateField(
        queryset=ContractTemplate.objects.all(), required=False, allow_null=True
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class SendInput(serializers.Serializer):
    to_email = serializers.EmailField(
        required=False, allow_null=True, help_text="Defaults to the creator's email."
    )


# --- output serializers ---------------------------------------------------------


class DeliverableOutput(serializers.ModelSerializer):
    platform = PlatformField(read_only=True)

    class Meta:
        model = Deliverable
        fields = ["id", "position", *terms.DELIVERABLE_FIELDS, "completed_at"]
        read_only_fields = fields


class DecisionOutput(serializers.ModelSerializer):
    class Meta:
        model = ContractDecision
        fields = [
            "decision",
            "full_name",
            "comment",
            "acknowledged_disclosure",
            "acknowledged_usage_rights",
            "ip_address",
            "user_agent",
            "version_hash",
            "decided_at",
        ]
        read_only_fields = fields


class VersionOutput(serializers.ModelSerializer):
    deliverables = DeliverableOutput(many=True, read_only=True)
    decision = serializers.SerializerMethodField()

    class Meta:
        model = ContractVersion
        fields = [
            "number",
            *terms.TERM_FIELDS,
            "body",
            "deliverables",
            "frozen_at",
            "content_hash",
            "approved_by",
            "approved_at",
            "created_by",
            "created_at",
            "decision",
        ]
        read_only_fields = fields

    @extend_schema_field(DecisionOutput(allow_null=True))
    def get_decision(self, version: ContractVersion) -> dict | None:
        """The creator's answer to this version, or null."""
        decision = documents.decision_of(version)
        return DecisionOutput(decision).data if decision else None


class ContractOutput(serializers.ModelSerializer):
    creator = serializers.IntegerField(source="campaign_creator.creator_id", read_only=True)
    creator_name = serializers.CharField(source="campaign_creator.creator.name", read_only=True)
    current_version = VersionOutput(read_only=True, allow_null=True)
    accepted_version = serializers.IntegerField(
        source="accepted_version.number",
        read_only=True,
        allow_null=True,
        help_text="Number of the version the creator accepted",
    )

    class Meta:
        model = Contract
        fields = [
            "id",
            "title",
            "status",
            "campaign",
            "campaign_creator",
            "creator",
            "creator_name",
            "template",
            "current_version",
            "accepted_version",
            "created_by",
            "created_at",
            "updated_at",
            "sent_at",
            "decided_at",
            "activated_at",
            "closed_at",
            "close_reason",
        ]
        read_only_fields = fields


class ContractUpdateOutput(ContractOutput):
    version = serializers.IntegerField(
        read_only=True, help_text="Number of the version the terms were written to"
    )
    new_version = serializers.BooleanField(
        read_only=True,
        help_text="True when the contract had been sent: the sent version stays frozen and "
        "this new draft version holds the changes (the old link no longer works).",
    )

    class Meta(ContractOutput.Meta):
        fields = [*ContractOutput.Meta.fields, "version", "new_version"]
        read_only_fields = fields


class LinkOutput(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.number", read_only=True)

    class Meta:
        model = ContractLink
        fields = ["id", "version", "sent_to", "created_at", "expires_at", "revoked_at"]
        read_only_fields = fields


class SendOutput(serializers.Serializer):
    contract = ContractOutput()
    link = LinkOutput()


# --- filters --------------------------------------------------------------------


class ContractFilter(django_filters.FilterSet):
    campaign = django_filters.NumberFilter(field_name="campaign_id", help_text="Campaign id")
    status = django_filters.ChoiceFilter(choices=Contract.Status.choices)

    class Meta:
        model = Contract
        fields = ["campaign", "status"]


# --- viewset --------------------------------------------------------------------

VERSIONS = ContractVersion.objects.select_related("decision").prefetch_related(
    Prefetch("deliverables", queryset=Deliverable.objects.order_by("position", "id"))
)
REFUSED = {409: ConflictOutput}
NUMBER = OpenApiParameter("number", int, OpenApiParameter.PATH, description="Version number")


def _conflict(message: str) -> Response:
    return Response({"detail": message}, status=status.HTTP_409_CONFLICT)


@extend_schema_view(
    list=extend_schema(summary="Contracts, newest first, filterable by campaign and status"),
    retrieve=extend_schema(summary="One contract with its current version's terms"),
)
class ContractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceScopedViewSet):
    queryset = Contract.objects.all()
    serializer_class = ContractOutput
    filterset_class = ContractFilter

    def filter_workspace_queryset(self, queryset):
        return queryset.select_related(
            "campaign_creator__creator",
            "accepted_version",
            "current_version__decision",
        ).prefetch_related(
            Prefetch(
                "current_version__deliverables",
                queryset=Deliverable.objects.order_by("position", "id"),
            )
        )

    def _output(self, contract: Contract, serializer=ContractOutput, **extra) -> dict:
        contract = self.get_queryset().get(pk=contract.pk)
        for name, value in extra.items():
            setattr(contract, name, value)
        return serializer(contract, context=self.get_serializer_context()).data

    @extend_schema(
        summary="Draft a contract for a shortlisted creator",
        description="Version 1 starts from the template's default terms and clauses (if "
        "given) and the campaign's currency, dates and platforms. 409 when the creator "
        "already has an open contract in this campaign.",
        request=ContractCreateInput,
        responses={201: ContractOutput, **REFUSED},
    )
    def create(self, request, *args, **kwargs):
        serializer = ContractCreateInput(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            contract = services.contract_create(
                campaign_creator=data["campaign_creator"],
                by=request.user,
                template=data.get("template"),
                title=data.get("title", ""),
            )
        except services.ContractError as exc:
            return _conflict(exc.message)
        except IntegrityError:
            return _conflict("This creator already has a contract in this campaign.")
        return Response(self._output(contract), status=status.HTTP_201_CREATED)

    def _write_terms(self, request, *, partial: bool) -> Response:
        contract = self.get_object()
        serializer = TermsInput(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        deliverables = data.pop("deliverables", None if partial else [])
        if not partial:  # PUT: every term, the defaults for those left out
            data = {name: data.get(name, _default(name)) for name in terms.TERM_FIELDS}
        before = contract.current_version_id
        try:
            version = services.contract_update_draft(
                contract=contract, by=request.user, terms=data, deliverables=deliverables
            )
        except services.ContractError as exc:
            return _conflict(exc.message)
        output = self._output(
            contract,
            ContractUpdateOutput,
            version=version.number,
            new_version=version.pk != before,
        )
        return Response(output)

    @extend_schema(
        summary="Replace the draft's terms and deliverables",
        description="Fields left out take their defaults. On a sent contract this makes a "
        "new draft version (the sent one stays frozen; its link stops working): "
        "`version` and `new_version` in the response say which version was written. "
        "409 when the contract can no longer change (accepted, active, closed).",
        request=TermsInput,
        responses={200: ContractUpdateOutput, **REFUSED},
    )
    def update(self, request, *args, **kwargs):
        return self._write_terms(request, partial=False)

    @extend_schema(
        summary="Change some of the draft's terms (or its deliverables)",
        description="Only the fields given change; `deliverables`, when given, replaces the "
        "whole list. On a sent contract this makes a new draft version: `version` and "
        "`new_version` in the response say which version was written.",
        request=TermsInput,
        responses={200: ContractUpdateOutput, **REFUSED},
    )
    def partial_update(self, request, *args, **kwargs):
        return self._write_terms(request, partial=True)

    @extend_schema(
        summary="Send the current version to the creator",
        description="Freezes the version (content hash), marks the contract sent and emails "
        "the creator a private link. The link's token is sent by email only and never "
        "returned by the API: the response has the link's id and expiry (revoke it in the "
        "app). 400 when the version has no deliverables; 409 when the contract is not a "
        "draft or needs a manager's approval first.",
        request=SendInput,
        responses={200: SendOutput, **REFUSED},
    )
    @action(detail=True, methods=["post"])
    def send(self, request, *args, **kwargs):
        contract = self.get_object()
        serializer = SendInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            link, _token = acceptance.contract_send(
                contract=contract,
                by=request.user,
                to_email=serializer.validated_data.get("to_email"),
            )
        except services.ContractError as exc:
            return _conflict(exc.message)
        return Response(
            {
                "contract": self._output(contract),
                "link": LinkOutput(link, context=self.get_serializer_context()).data,
            }
        )

    def _versions(self, contract: Contract):
        return VERSIONS.filter(contract=contract).order_by("number")

    @extend_schema(
        summary="Every version of the contract, oldest first",
        responses={200: VersionOutput(many=True)},
        filters=False,
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def versions(self, request, *args, **kwargs):
        contract = self.get_object()
        serializer = VersionOutput(self._versions(contract), many=True)
        return Response(serializer.data)

    @extend_schema(
        summary="One version: its terms, deliverables, hash and the creator's decision",
        parameters=[NUMBER],
        responses={200: VersionOutput},
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"versions/(?P<number>[0-9]+)",
        url_name="version",
        filterset_class=None,
    )
    def version(self, request, *args, number=None, **kwargs):
        contract = self.get_object()
        version = self._versions(contract).filter(number=number).first()
        if version is None:
            raise NotFound("No such version.")
        return Response(VersionOutput(version).data)


def _default(name: str):
    return ContractVersion._meta.get_field(name).get_default()
