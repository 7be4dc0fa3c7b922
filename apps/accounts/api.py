"""API plumbing shared by every app: workspace scoping, role permission, error bodies."""

import datetime
from decimal import Decimal

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxValueValidator
from django.utils.functional import cached_property
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
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


# --- error responses in the schema -------------------------------------------------
# drf-spectacular documents only the success responses each view declares. Every API view
# here can also answer 401 (no or bad token), 403 (role too low), 404 (no such workspace or
# object; the X-Workspace header applies to all of them), when it takes input 400 with
# DRF's error body, and when it takes a body 415 for one that is not JSON. Clients (and
# the API fuzzer, tests/test_api_fuzz.py) read the schema to know which answers are
# normal, so they are listed once here for every operation.

ERROR_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# A serializer's errors by field ({"name": ["..."], "non_field_errors": [...]}), or a list
# of messages when the view refuses the request as a whole.
VALIDATION_ERRORS = {
    "oneOf": [
        {"type": "object", "additionalProperties": {}},
        {"type": "array", "items": {"type": "string"}},
    ]
}
_ERROR_RESPONSES = {
    "400": ("ValidationErrors", "The input was refused; the body says why, field by field."),
    "401": ("ErrorDetail", "No credentials, or a token that is not valid."),
    "403": ("ErrorDetail", "Your role in this workspace does not allow this."),
    "404": ("ErrorDetail", "No such workspace (X-Workspace) or object in it."),
    "415": ("ErrorDetail", "The body is not JSON (Content-Type)."),
}


def _allow_empty(parameter: dict) -> None:
    """An empty query parameter (`?stage=`) is the same as leaving it out.

    That is how django-filter and Django's forms read it (an HTML form sends its empty
    select that way), so the schema says so, rather than claim `?stage=` is refused.
    """
    schema = parameter.get("schema", {})
    is_plain_text = schema.get("type") == "string" and not (
        {"enum", "format", "pattern", "minLength"} & schema.keys()
    )
    if schema and not is_plain_text:
        parameter["schema"] = {"anyOf": [schema, {"type": "string", "maxLength": 0}]}


def _refuse_nul(parameter: dict) -> None:
    """Text parameters cannot hold NUL (Postgres cannot compare with it): a 400."""
    schema = parameter.get("schema", {})
    if schema.get("type") == "string" and not ({"enum", "format", "pattern"} & schema.keys()):
        schema["pattern"] = "^[^\\u0000]*$"


def document_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: add the shared error answers to every operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorDetail", ERROR_DETAIL)
    schemas.setdefault("ValidationErrors", VALIDATION_ERRORS)
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            takes_input = "requestBody" in operation or any(
                p.get("in") == "query" for p in operation.get("parameters", [])
            )
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    _allow_empty(parameter)
                    _refuse_nul(parameter)
            responses = operation.setdefault("responses", {})
            for code, (component, description) in _ERROR_RESPONSES.items():
                if (code == "400" and not takes_input) or (
                    code == "415" and "requestBody" not in operation
                ):
                    continue
                responses.setdefault(
                    code,
                    {
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{component}"}
                            }
                        },
                        "description": description,
                    },
                )
    return result


class UTCIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 date-time, turned to UTC before it reaches the query.

    Python takes offsets up to ±23:59 and Postgres only up to ±15:59, so a filter value
    like 2025-01-01T00:00-21:00 passed through as it came was a DataError (a 500).
    """

    def to_python(self, value):
        value = super().to_python(value)
        if value is None or value.tzinfo is None:
            return value
        try:
            return value.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError(
                "Enter a date and time between the years 1 and 9999.", code="invalid"
            ) from None


class UTCIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCIsoDateTimeField


class NumberFilter(django_filters.NumberFilter):
    """django-filter's guard against huge numbers, made exact: at most 1e50 as the schema
    says (django-filter compares with the float 1e50, a little more, so 10**50 + 1 passed)."""

    maximum = Decimal("1e50")

    def get_max_validator(self):
        return MaxValueValidator(self.maximum)


class IntegerFilter(NumberFilter):
    """A whole number (an id, a count): `1.5` is a 400, as the schema's "integer" says."""

    field_class = forms.IntegerField
    maximum = 2**63 - 1  # Postgres bigint


class StrictNullBooleanField(forms.NullBooleanField):
    def to_python(self, value):
        if value in (None, ""):
            return None
        if value not in (True, False, "true", "false", "True", "False", "1", "0"):
            raise forms.ValidationError("Use true or false.", code="invalid")
        return super().to_python(value)


class BooleanFilter(django_filters.BooleanFilter):
    """true or false; anything else is a 400 (django-filter would ignore it and filter nothing)."""

    field_class = StrictNullBooleanField


class BoundedNumberFilterExtension(DjangoFilterExtension):
    """django-filter's NumberFilter refuses values above 1e50 (a guard against huge
    numbers); the schema says so, so a client (or the fuzzer) knows that 1e60 is a 400.
    An IntegerFilter is an "integer" whatever its model field (a foreign key's id)."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        if isinstance(filter_field, django_filters.NumberFilter):
            for parameter in parameters:
                schema = parameter.setdefault("schema", {})
                maximum = getattr(filter_field, "maximum", 1e50)  # JSON: 1e50 is 10**50
                schema.setdefault(
                    "maximum", float(maximum) if isinstance(maximum, Decimal) else maximum
                )
                if isinstance(filter_field, IntegerFilter):
                    schema["type"] = "integer"
                    schema.pop("format", None)
        return parameters


# --- input fields ------------------------------------------------------------------------


class StrictTextMixin:
    """Text exactly as the schema describes it. A JSON number or boolean is not text (DRF's
    CharField would store 12 as "12"). Input serializers use these fields instead."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        # DRF checks max_length after trimming whitespace; the schema's maxLength is the
        # text as sent, so " " * 301 + "x" is too long whatever trimming would leave.
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class CharField(StrictTextMixin, serializers.CharField):
    pass


class EmailField(StrictTextMixin, serializers.EmailField):
    pass


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
