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
# GET is the card's move form: members only, like the move itself.
register(
    ObjectRoute("campaign_creator_move", _campaign_creator, methods=("GET", "POST"), write=True)
)


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


# --- contracts: the document, the creator's link pages and the API (helper C3) ----------
def _contract(team) -> dict:
    from tests.factories import ContractFactory

    return {
        "pk": ContractFactory(
            campaign_creator__campaign__workspace=team.workspace,
            campaign_creator__campaign__owner=team.owner,
        ).pk
    }


def _contract_version(team) -> dict:
    from apps.contracts.models import Contract

    contract = Contract.objects.get(pk=_contract(team)["pk"])
    return {"pk": contract.pk, "number": contract.current_version.number}


register(ObjectRoute("contract_document", _contract_version))
register(ObjectRoute("contract_pdf", _contract_version))
register(ObjectRoute("contract-detail", _contract, methods=("GET", "PATCH", "PUT"), write=True))
register(ObjectRoute("contract-send", _contract, methods=("POST",), write=True))
register(ObjectRoute("contract-versions", _contract))
register(ObjectRoute("contract-version", _contract_version))
_CONTRACT_LINK = (
    "the link token is the credential (only its hash is stored): the creator has no "
    "account; the page shows that one contract version and nothing else of the workspace"
)
PUBLIC["contract_public"] = _CONTRACT_LINK
PUBLIC["contract_public_accept"] = _CONTRACT_LINK
PUBLIC["contract_public_decline"] = _CONTRACT_LINK
PUBLIC["contract_public_pdf"] = _CONTRACT_LINK

# --- contracts (pages) ------------------------------------------------------------------
# The team's contract pages (helper C2). `_contract` above makes a draft of the team.


def _contract_campaign_creator(team) -> dict:
    row = _campaign_creator(team)
    return {"campaign_pk": row["pk"], "pk": row["cc_pk"]}


def _contract_link(team) -> dict:
    from datetime import timedelta

    from apps.contracts.models import Contract, ContractLink

    contract = Contract.objects.get(pk=_contract(team)["pk"])
    link = ContractLink.objects.create(
        version=contract.current_version,
        token_hash=f"isolation-{contract.pk}",
        sent_to="creator@mail.test",
        expires_at=contract.created_at + timedelta(days=14),
    )
    return {"pk": link.pk}


def _contract_deliverable(team) -> dict:
    from tests.factories import ContractVersionFactory, DeliverableFactory

    version = ContractVersionFactory(
        contract__campaign_creator__campaign__workspace=team.workspace,
        contract__campaign_creator__campaign__owner=team.owner,
    )
    return {"pk": DeliverableFactory(version=version).pk}


def _clause(team) -> dict:
    from tests.factories import ClauseFactory

    return {"pk": ClauseFactory(workspace=team.workspace).pk}


def _contract_template(team) -> dict:
    from tests.factories import ContractTemplateFactory

    return {"pk": ContractTemplateFactory(workspace=team.workspace).pk}


register(
    ObjectRoute("contract_create", _contract_campaign_creator, methods=("GET", "POST"), write=True)
)
register(ObjectRoute("contract_detail", _contract))
register(ObjectRoute("contract_edit", _contract, methods=("GET", "POST"), write=True))
register(ObjectRoute("contract_compare", _contract))
register(ObjectRoute("contract_history", _contract))
for _name in ("contract_send", "contract_approve", "contract_activate", "contract_complete"):
    register(ObjectRoute(_name, _contract, methods=("POST",), write=True))
register(ObjectRoute("contract_cancel", _contract, methods=("POST",), write=True))
register(ObjectRoute("contract_link_revoke", _contract_link, methods=("POST",), write=True))
register(ObjectRoute("deliverable_done", _contract_deliverable, methods=("POST",), write=True))
register(ObjectRoute("clause_edit", _clause, methods=("GET", "POST"), write=True))
register(
    ObjectRoute("contract_template_edit", _contract_template, methods=("GET", "POST"), write=True)
)

# --- reporting: posts -------------------------------------------------------------------


def _reporting_deliverable(team) -> dict:
    from tests.factories import active_contract

    contract = active_contract(workspace=team.workspace)
    return {"pk": contract.accepted_version.deliverables.get().pk}


def _reporting_post(team) -> dict:
    from tests.factories import DeliverablePostFactory, active_contract

    contract = active_contract(workspace=team.workspace)
    deliverable = contract.accepted_version.deliverables.get()
    return {"pk": DeliverablePostFactory(deliverable=deliverable).pk}


def _reporting_campaign(team) -> dict:
    from tests.factories import CampaignFactory

    return {"pk": CampaignFactory(workspace=team.workspace).pk}


register(ObjectRoute("deliverable_detail", _reporting_deliverable))
register(
    ObjectRoute("deliverable_post_attach", _reporting_deliverable, methods=("POST",), write=True)
)
register(ObjectRoute("deliverable_post_metrics", _reporting_post, methods=("POST",), write=True))
register(ObjectRoute("deliverable_post_detach", _reporting_post, methods=("POST",), write=True))
register(
    ObjectRoute("post_metrics_import", _reporting_campaign, methods=("GET", "POST"), write=True)
)
register(ObjectRoute("deliverablepost-detail", _reporting_post))
register(ObjectRoute("deliverablepost-snapshots", _reporting_post))


# --- reporting: conversions ---------------------------------------------------------------
def _conversions_campaign(team) -> dict:
    from tests.factories import CampaignFactory

    return {"pk": CampaignFactory(workspace=team.workspace, owner=team.owner).pk}


def _tracked_link_in_campaign(team) -> dict:
    from tests.factories import TrackedLinkFactory

    link = TrackedLinkFactory(
        campaign_creator__campaign__workspace=team.workspace,
        campaign_creator__campaign__owner=team.owner,
    )
    return {"pk": link.campaign_id, "link_pk": link.pk}


def _api_tracked_link(team) -> dict:
    return {"pk": _tracked_link_in_campaign(team)["link_pk"]}


def _api_promo_code(team) -> dict:
    from tests.factories import PromoCodeFactory

    return {"pk": PromoCodeFactory(campaign_creator__campaign__workspace=team.workspace).pk}


def _api_conversion(team) -> dict:
    from tests.factories import ConversionFactory

    return {"pk": ConversionFactory(campaign_creator__campaign__workspace=team.workspace).pk}


def _exchange_rate(team) -> dict:
    from apps.reporting.models import ExchangeRate

    rate = ExchangeRate.objects.create(
        workspace=team.workspace, from_currency="EUR", to_currency="USD", rate="1.08"
    )
    return {"pk": rate.pk}


register(ObjectRoute("campaign_conversions", _conversions_campaign))
register(ObjectRoute("tracked_link_create", _conversions_campaign, methods=("POST",), write=True))
register(
    ObjectRoute("tracked_link_archive", _tracked_link_in_campaign, methods=("POST",), write=True)
)
register(ObjectRoute("promo_code_create", _conversions_campaign, methods=("POST",), write=True))
register(ObjectRoute("conversion_add", _conversions_campaign, methods=("POST",), write=True))
register(
    ObjectRoute("conversions_import", _conversions_campaign, methods=("GET", "POST"), write=True)
)
register(ObjectRoute("conversions_import_template", _conversions_campaign))
register(ObjectRoute("exchange_rate_delete", _exchange_rate, methods=("POST",), write=True))
register(ObjectRoute("trackedlink-detail", _api_tracked_link))
register(ObjectRoute("trackedlink-clicks", _api_tracked_link))
register(ObjectRoute("promocode-detail", _api_promo_code))
register(ObjectRoute("conversion-detail", _api_conversion))
PUBLIC["tracked_link_redirect"] = (
    "the short link pasted in creators' posts, opened by anyone; it only redirects to the "
    "destination the team stored and shows no workspace data"
)


# --- reporting: dashboard -----------------------------------------------------------------
def _report_campaign(team) -> dict:
    from tests.factories import CampaignFactory

    return {"pk": CampaignFactory(workspace=team.workspace, owner=team.owner).pk}


def _share_link(team) -> dict:
    from apps.reporting import share
    from tests.factories import CampaignFactory

    campaign = CampaignFactory(workspace=team.workspace, owner=team.owner)
    link, _token = share.share_link_create(campaign=campaign, by=team.owner)
    return {"pk": campaign.pk, "link_pk": link.pk}


def _report_schedule(team) -> dict:
    from apps.reporting.models import ReportSchedule
    from tests.factories import CampaignFactory

    campaign = CampaignFactory(workspace=team.workspace, owner=team.owner)
    schedule = ReportSchedule.objects.create(
        workspace=team.workspace,
        campaign=campaign,
        recipients=["boss@acme.test"],
        next_send_at="2030-01-07T08:00:00Z",
    )
    return {"pk": campaign.pk, "schedule_pk": schedule.pk}


register(ObjectRoute("campaign_report", _report_campaign))
register(ObjectRoute("campaign_report_csv", _report_campaign))
register(ObjectRoute("campaign_report_pdf", _report_campaign))
register(ObjectRoute("share_link_list", _report_campaign))
register(ObjectRoute("share_link_create", _report_campaign, methods=("POST",), write=True))
register(ObjectRoute("share_link_revoke", _share_link, methods=("POST",), write=True))
register(ObjectRoute("report_schedule_list", _report_campaign))
register(ObjectRoute("report_schedule_create", _report_campaign, methods=("POST",), write=True))
register(ObjectRoute("report_schedule_pause", _report_schedule, methods=("POST",), write=True))
register(ObjectRoute("report_schedule_delete", _report_schedule, methods=("POST",), write=True))
register(ObjectRoute("campaignreport-detail", _report_campaign))
PUBLIC["shared_report"] = (
    "a read-only report link for people without an account: the unguessable token (only its "
    "sha256 is stored) is the credential; revocable, optional expiry, rate limited by IP"
)


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
