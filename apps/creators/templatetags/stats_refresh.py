"""Template helpers of the stats refresh: where a number comes from and how old it is."""

from dataclasses import dataclass
from datetime import timedelta

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.timesince import timesince

from ..models import SocialAccount

register = template.Library()

PROBLEMS = {
    SocialAccount.RefreshStatus.NOT_FOUND: "not found",
    SocialAccount.RefreshStatus.FAILED: "refresh failed",
}


@dataclass(frozen=True)
class Freshness:
    source: str
    age: str
    stale: bool
    problem: str
    title: str


@register.filter
def stats_freshness(account: SocialAccount) -> Freshness:
    """`{{ account|stats_freshness }}`: source label, age, stale flag (older than
    settings.REFRESH_STALE_DAYS), and the refresh problem if the last one failed."""
    updated = account.stats_updated_at
    now = timezone.now()
    stale = updated is None or now - updated > timedelta(days=settings.REFRESH_STALE_DAYS)
    age = f"{timesince(updated, now, depth=1)} ago" if updated else "never updated"
    problem = PROBLEMS.get(account.refresh_status, "")
    title = f"{account.get_stats_source_display()}, updated {age}"
    if account.refresh_error:
        title += f". {account.refresh_error}"
    return Freshness(account.get_stats_source_display(), age, stale, problem, title)
