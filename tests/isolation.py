"""Tenant isolation, checked route by route.

Every URL that takes an object (a pk, a token, ...) must be listed here: either
as an OBJECT_ROUTE, with a function that makes an object in the team's
workspace and returns the URL kwargs, or in PUBLIC with the reason it is not
workspace-scoped. tests/test_isolation.py fails on any route missing from both,
requests each object route as an outsider (expects 404) and writes to it as a
viewer (expects 403). Later apps add their routes below.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

from apps.accounts.models import Membership, Role
from tests.factories import InvitationFactory, MembershipFactory


@dataclass(frozen=True)
class ObjectRoute:
    url_name: str
    make_kwargs: Callable  # (team) -> dict of URL kwargs for an object of team.workspace
    methods: tuple[str, ...] = ("GET",)
    # Write routes refuse a viewer of the owning workspace with 403.
    write: bool = False


OBJECT_ROUTES: dict[str, ObjectRoute] = {}
PUBLIC: dict[str, str] = {
    "invitation_accept": "the invitation token is the credential; usable by someone with no account yet",
    "password_reset_confirm": "Django's signed reset token; no workspace involved",
}
# Namespaces outside the tenant model.
PUBLIC_NAMESPACES: dict[str, str] = {
    "admin": "Django admin: staff operators only, not a tenant page"
}


def register(route: ObjectRoute) -> None:
    OBJECT_ROUTES[route.url_name] = route


def _membership(team) -> dict:
    return {"pk": MembershipFactory(workspace=team.workspace, role=Role.MEMBER).pk}


def _owner_membership(team) -> dict:
    return {"pk": Membership.objects.get(workspace=team.workspace, user=team.owner).pk}


def _invitation(team) -> dict:
    return {"pk": InvitationFactory(workspace=team.workspace, invited_by=team.owner).pk}


register(ObjectRoute("membership_role", _membership, methods=("POST",), write=True))
register(ObjectRoute("membership_remove", _membership, methods=("POST",), write=True))
register(ObjectRoute("invitation_revoke", _invitation, methods=("POST",), write=True))


# --- creators -----------------------------------------------------------------


def _creator(team) -> dict:
    from tests.factories import SocialAccountFactory

    return {"pk": SocialAccountFactory(creator__workspace=team.workspace).creator_id}


def _account(team) -> dict:
    from tests.factories import SocialAccountFactory

    return {"pk": SocialAccountFactory(creator__workspace=team.workspace).pk}


def _saved_search(team) -> dict:
    from apps.creators.models import SavedSearch

    return {
        "pk": SavedSearch.objects.create(
            workspace=team.workspace, name="Big", query_string="tier=micro"
        ).pk
    }


def _creator_import(team) -> dict:
    from apps.creators.models import CreatorImport

    return {
        "pk": CreatorImport.objects.create(
            workspace=team.workspace, filename="c.csv", created_by=team.owner
        ).pk
    }


register(ObjectRoute("creator_detail", _creator))
register(ObjectRoute("creator_edit", _creator, methods=("GET", "POST"), write=True))
register(ObjectRoute("creator_flag", _creator, methods=("POST",), write=True))
register(ObjectRoute("creator_note_add", _creator, methods=("POST",), write=True))
register(ObjectRoute("account_stats_edit", _account, methods=("GET", "POST"), write=True))
register(ObjectRoute("saved_search_delete", _saved_search, methods=("POST",), write=True))
register(ObjectRoute("creator_import_detail", _creator_import))
register(ObjectRoute("creator_import_confirm", _creator_import, methods=("POST",), write=True))


def _post(team) -> dict:
    from tests.factories import PostFactory

    return {"pk": PostFactory(account__creator__workspace=team.workspace).pk}


# The creators API (DRF router names).
register(ObjectRoute("creator-detail", _creator, methods=("GET", "PATCH"), write=True))
register(ObjectRoute("socialaccount-detail", _account, methods=("GET", "PATCH"), write=True))
register(ObjectRoute("socialaccount-snapshots", _account))
register(ObjectRoute("post-detail", _post))


# Stats refresh: a workspace's connections (credentials).
def _connection(team) -> dict:
    from apps.creators.connections import connection_create

    connection = connection_create(
        workspace=team.workspace,
        kind="youtube_key",
        name="Main key",
        secret="AIzaSy-isolation-0000000000",
    )
    return {"pk": connection.pk}


register(ObjectRoute("connection_edit", _connection, methods=("GET", "POST"), write=True))
register(ObjectRoute("connection_test", _connection, methods=("POST",), write=True))
register(ObjectRoute("connection_delete", _connection, methods=("POST",), write=True))


# TikTok connect: the link a member makes for one TikTok account.
def _tiktok_account(team) -> dict:
    from tests.factories import SocialAccountFactory

    return {"pk": SocialAccountFactory(creator__workspace=team.workspace, platform="tiktok").pk}


register(ObjectRoute("tiktok_link", _tiktok_account, methods=("GET", "POST"), write=True))
PUBLIC["tiktok_connect"] = (
    "the signed, expiring link is the credential; opened by the creator, who has no login"
)
PUBLIC["tiktok_connect_callback"] = (
    "TikTok's redirect back; the signed state and its nonce in the session are the credential"
)


# --- campaigns ----------------------------------------------------------------
def _campaign(team) -> dict:
    from tests.factories import CampaignFactory

    return {"pk": CampaignFactory(workspace=team.workspace, owner=team.owner).pk}


def _campaign_creator(team) -> dict:
    from tests.factories import CampaignCreatorFactory

    row = CampaignCreatorFactory(campaign__workspace=team.workspace, campaign__owner=team.owner)
    return {"pk": row.campaign_id, "cc_pk": row.pk}


register(ObjectRoute("campaign_detail", _campaign))
register(ObjectRoute("campaign_edit", _campaign, methods=("GET", "POST"), write=True))
register(ObjectRoute("campaign_archive", _campaign, methods=("POST",), write=True))
register(ObjectRoute("shortlist_add", _campaign, methods=("POST",), write=True))
register(ObjectRoute("shortlist_remove", _campaign_creator, methods=("POST",), write=True))
register(ObjectRoute("shortlist_restore", _campaign_creator, methods=("POST",), write=True))
# Pipeline board and table.
register(ObjectRoute("campaign_board", _campaign))
register(ObjectRoute("campaign_table", _campaign, methods=("GET", "POST"), write=True))
register(ObjectRoute("campaign_creator_move", _campaign_creator, methods=("POST",), write=True))


# Outreach: message templates, sending, a creator's timeline and "mark replied".
def _message_template(team) -> dict:
    from tests.factories import MessageTemplateFactory

    return {"pk": MessageTemplateFactory(workspace=team.workspace).pk}


register(
    ObjectRoute("outreach_template_edit", _message_template, methods=("GET", "POST"), write=True)
)
register(ObjectRoute("outreach_send", _campaign, methods=("GET", "POST"), write=True))
register(ObjectRoute("outreach_timeline", _campaign_creator))
register(ObjectRoute("outreach_reply", _campaign_creator, methods=("POST",), write=True))


# The campaigns API (DRF router names).
def _api_campaign_creator(team) -> dict:
    return {"pk": _campaign_creator(team)["cc_pk"]}


def _outreach_message(team) -> dict:
    from tests.factories import OutreachMessageFactory

    return {
        "pk": OutreachMessageFactory(
            campaign_creator__campaign__workspace=team.workspace,
            campaign_creator__campaign__owner=team.owner,
        ).pk
    }


register(ObjectRoute("campaign-detail", _campaign, methods=("GET", "PATCH"), write=True))
register(ObjectRoute("campaign-archive", _campaign, methods=("POST",), write=True))
register(
    ObjectRoute(
        "campaigncreator-detail", _api_campaign_creator, methods=("GET", "DELETE"), write=True
    )
)
register(ObjectRoute("campaigncreator-move", _api_campaign_creator, methods=("POST",), write=True))
register(
    ObjectRoute(
        "messagetemplate-detail", _message_template, methods=("GET", "PATCH", "DELETE"), write=True
    )
)
register(ObjectRoute("outreachmessage-detail", _outreach_message))
register(ObjectRoute("follow_up_snooze", _campaign_creator, methods=("POST",), write=True))


def routes_with_parameters() -> list[tuple[str, str]]:
    """(qualified url name, pattern) for every route that captures something from the path."""
    found: list[tuple[str, str]] = []

    def walk(patterns, namespace: str | None, prefix: str, inherited_params: bool):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = entry.namespace or namespace
                takes = inherited_params or _captures(entry.pattern)
                walk(entry.url_patterns, ns, prefix + str(entry.pattern), takes)
            elif isinstance(entry, URLPattern) and (inherited_params or _captures(entry.pattern)):
                name = entry.name or "<unnamed>"
                qualified = f"{namespace}:{name}" if namespace else name
                found.append((qualified, prefix + str(entry.pattern)))

    walk(get_resolver().url_patterns, None, "", False)
    return found


def _captures(pattern) -> bool:
    converters = getattr(pattern, "converters", None)
    if converters:
        return True
    return pattern.regex.groups > 0
