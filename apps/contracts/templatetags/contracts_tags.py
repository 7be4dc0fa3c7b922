"""Template helpers that let the campaign page and board link each creator's contract
without campaigns importing contracts: their templates include our partial, and our tags
fetch the contracts without a query per creator.

- the board: `{% campaign_contracts campaign as contract_links %}`, one query;
- the campaign page: `{% with_open_contracts shortlist as shortlist %}` before the
  shortlist is first used, which adds the open contract to the shortlist's own query
  (the page's query count is pinned).
"""

from dataclasses import dataclass

from django import template
from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from ..models import Contract

register = template.Library()
_STATUS_LABELS = {value: str(label) for value, label in Contract.Status.choices}


@dataclass(frozen=True)
class ContractLink:
    url: str
    label: str
    status: str  # "" when there is no contract yet

    @property
    def html(self) -> SafeString:
        css = f"contract-link contract-{self.status}" if self.status else "contract-link"
        return format_html('<a href="{}" class="{}">{}</a>', self.url, css, self.label)


class CampaignContracts:
    """The contract to show per campaign creator: the open one, else the newest closed one."""

    def __init__(self, campaign, contracts, *, can_edit: bool = False):
        self.can_edit = can_edit
        self.by_campaign_creator: dict[int, Contract] = {}
        for contract in contracts:  # newest first: the first open one wins, else the newest
            current = self.by_campaign_creator.get(contract.campaign_creator_id)
            if current is None or (not current.is_open and contract.is_open):
                self.by_campaign_creator[contract.campaign_creator_id] = contract
        # URL prefixes, so a board of 500 cards does not reverse() 500 times.
        self.detail_prefix = reverse("contract_list")
        self.new_prefix = reverse("campaign_detail", args=[campaign.pk]) + "creators/"

    def link(self, campaign_creator_pk: int) -> ContractLink:
        contract = self.by_campaign_creator.get(campaign_creator_pk)
        if contract is not None and contract.is_open:
            return ContractLink(
                f"{self.detail_prefix}{contract.pk}/",
                f"Contract: {contract.get_status_display().lower()}",
                contract.status,
            )
        return ContractLink(
            f"{self.new_prefix}{campaign_creator_pk}/contract/new/", "Draft contract", ""
        )


@register.simple_tag(takes_context=True)
def campaign_contracts(context, campaign) -> CampaignContracts | None:
    """`{% campaign_contracts campaign as contracts %}`: one query for the whole campaign."""
    workspace = getattr(context.get("request"), "workspace", None)
    if workspace is None:
        return None
    contracts = (
        Contract.objects.for_workspace(workspace)
        .filter(campaign=campaign)
        .only("pk", "campaign_creator_id", "status")
        .order_by("-created_at", "-id")
    )
    return CampaignContracts(campaign, contracts, can_edit=bool(context.get("can_edit")))


@register.filter
def contract_link_html(contracts: CampaignContracts | None, campaign_creator_pk: int) -> str:
    """The board's per-card link without an include per card (500 includes cost ~15 ms):
    the open contract's status, else "Draft contract" for those who can edit. Built from
    ints and our own constant labels, so plain string formatting is safe and fast."""
    if not isinstance(contracts, CampaignContracts):
        return ""
    contract = contracts.by_campaign_creator.get(campaign_creator_pk)
    if contract is not None and contract.is_open:
        label = _STATUS_LABELS[contract.status].lower()
        return mark_safe(  # noqa: S308 - ints and constant labels only
            f'<a href="{contracts.detail_prefix}{int(contract.pk)}/" '
            f'class="contract-link contract-{contract.status}">Contract: {label}</a>'
        )
    if not contracts.can_edit:
        return ""
    return mark_safe(  # noqa: S308 - ints and constant labels only
        f'<a href="{contracts.new_prefix}{int(campaign_creator_pk)}/contract/new/" '
        'class="contract-link">Draft contract</a>'
    )


@register.simple_tag
def with_open_contracts(rows):
    """The shortlist queryset, each row annotated with its open contract (pk, status)."""
    if not isinstance(rows, QuerySet) or rows._result_cache is not None:
        return rows  # already fetched: the rows show no contract rather than cost a query each
    open_contracts = Contract.objects.filter(
        campaign_creator=OuterRef("pk"),
        workspace=OuterRef("workspace"),
        status__in=Contract.OPEN_STATUSES,
    ).order_by("-created_at", "-id")
    return rows.annotate(
        open_contract_pk=Subquery(open_contracts.values("pk")[:1]),
        open_contract_status=Subquery(open_contracts.values("status")[:1]),
    )


@register.filter
def contract_link(contracts, campaign_creator) -> ContractLink | None:
    """`{{ contract_links|contract_link:row }}` -> (url, label, status) of one creator's contract:
    from the board's CampaignContracts, or from a row annotated by with_open_contracts."""
    if isinstance(contracts, CampaignContracts):
        return contracts.link(getattr(campaign_creator, "pk", campaign_creator))
    if not hasattr(campaign_creator, "open_contract_pk"):
        return None
    if campaign_creator.open_contract_pk:
        status = campaign_creator.open_contract_status
        return ContractLink(
            reverse("contract_detail", args=[campaign_creator.open_contract_pk]),
            f"Contract: {str(_STATUS_LABELS.get(status, status)).lower()}",
            status,
        )
    url = reverse("contract_create", args=[campaign_creator.campaign_id, campaign_creator.pk])
    return ContractLink(url, "Draft contract", "")
