"""What contracts add to the home page's "needs attention" list, and the pipeline guard.

Both are registered in ContractsConfig.ready(): campaigns and accounts never import us.
"""

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from apps.accounts.attention import AttentionItem
from apps.accounts.models import Workspace

from .models import Contract, Deliverable

CONTENT_LIVE_REFUSAL = "Content live needs an accepted contract"


def _contract_url(contract_id: int) -> str:
    try:
        return reverse("contract_detail", args=[contract_id])
    except NoReverseMatch:  # the team pages are not installed (trimmed test setups)
        return f"/contracts/{contract_id}/"


def attention_items(workspace: Workspace) -> list[AttentionItem]:
    """Overdue deliverables and contracts waiting for a manager's approval (two queries)."""
    today = timezone.localdate()
    items = []
    overdue = Deliverable.objects.for_workspace(workspace).overdue(today).with_contract()
    for deliverable in overdue:
        contract = deliverable.version.contract
        days = (today - deliverable.due_date).days
        items.append(
            AttentionItem(
                kind="Overdue deliverable",
                title=f"{deliverable} from {contract.campaign_creator.creator.name} — "
                f"{contract.campaign.name}",
                url=_contract_url(contract.pk),
                detail=f"due {days} day{'' if days == 1 else 's'} ago",
            )
        )
    waiting = (
        Contract.objects.for_workspace(workspace)
        .awaiting_approval()
        .select_related("campaign", "campaign_creator__creator", "current_version")
        .order_by("updated_at", "id")
    )
    for contract in waiting:
        version = contract.current_version
        items.append(
            AttentionItem(
                kind="Approval needed",
                title=f"Approve the contract for {contract.campaign_creator.creator.name} — "
                f"{contract.campaign.name}",
                url=_contract_url(contract.pk),
                detail=f"{version.total_value:,.2f} {version.currency}, version {version.number}",
            )
        )
    return items


def content_live_guard(context) -> str | None:
    """Pipeline guard: a card goes live only with an accepted (or active/completed) contract."""
    card_id = context.get("campaign_creator_id")
    if card_id is None:
        return CONTENT_LIVE_REFUSAL
    has_contract = Contract.objects.filter(
        campaign_creator_id=card_id,
        status__in=[Contract.Status.ACCEPTED, Contract.Status.ACTIVE, Contract.Status.COMPLETED],
    ).exists()
    return None if has_contract else CONTENT_LIVE_REFUSAL


def register() -> None:
    """Idempotent: both registries ignore a second registration of the same function."""
    from apps.accounts import attention
    from apps.campaigns import pipeline

    attention.register(attention_items)
    pipeline.register_guard(pipeline.CONTENT_LIVE, content_live_guard)
