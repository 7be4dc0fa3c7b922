"""REST API over campaigns, their shortlist/pipeline rows, message templates and messages.

Same pattern as apps/creators/api.py: every viewset inherits WorkspaceScopedViewSet (it owns
the workspace filter), inputs validate and hand plain values to services.py, outputs only read.
"""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.accounts import api
from apps.accounts.api import WorkspaceScopedViewSet
from apps.accounts.models import Role, User
from apps.creators.api import WorkspaceCreatorField
from apps.creators.models import Creator, Niche, Platform

from . import pipeline, services, templating
from .models import (
    Campaign,
    CampaignCreator,
    MessageTemplate,
    OutreachMessage,
    Stage,
    StageChange,
    validate_currency,
)
from .outreach_forms import template_error_text

# --- related fields: ids of another workspace are "Invalid pk", like missing ones ----------


class WorkspaceCampaignField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Campaign.objects.for_workspace(self.context["view"].workspace)


class WorkspaceNicheField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Niche.objects.for_workspace(self.context["view"].workspace)


class WorkspaceMemberField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return User.objects.filter(memberships__workspace=self.context["view"].workspace)


# Spectacular names an enum after its field, so the same choices under another field name
# (to_stage, platforms) would be a second component and a schema warning: these fields
# point at the one component (StageEnum from `stage`, PlatformEnum from creators' `platform`).
STAGE_ENUM = {"$ref": "#/components/schemas/StageEnum"}


@extend_schema_field({"$ref": "#/components/schemas/PlatformEnum"})
class PlatformField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Platform.choices, **kwargs)


@extend_schema_field(STAGE_ENUM)
class StageField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Stage.choices, **kwargs)


# --- input serializers ----------------------------------------------------------


# Archiving has its own endpoint (managers only), like the web form.
OPEN_STATUSES = [c for c in Campaign.Status.choices if c[0] != Campaign.Status.ARCHIVED]


class CampaignInput(serializers.Serializer):
    name = api.CharField(max_length=200)
    brand = api.CharField(max_length=200, required=False, allow_blank=True)
    product = api.CharField(max_length=200, required=False, allow_blank=True)
    goal = serializers.ChoiceField(choices=Campaign.Goal.choices, required=False)
    status = serializers.ChoiceField(choices=OPEN_STATUSES, required=False)
    budget = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    currency = api.CharField(max_length=3, required=False, help_text="ISO 4217, e.g. USD")
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)
    platforms = serializers.ListField(child=PlatformField(), required=False)
    niches = WorkspaceNicheField(many=True, required=False, queryset=Niche.objects.all())
    keywords = serializers.ListField(
        child=api.CharField(max_length=100), required=False, max_length=100
    )
    team = WorkspaceMemberField(
        many=True, required=False, queryset=User.objects.all(), help_text="User ids"
    )
    follow_up_days = serializers.IntegerField(min_value=1, max_value=90, required=False)

    def validate_currency(self, value: str) -> str:
        value = value.strip().upper()
        try:
            validate_currency(value)
        except Exception as exc:  # Django's ValidationError: re-raised as DRF's
            raise serializers.ValidationError(exc.messages) from None
        return value

    def validate(self, attrs):
        instance = self.context.get("campaign")
        start = attrs.get("start_date", getattr(instance, "start_date", None))
        end = attrs.get("end_date", getattr(instance, "end_date", None))
        if start and end and end < start:
            raise serializers.ValidationError(
                {"end_date": ["The campaign cannot end before it starts."]}
            )
        return attrs


class CampaignCreatorInput(serializers.Serializer):
    campaign = WorkspaceCampaignField(queryset=Campaign.objects.all())
    creator = WorkspaceCreatorField(queryset=Creator.objects.all())

    def validate_campaign(self, campaign: Campaign) -> Campaign:
        if campaign.is_archived:
            raise serializers.ValidationError(
                f"“{campaign.name}” is archived: no creators can be added."
            )
        return campaign


class MoveInput(serializers.Serializer):
    to_stage = StageField()
    reason = api.CharField(required=False, allow_blank=True, default="", max_length=2000)
    expected_version = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text="The row's `version` as you read it; a newer one means 409.",
    )


class MessageTemplateInput(serializers.Serializer):
    name = api.CharField(max_length=200)
    offer_type = serializers.ChoiceField(
        choices=templating.OfferType.choices(), required=False, allow_blank=True
    )
    subject = api.CharField(max_length=300)
    body = api.CharField(max_length=20_000)

    @staticmethod
    def _check_template(text: str) -> str:
        errors = templating.validate(text)
        if errors:
            raise serializers.ValidationError([template_error_text(e) for e in errors])
        return text

    def validate_subject(self, value: str) -> str:
        return self._check_template(value)

    def validate_body(self, value: str) -> str:
        return self._check_template(value)


# --- output serializers ---------------------------------------------------------


class CampaignOutput(serializers.ModelSerializer):
    platforms = serializers.ListField(child=PlatformField(), read_only=True)
    creator_count = serializers.IntegerField(read_only=True, help_text="Shortlisted creators")

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "brand",
            "product",
            "goal",
            "status",
            "budget",
            "currency",
            "start_date",
            "end_date",
            "platforms",
            "niches",
            "keywords",
            "owner",
            "team",
            "follow_up_days",
            "creator_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class StageChangeOutput(serializers.ModelSerializer):
    from_stage = serializers.SerializerMethodField(help_text="Empty for the first stage")
    to_stage = StageField(read_only=True)

    class Meta:
        model = StageChange
        fields = ["from_stage", "to_stage", "by", "at", "reason"]
        read_only_fields = fields

    @extend_schema_field({"oneOf": [STAGE_ENUM, {"$ref": "#/components/schemas/BlankEnum"}]})
    def get_from_stage(self, change: StageChange) -> str:
        return change.from_stage


class CampaignCreatorOutput(serializers.ModelSerializer):
    creator_name = serializers.CharField(source="creator.name", read_only=True)
    stage_changes = StageChangeOutput(many=True, read_only=True)

    class Meta:
        model = CampaignCreator
        fields = [
            "id",
            "campaign",
            "creator",
            "creator_name",
            "stage",
            "stage_changed_at",
            "version",
            "position",
            "planned_fee",
            "currency",
            "reason",
            "added_by",
            "added_at",
            "stage_changes",
        ]
        read_only_fields = fields


# Read-only model fields lose allow_blank in ModelSerializer: declared, the schema says
# "an offer type or blank" (a template may have none).
def _offer_type_field() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=templating.OfferType.choices(), allow_blank=True, read_only=True
    )


class MessageTemplateOutput(serializers.ModelSerializer):
    offer_type = _offer_type_field()
    fields_used = serializers.SerializerMethodField(help_text="Merge fields the template uses")

    class Meta:
        model = MessageTemplate
        fields = [
            "id",
            "name",
            "offer_type",
            "subject",
            "body",
            "fields_used",
            "created_by",
            "updated_at",
        ]
        read_only_fields = fields

    def get_fields_used(self, template: MessageTemplate) -> list[str]:
        used = templating.parse(template.subject).fields + templating.parse(template.body).fields
        return list(dict.fromkeys(used))


class OutreachMessageOutput(serializers.ModelSerializer):
    campaign = serializers.IntegerField(source="campaign_creator.campaign_id", read_only=True)
    offer_type = _offer_type_field()
    to_email = serializers.EmailField(allow_blank=True, read_only=True)

    class Meta:
        model = OutreachMessage
        fields = [
            "id",
            "campaign",
            "campaign_creator",
            "template",
            "direction",
            "to_email",
            "subject",
            "body",
            "offer_type",
            "offer_value",
            "status",
            "error",
            "attempts",
            "sent_by",
            "created_at",
            "sent_at",
        ]
        read_only_fields = fields


class ConflictOutput(serializers.Serializer):
    detail = serializers.CharField()


# --- filters --------------------------------------------------------------------


class CampaignFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Campaign.Status.choices)

    class Meta:
        model = Campaign
        fields = ["status"]


class CampaignCreatorFilter(django_filters.FilterSet):
    campaign = api.IntegerFilter(field_name="campaign_id", help_text="Campaign id")
    stage = django_filters.ChoiceFilter(choices=Stage.choices)

    class Meta:
        model = CampaignCreator
        fields = ["campaign", "stage"]


class OutreachMessageFilter(django_filters.FilterSet):
    campaign = api.IntegerFilter(
        field_name="campaign_creator__campaign_id", help_text="Campaign id"
    )
    campaign_creator = api.IntegerFilter(
        field_name="campaign_creator_id", help_text="Campaign creator id"
    )
    status = django_filters.ChoiceFilter(choices=OutreachMessage.Status.choices)

    class Meta:
        model = OutreachMessage
        fields = ["campaign", "campaign_creator", "status"]


# --- viewsets -------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Campaigns, newest first, filterable by status"),
    retrieve=extend_schema(summary="One campaign"),
)
class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceScopedViewSet):
    queryset = Campaign.objects.all()
    serializer_class = CampaignOutput
    filterset_class = CampaignFilter

    def filter_workspace_queryset(self, queryset):
        # The annotation's GROUP BY drops Meta.ordering, so order explicitly.
        return (
            queryset.with_counts().prefetch_related("niches", "team").order_by("-created_at", "-id")
        )

    def _output(self, campaign: Campaign) -> dict:
        campaign = self.get_queryset().get(pk=campaign.pk)  # with counts and m2m
        return CampaignOutput(campaign, context=self.get_serializer_context()).data

    @extend_schema(
        summary="Create a campaign (you are its owner)",
        request=CampaignInput,
        responses={201: CampaignOutput},
    )
    def create(self, request, *args, **kwargs):
        serializer = CampaignInput(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        campaign = services.campaign_create(
            workspace=self.workspace, by=request.user, **serializer.validated_data
        )
        return Response(self._output(campaign), status=status.HTTP_201_CREATED)

    @extend_schema(summary="Change some of a campaign's details", request=CampaignInput)
    def partial_update(self, request, *args, **kwargs):
        campaign = self.get_object()
        serializer = CampaignInput(
            data=request.data,
            partial=True,
            context={**self.get_serializer_context(), "campaign": campaign},
        )
        serializer.is_valid(raise_exception=True)
        services.campaign_update(campaign=campaign, **serializer.validated_data)
        return Response(self._output(campaign))

    @extend_schema(summary="Archive the campaign (managers)", request=None)
    @action(detail=True, methods=["post"], write_role=Role.MANAGER)
    def archive(self, request, *args, **kwargs):
        campaign = self.get_object()
        services.campaign_archive(campaign=campaign)
        return Response(self._output(campaign))


MOVE_RESPONSES = {200: CampaignCreatorOutput, 409: ConflictOutput}


@extend_schema_view(
    list=extend_schema(summary="Shortlisted creators, filterable by campaign and stage"),
    retrieve=extend_schema(summary="One shortlisted creator with their stage timeline"),
    destroy=extend_schema(summary="Take the creator off the shortlist (restorable in the app)"),
)
class CampaignCreatorViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    WorkspaceScopedViewSet,
):
    queryset = CampaignCreator.objects.all()
    serializer_class = CampaignCreatorOutput
    filterset_class = CampaignCreatorFilter

    def filter_workspace_queryset(self, queryset):
        return (
            queryset.shortlisted()
            .select_related("creator")
            .prefetch_related("stage_changes")
            .order_by("campaign_id", "position", "added_at", "id")
        )

    def _output(self, row: CampaignCreator) -> dict:
        row = self.get_queryset().get(pk=row.pk)
        return CampaignCreatorOutput(row, context=self.get_serializer_context()).data

    @extend_schema(
        summary="Shortlist a creator for a campaign (200 if already there)",
        request=CampaignCreatorInput,
        responses={201: CampaignCreatorOutput, 200: CampaignCreatorOutput},
    )
    def create(self, request, *args, **kwargs):
        serializer = CampaignCreatorInput(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        campaign, creator = (
            serializer.validated_data["campaign"],
            serializer.validated_data["creator"],
        )
        added, _ = services.shortlist_add(campaign=campaign, creators=[creator], by=request.user)
        row = self.get_queryset().get(campaign=campaign, creator=creator)
        return Response(
            self._output(row), status=status.HTTP_201_CREATED if added else status.HTTP_200_OK
        )

    def perform_destroy(self, instance):
        services.shortlist_remove(campaign_creator=instance, by=self.request.user)

    @extend_schema(
        summary="Move the creator to another pipeline stage",
        description="409 when the pipeline rules refuse the move, or when the row's version "
        "is no longer `expected_version` (someone moved it meanwhile).",
        request=MoveInput,
        responses=MOVE_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def move(self, request, *args, **kwargs):
        row = self.get_object()
        serializer = MoveInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.campaign_creator_move(
                campaign_creator=row, by=request.user, **serializer.validated_data
            )
        except (pipeline.MoveRefused, services.StaleMove) as exc:
            return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
        return Response(self._output(row))


@extend_schema_view(
    list=extend_schema(summary="Outreach email templates, by name"),
    retrieve=extend_schema(summary="One message template"),
    destroy=extend_schema(summary="Delete a message template (sent messages keep their text)"),
)
class MessageTemplateViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    WorkspaceScopedViewSet,
):
    queryset = MessageTemplate.objects.all()
    serializer_class = MessageTemplateOutput

    def _save(self, template: MessageTemplate, data) -> MessageTemplate:
        for name, value in data.items():
            setattr(template, name, value)
        template.save()
        return template

    @extend_schema(
        summary="Create a message template (merge fields are checked)",
        request=MessageTemplateInput,
        responses={201: MessageTemplateOutput},
    )
    def create(self, request, *args, **kwargs):
        serializer = MessageTemplateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        template = self._save(
            MessageTemplate(workspace=self.workspace, created_by=request.user),
            serializer.validated_data,
        )
        return Response(MessageTemplateOutput(template).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Replace a message template", request=MessageTemplateInput)
    def update(self, request, *args, **kwargs):
        template = self.get_object()
        serializer = MessageTemplateInput(data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        self._save(template, serializer.validated_data)
        return Response(MessageTemplateOutput(template).data)

    @extend_schema(summary="Change some of a message template", request=MessageTemplateInput)
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)


@extend_schema_view(
    list=extend_schema(summary="Outreach messages sent and received, oldest first"),
    retrieve=extend_schema(summary="One outreach message as it was sent"),
)
class OutreachMessageViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceScopedViewSet
):
    queryset = OutreachMessage.objects.all()
    serializer_class = OutreachMessageOutput
    filterset_class = OutreachMessageFilter

    def filter_workspace_queryset(self, queryset):
        return queryset.select_related("campaign_creator").order_by("created_at", "id")
