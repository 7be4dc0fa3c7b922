"""What published posts add to the home page's "needs attention" list."""

from django.urls import reverse

from apps.accounts.attention import AttentionItem
from apps.accounts.models import Workspace

from .models import DeliverablePost, DisclosureStatus

MAX_ITEMS = 50


def failed_disclosures(workspace: Workspace) -> list[AttentionItem]:
    """Posts whose caption lacks the disclosure their contract requires (one query)."""
    posts = (
        DeliverablePost.objects.for_workspace(workspace)
        .filter(disclosure_status=DisclosureStatus.FAILED)
        .select_related("campaign", "campaign_creator__creator")
        .order_by("-attached_at", "-pk")[:MAX_ITEMS]
    )
    return [
        AttentionItem(
            kind="Disclosure missing",
            title=f"{post.campaign_creator.creator.name}'s {post.get_platform_display()} post "
            f"— {post.campaign.name}",
            url=reverse("deliverable_detail", args=[post.deliverable_id]) + f"#post-{post.pk}",
            detail=post.disclosure_detail,
        )
        for post in posts
    ]
