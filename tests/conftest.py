from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client

from apps.accounts.models import Membership, Role, User, Workspace
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

# Fast hashing: the suite creates many users. Settings are read by now (tests.environment ran first).
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Team:
    """Workspace A with an owner, a member (teammate) and a viewer; workspace B with an outsider."""

    workspace: Workspace
    owner: User
    teammate: User
    viewer: User
    other_workspace: Workspace
    outsider: User

    def client_for(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client


@pytest.fixture
def team(db) -> Team:
    workspace = WorkspaceFactory(name="Acme Brand")
    other = WorkspaceFactory(name="Rival Agency")
    owner = MembershipFactory(
        workspace=workspace, role=Role.OWNER, user__email="owner@acme.test"
    ).user
    teammate = MembershipFactory(
        workspace=workspace, role=Role.MEMBER, user__email="teammate@acme.test"
    ).user
    viewer = MembershipFactory(
        workspace=workspace, role=Role.VIEWER, user__email="viewer@acme.test"
    ).user
    outsider = MembershipFactory(
        workspace=other, role=Role.OWNER, user__email="outsider@rival.test"
    ).user
    return Team(workspace, owner, teammate, viewer, other, outsider)


@pytest.fixture
def owner_client(team) -> Client:
    return team.client_for(team.owner)


@pytest.fixture
def outsider_client(team) -> Client:
    return team.client_for(team.outsider)


@pytest.fixture
def viewer_client(team) -> Client:
    return team.client_for(team.viewer)


@pytest.fixture
def user_factory():
    return UserFactory


def add_member(workspace: Workspace, user: User, role: str = Role.MEMBER) -> Membership:
    return Membership.objects.create(workspace=workspace, user=user, role=role)


@pytest.fixture
def still_ratelimit_window(monkeypatch):
    """Hold django-ratelimit's clock still, so a test's requests all fall in one window.

    Its windows are fixed minutes (offset per key): a test that crossed a boundary
    would start counting again and miss the 429 it is checking for.
    """
    import time as real_time
    from types import SimpleNamespace

    import django_ratelimit.core

    now = real_time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))
