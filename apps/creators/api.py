"""REST API over creators, their social accounts, snapshots and posts (under /api/v1/).

Every viewset inherits WorkspaceScopedViewSet, which owns the workspace filter.
Input and output serializers are separate: inputs validate and hand plain values
to services.py, outputs only read.
"""

import django_filters
from django.utils.text import slugify
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.accounts import api
from apps.accounts.api import UTCIsoDateTimeFilter, WorkspaceScopedViewSet

from . import csv_import, metrics, services
from .handles import InvalidHandle, parse_profile
from .importing import existing_accounts, match_existing
from .models import AccountSnapshot, Creator, Platform, Post, SocialAccount, StatsSource

STATS_FIELDS = ("followers", "following", "posts_count", "total_views")
MAX_COUNT = 2**63 - 1  # the counts are BigIntegerFields: beyond this Postgres refuses (a 500)


# --- input serializers ----------------------------------------------------------


def _clean_country(value: str) -> str:
    code = {"UK": "GB"}.get(value.strip().upper(), value.strip().upper())
    if code and code not in csv_import.COUNTRY_CODES:
        raise serializers.ValidationError("Use a two-letter ISO 3166 country code, e.g. GB.")
    return code


def _clean_language(value: str) -> str:
    code = value.strip().lower().split("-")[0]
    if code and code not in csv_import.LANGUAGE_CODES:
        raise serializers.ValidationError("Use a two-letter ISO 639-1 language code, e.g. en.")
    return code


class ProfileInput(serializers.Serializer):
    """One social account: platform and handle, or a profile URL."""

    platform = serializers.ChoiceField(choices=Platform.choices, required=False)
    handle = api.CharField(required=False, max_length=300)
    profile_url = api.CharField(required=False, max_length=300)

    def validate(self, attrs):
        value = attrs.get("profile_url") or attrs.get("handle")
        if not value:
            raise serializers.ValidationError("Give platform and handle, or profile_url.")
        try:
            profile = parse_profile(value, attrs.get("platform"))
            if attrs.get("profile_url") and attrs.get("handle"):
                by_handle = parse_profile(attrs["handle"], profile.platform)
                if profile.handle and by_handle.handle != profile.handle:
                    raise InvalidHandle("The handle doesn't match the profile URL.")
        except InvalidHandle as exc:
            raise serializers.ValidationError(exc.message) from None
        return {"profile": profile}


def _check_not_taken(profiles, workspace) -> None:
    found = existing_accounts(
        workspace=workspace,
        profiles=((str(p.platform), p.handle, p.external_id) for p in profiles),
    )
    for profile in profiles:
        row = {
            "platform": str(profile.platform),
            "handle": profile.handle,
            "external_id": profile.external_id,
        }
        account = match_existing(row, found)
        if account is not None:
            raise serializers.ValidationError(
                f"{profile.platform.label} @{profile.handle or profile.external_id} is already "
                f"in this workspace (creator {account.creator_id})."
            )


class CreatorUpdateInput(serializers.Serializer):
    name = api.CharField(max_length=200)
    email = api.EmailField(required=False, allow_blank=True)
    country = api.CharField(required=False, allow_blank=True, max_length=2)
    language = api.CharField(required=False, allow_blank=True, max_length=5)
    niches = serializers.ListField(
        child=api.CharField(max_length=50),
        required=False,
        max_length=50,
        help_text="Niche names",
    )
    notes = api.CharField(required=False, allow_blank=True, max_length=20_000)

    def validate_country(self, value: str) -> str:
        return _clean_country(value)

    def validate_language(self, value: str) -> str:
        return _clean_language(value)


class CreatorCreateInput(CreatorUpdateInput):
    accounts = ProfileInput(many=True, allow_empty=False)

    def validate_accounts(self, value):
        profiles = [item["profile"] for item in value]
        keys = [(p.platform, p.handle or "#" + p.external_id) for p in profiles]
        if len(set(keys)) != len(keys):
            raise serializers.ValidationError("The same account is listed twice.")
        _check_not_taken(profiles, self.context["view"].workspace)
        return profiles


class WorkspaceCreatorField(serializers.PrimaryKeyRelatedField):
    """A creator id; ids from another workspace are 'Invalid pk', like ids that don't exist."""

    def get_queryset(self):
        return Creator.objects.for_workspace(self.context["view"].workspace)


class AccountStatsInput(serializers.Serializer):
    followers = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, allow_null=True)
    following = serializers.IntegerField(
        min_value=0, max_value=MAX_COUNT, allow_null=True, required=False
    )
    posts_count = serializers.IntegerField(
        min_value=0, max_value=MAX_COUNT, allow_null=True, required=False
    )
    total_views = serializers.IntegerField(
        min_value=0, max_value=MAX_COUNT, allow_null=True, required=False
    )


class SocialAccountCreateInput(ProfileInput):
    creator = WorkspaceCreatorField(queryset=Creator.objects.all())
    followers = serializers.IntegerField(
        min_value=0, max_value=MAX_COUNT, allow_null=True, required=False
    )
    following = serializers.IntegerField(
        min_value=0, max_value=MAX_COUNT, allow_null=True, required=False
    )
    posts_count = serializers.IntegerField(
        min_value=0, max_value=MAX_COUNT, allow_null=True, required=False
    )
    total_views = serializers.IntegerField(
        min_value=0, max_value=MAX_COUNT, allow_null=True, required=False
    )

    def validate(self, attrs):
        profile = super().validate(attrs)["profile"]
        _check_not_taken([profile], self.context["view"].workspace)
        return {**attrs, "profile": profile}


# --- output serializers ---------------------------------------------------------


# Snapshots and posts call it `source`, accounts `stats_source`; settings'
# ENUM_NAME_OVERRIDES names the choice set StatsSourceEnum wherever it appears.
class SourceField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=StatsSource.choices, read_only=True, **kwargs)


# Read-only model fields lose allow_blank in ModelSerializer, so the schema would promise
# a tier (an email, a URL) where the API answers "" (an account not scored yet, a creator
# without email): declared here with allow_blank, the schema says "... or blank".
def _tier_field() -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=metrics.TIER_CHOICES, allow_blank=True, read_only=True)


class AccountBriefOutput(serializers.ModelSerializer):
    tier = _tier_field()
    profile_url = serializers.URLField(allow_blank=True, read_only=True)

    class Meta:
        model = SocialAccount
        fields = [
            "id",
            "platform",
            "handle",
            "profile_url",
            "followers",
            "tier",
            "engagement_rate",
            "authenticity_score",
            "refresh_status",
        ]
        read_only_fields = fields


class CreatorOutput(serializers.ModelSerializer):
    niches = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    accounts = AccountBriefOutput(many=True, read_only=True)
    email = serializers.EmailField(allow_blank=True, read_only=True)

    class Meta:
        model = Creator
        fields = [
            "id",
            "name",
            "email",
            "country",
            "language",
            "niches",
            "notes",
            "accounts",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SocialAccountOutput(serializers.ModelSerializer):
    creator_name = serializers.CharField(source="creator.name", read_only=True)
    tier = _tier_field()
    profile_url = serializers.URLField(allow_blank=True, read_only=True)

    class Meta:
        model = SocialAccount
        fields = [
            "id",
            "creator",
            "creator_name",
            "platform",
            "handle",
            "external_id",
            "profile_url",
            "display_name",
            "bio",
            "verified",
            "followers",
            "following",
            "posts_count",
            "total_views",
            "stats_source",
            "stats_updated_at",
            "refresh_status",
            "country",
            "language",
            "niche_ids",
            "tier",
            "engagement_rate",
            "engagement_sample",
            "avg_views",
            "authenticity_score",
            "growth_30d",
            "posts_per_week",
            "has_sponsored",
            "scores_updated_at",
        ]
        read_only_fields = fields


class SnapshotOutput(serializers.ModelSerializer):
    source = SourceField()

    class Meta:
        model = AccountSnapshot
        fields = [
            "date",
            "followers",
            "following",
            "posts",
            "total_views",
            "total_likes",
            "avg_views",
            "engagement_rate",
            "source",
        ]
        read_only_fields = fields


class PostOutput(serializers.ModelSerializer):
    url = serializers.URLField(allow_blank=True, read_only=True)
    platform = serializers.CharField(source="account.platform", read_only=True)
    source = SourceField()

    class Meta:
        model = Post
        fields = [
            "id",
            "account",
            "platform",
            "platform_post_id",
            "url",
            "published_at",
            "caption",
            "format",
            "views",
            "likes",
            "comments",
            "shares",
            "saves",
            "likes_hidden",
            "sponsored_markers",
            "source",
            "updated_at",
        ]
        read_only_fields = fields


# --- filters --------------------------------------------------------------------


class CreatorFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", help_text="Part of the name")
    country = django_filters.CharFilter(lookup_expr="iexact", help_text="ISO 3166 code, e.g. GB")
    language = django_filters.CharFilter(lookup_expr="iexact", help_text="ISO 639-1 code")
    niche = django_filters.CharFilter(method="filter_niche", help_text="Niche name or slug")

    class Meta:
        model = Creator
        fields = ["name", "country", "language", "niche"]

    def filter_niche(self, queryset, name, value):
        return queryset.filter(niches__slug=slugify(value)).distinct()


class SocialAccountFilter(django_filters.FilterSet):
    platform = django_filters.ChoiceFilter(choices=Platform.choices)
    tier = django_filters.ChoiceFilter(choices=metrics.TIER_CHOICES)
    followers_min = api.IntegerFilter(field_name="followers", lookup_expr="gte")
    followers_max = api.IntegerFilter(field_name="followers", lookup_expr="lte")
    er_min = api.NumberFilter(
        field_name="engagement_rate", lookup_expr="gte", help_text="As a fraction: 0.03 is 3%"
    )
    er_max = api.NumberFilter(
        field_name="engagement_rate", lookup_expr="lte", help_text="As a fraction: 0.03 is 3%"
    )
    auth_min = api.NumberFilter(
        field_name="authenticity_score", lookup_expr="gte", help_text="0-100"
    )
    country = django_filters.CharFilter(lookup_expr="iexact")
    language = django_filters.CharFilter(lookup_expr="iexact")
    creator = api.IntegerFilter(field_name="creator_id", help_text="Creator id")

    class Meta:
        model = SocialAccount
        fields = [
            "platform",
            "tier",
            "followers_min",
            "followers_max",
            "er_min",
            "er_max",
            "auth_min",
            "country",
            "language",
            "creator",
        ]


class PostFilter(django_filters.FilterSet):
    account = api.IntegerFilter(field_name="account_id", help_text="Social account id")
    creator = api.IntegerFilter(field_name="account__creator_id", help_text="Creator id")
    platform = django_filters.ChoiceFilter(field_name="account__platform", choices=Platform.choices)
    sponsored = api.BooleanFilter(
        method="filter_sponsored", help_text="Only posts with (or without) disclosure markers"
    )
    published_after = UTCIsoDateTimeFilter(field_name="published_at", lookup_expr="gte")
    published_before = UTCIsoDateTimeFilter(field_name="published_at", lookup_expr="lt")

    class Meta:
        model = Post
        fields = [
            "account",
            "creator",
            "platform",
            "sponsored",
            "published_after",
            "published_before",
        ]

    def filter_sponsored(self, queryset, name, value):
        return (
            queryset.exclude(sponsored_markers=[])
            if value
            else queryset.filter(sponsored_markers=[])
        )


# --- viewsets -------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Creators, filterable by name, country, language and niche"),
    retrieve=extend_schema(summary="One creator with their social accounts"),
)
class CreatorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceScopedViewSet):
    queryset = Creator.objects.all()
    serializer_class = CreatorOutput
    filterset_class = CreatorFilter

    def filter_workspace_queryset(self, queryset):
        return queryset.with_accounts().order_by("name", "pk")

    def _output(self, creator: Creator) -> dict:
        creator = self.get_queryset().get(pk=creator.pk)  # with accounts and niches
        return CreatorOutput(creator, context=self.get_serializer_context()).data

    @extend_schema(
        summary="Create a creator with one or more social accounts",
        request=CreatorCreateInput,
        responses={201: CreatorOutput},
    )
    def create(self, request, *args, **kwargs):
        serializer = CreatorCreateInput(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        creator = services.creator_create(
            workspace=self.workspace,
            name=data["name"],
            profiles=data["accounts"],
            email=data.get("email", ""),
            country=data.get("country", ""),
            language=data.get("language", ""),
            niche_names=data.get("niches", []),
            notes=data.get("notes", ""),
        )
        return Response(self._output(creator), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a creator's details (accounts are changed under /social-accounts/)",
        request=CreatorUpdateInput,
        responses=CreatorOutput,
    )
    def update(self, request, *args, **kwargs):
        creator = self.get_object()
        serializer = CreatorUpdateInput(
            data=request.data,
            partial=kwargs.get("partial", False),
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        services.creator_update(creator=creator, niche_names=fields.pop("niches", None), **fields)
        return Response(self._output(creator))

    @extend_schema(
        summary="Change some of a creator's details",
        request=CreatorUpdateInput,
        responses=CreatorOutput,
    )
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)


@extend_schema_view(
    list=extend_schema(summary="Social accounts, filterable like discovery"),
    retrieve=extend_schema(summary="One social account with its scores"),
)
class SocialAccountViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceScopedViewSet
):
    queryset = SocialAccount.objects.all()
    serializer_class = SocialAccountOutput
    filterset_class = SocialAccountFilter

    def filter_workspace_queryset(self, queryset):
        return queryset.with_creator()

    def _output(self, account: SocialAccount) -> dict:
        account = self.get_queryset().get(pk=account.pk)
        return SocialAccountOutput(account, context=self.get_serializer_context()).data

    @extend_schema(
        summary="Add a social account to an existing creator",
        request=SocialAccountCreateInput,
        responses={201: SocialAccountOutput},
    )
    def create(self, request, *args, **kwargs):
        serializer = SocialAccountCreateInput(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        account = services.account_add(
            creator=data["creator"],
            profile=data["profile"],
            stats={field: data.get(field) for field in STATS_FIELDS},
        )
        return Response(self._output(account), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record the account's numbers (today's snapshot, source 'import')",
        request=AccountStatsInput,
        responses=SocialAccountOutput,
    )
    def update(self, request, *args, **kwargs):
        account = self.get_object()
        partial = kwargs.get("partial", False)
        serializer = AccountStatsInput(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        if not serializer.validated_data:
            raise serializers.ValidationError({"followers": ["Give at least one of the counts."]})
        # A partial update keeps the counts it does not mention.
        stats = {field: getattr(account, field) for field in STATS_FIELDS} if partial else {}
        stats.update(serializer.validated_data)
        services.account_record_stats(
            account=account,
            followers=stats.get("followers"),
            following=stats.get("following"),
            posts_count=stats.get("posts_count"),
            total_views=stats.get("total_views"),
            source=StatsSource.IMPORT,
        )
        return Response(self._output(account))

    @extend_schema(
        summary="Record some of the account's numbers",
        request=AccountStatsInput,
        responses=SocialAccountOutput,
    )
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(
        summary="The account's daily snapshots, newest first", responses=SnapshotOutput(many=True)
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def snapshots(self, request, *args, **kwargs):
        account = self.get_object()
        page = self.paginate_queryset(account.snapshots.order_by("-date"))
        return self.get_paginated_response(SnapshotOutput(page, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="Posts of the workspace's accounts, newest first"),
    retrieve=extend_schema(summary="One post with its latest metrics"),
)
class PostViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceScopedViewSet):
    queryset = Post.objects.all()
    serializer_class = PostOutput
    filterset_class = PostFilter

    def filter_workspace_queryset(self, queryset):
        return queryset.select_related("account").order_by("-published_at", "-pk")
