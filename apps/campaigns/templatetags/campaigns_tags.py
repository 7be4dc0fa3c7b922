"""Template helpers that let creators' pages offer "Add to campaign" without creators
importing campaigns: their templates include ours, and these tags fetch what we need."""

from django import template

from apps.creators import metrics

from .. import services

register = template.Library()


@register.simple_tag(takes_context=True)
def open_campaigns(context) -> list[tuple[int, str]] | None:
    """`{% open_campaigns as campaigns %}`: (pk, name) of the workspace's campaigns that take creators."""
    workspace = getattr(context.get("request"), "workspace", None)
    if workspace is None:
        return []
    return services.open_campaigns(workspace_id=workspace.pk)


@register.filter
def percent(fraction: float | None) -> str:
    """Engagement rate as a fraction -> '4.1%' (the creators app's own formatting)."""
    if not isinstance(fraction, int | float):  # None, or "" for a missing account
        return "—"
    return metrics.format_percent(fraction, 1 if fraction >= 0.01 else 2)


@register.filter
def thousands(number: int | None) -> str:
    # A missing value reaches templates as None or "" (an attribute of a missing account).
    return f"{number:,}" if isinstance(number, int) else "—"
