"""API plumbing shared by every app: workspace scoping, role permission, error bodies."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.functional import cached_property
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from .models import Membership, Role
from .scoping import SAFE_METHODS, membership_for

WORKSPACE_HEADER = OpenApiParameter(
    name="X-Workspace",
    type=OpenApiTypes.INT,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Id of the workspace to act in; defaults to your first workspace.",
)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = DRFValidationError(
            detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    return drf_exception_handler(exc, context)


class WorkspaceRolePermission(permissions.BasePermission):
    message = "Your role in this workspace does not allow this."

    def has_permission(self, request, view) -> bool:
        membership: Membership = view.membership
        needed = Role.VIEWER if request.method in SAFE_METHODS else view.write_role
        return membership.has_role(needed)


@extend_schema(parameters=[WORKSPACE_HEADER])
class WorkspaceScopedViewSet(viewsets.GenericViewSet):
    """Base of every API view over tenant data.

    Subclasses add DRF's mixins (ListModelMixin, ...). It owns get_queryset(), so a subclass cannot forget the workspace filter:
    subclasses narrow the rows through filter_workspace_queryset() instead, and
    new rows get the workspace in perform_create().
    """

    write_role: str = Role.MEMBER
    permission_classes = [permissions.IsAuthenticated, WorkspaceRolePermission]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} must not override get_queryset(); override filter_workspace_queryset()."
            )

    @cached_property
    def membership(self) -> Membership:
        requested = self.request.headers.get("X-Workspace")
        membership = membership_for(self.request.user, requested)
        if membership is None or (requested and str(membership.workspace_id) != requested):
            raise NotFound("No such workspace.")
        return membership

    @property
    def workspace(self):
        return self.membership.workspace

    def get_queryset(self):
        return self.filter_workspace_queryset(self.queryset.all().for_workspace(self.workspace))

    def filter_workspace_queryset(self, queryset):
        return queryset

    def perform_create(self, serializer):
        serializer.save(workspace=self.workspace)


class MembershipSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="workspace.id")
    name = serializers.CharField(source="workspace.name")
    role = serializers.CharField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    workspaces = MembershipSerializer(many=True)


class MeView(APIView):
    """The signed-in user, with each workspace they belong to and their role there."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        memberships = (
            Membership.objects.filter(user=request.user)
            .select_related("workspace")
            .order_by("workspace__name")
        )
        user = request.user
        data = {
            "id": user.pk,
            "email": user.email,
            "full_name": user.full_name,
            "workspaces": memberships,
        }
        return Response(MeSerializer(data).data)
