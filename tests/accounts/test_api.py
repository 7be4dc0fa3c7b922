import pytest
from django.urls import reverse
from rest_framework import mixins, serializers
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate

from apps.accounts.api import WorkspaceScopedViewSet
from apps.accounts.models import Membership


def test_me_lists_workspaces_and_roles_with_a_token(team):
    token = Token.objects.create(user=team.owner)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get(reverse("api-me"))
    assert response.status_code == 200
    assert response.json()["email"] == "owner@acme.test"
    assert response.json()["workspaces"] == [
        {"id": team.workspace.pk, "name": "Acme Brand", "role": "owner"}
    ]


def test_me_without_credentials_is_401_json(db):
    response = APIClient().get(reverse("api-me"))
    assert response.status_code == 401
    assert "detail" in response.json()


def test_schema_and_docs_are_served(team):
    client = APIClient()
    client.force_authenticate(team.owner)
    schema = client.get(reverse("api-schema"), {"format": "json"})
    assert schema.status_code == 200
    assert "/api/v1/me/" in schema.json()["paths"]
    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 200


def test_token_page_shows_a_new_token_once(team, owner_client):
    response = owner_client.post(reverse("api_token"))
    key = Token.objects.get(user=team.owner).key
    assert key in response.content.decode()
    assert key not in owner_client.get(reverse("api_token")).content.decode()


class MembershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = ["id", "role"]


class MembershipViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, WorkspaceScopedViewSet):
    """A throwaway endpoint over a real tenant model, to exercise the base class."""

    queryset = Membership.objects.all()
    serializer_class = MembershipSerializer


def _list(user, **headers):
    request = APIRequestFactory().get("/", **headers)
    force_authenticate(request, user=user)
    return MembershipViewSet.as_view({"get": "list"})(request)


def test_scoped_base_returns_only_the_current_workspace(team):
    response = _list(team.owner)
    ids = {row["id"] for row in response.data["results"]}
    assert ids == set(
        Membership.objects.filter(workspace=team.workspace).values_list("id", flat=True)
    )


def test_asking_for_another_workspace_by_header_is_404(team):
    response = _list(team.owner, HTTP_X_WORKSPACE=str(team.other_workspace.pk))
    assert response.status_code == 404
    assert response.data == {"detail": "No such workspace."}


def test_viewer_cannot_write_through_the_api(team):
    request = APIRequestFactory().post("/", {"role": "member"}, format="json")
    force_authenticate(request, user=team.viewer)
    response = MembershipViewSet.as_view({"post": "create"})(request)
    assert response.status_code == 403


def test_a_subclass_cannot_bypass_the_workspace_filter():
    with pytest.raises(TypeError, match="must not override get_queryset"):

        class Sneaky(WorkspaceScopedViewSet):
            def get_queryset(self):
                return Membership.objects.all()
