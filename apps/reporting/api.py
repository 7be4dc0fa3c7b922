"""REST API of reporting. Sections per feature; conversions and the report have their
own modules (api_conversions.py, api_report.py) registered on api_urls.py's router.

Same pattern as apps/creators/api.py: every viewset inherits WorkspaceScopedViewSet
(it owns the workspace filter); outputs only read.
"""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action

from apps.accounts.api import WorkspaceScopedViewSet
from apps.creators.api import SourceField
from apps.creators.models import Platform

from .models import DeliverablePost, DisclosureStatus, PostMetricSnapshot

# --- posts


class DeliverablePostOutput(serializers.ModelSerializer):
    metrics_source = SourceField()

    class Meta:
        model = DeliverablePost
        fields = [
            "id",
            "deliverable",
            "contract",
            "campaign",
            "campaign_creator",
            "platform",
            "url",
            "platform_post_id",
            "caption",
            "published_at",
            "views",
            "reach",
            "likes",
            "comments",
            "shares",
            "saves",
            "metrics_source",
            "metrics_updated_at",
            "disclosure_status",
            "disclosure_detail",
            "refresh_error",
            "attached_at",
        ]


class PostMetricSnapshotOutput(serializers.ModelSerializer):
    source = SourceField()

    class Meta:
        model = PostMetricSnapshot
        fields = ["date", "views", "reach", "likes", "comments", "shares", "saves", "source"]


class DeliverablePostFilter(django_filters.FilterSet):
    campaign = django_filters.NumberFilter(field_name="campaign_id", help_text="Campaign id")
    campaign_creator = django_filters.NumberFilter(
        field_name="campaign_creator_id", help_text="Campaign creator id"
    )
    deliverable = django_filters.NumberFilter(
        field_name="deliverable_id", help_text="Deliverable id"
    )
    platform = django_filters.ChoiceFilter(choices=Platform.choices)
    disclosure_status = django_filters.ChoiceFilter(choices=DisclosureStatus.choices)

    class Meta:
        model = DeliverablePost
        fields = ["campaign", "campaign_creator", "deliverable", "platform", "disclosure_status"]


@extend_schema_view(
    list=extend_schema(
        summary="Published posts attached to deliverables, with their newest numbers"
    ),
    retrieve=extend_schema(summary="One published post with its newest numbers"),
)
class DeliverablePostViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceScopedViewSet
):
    queryset = DeliverablePost.objects.all()
    serializer_class = DeliverablePostOutput
    filterset_class = DeliverablePostFilter

    def filter_workspace_queryset(self, queryset):
        return queryset.order_by("-attached_at", "-pk")

    @extend_schema(
        summary="The post's daily numbers, newest first",
        responses=PostMetricSnapshotOutput(many=True),
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def snapshots(self, request, *args, **kwargs):
        post = self.get_object()
        page = self.paginate_queryset(post.snapshots.order_by("-date"))
        return self.get_paginated_response(PostMetricSnapshotOutput(page, many=True).data)
