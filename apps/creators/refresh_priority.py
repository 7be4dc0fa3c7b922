"""Which accounts deserve fresher numbers than the weekly default.

Creators know nothing of campaigns, so the campaigns app registers a provider here at
start-up (in its AppConfig.ready):

    from apps.creators import refresh_priority

    @refresh_priority.register
    def campaign_accounts(workspace_ids):
        # accounts in a live campaign: daily; shortlisted: every 2 days
        return {account_id: settings.REFRESH_LIVE_CAMPAIGN_DAYS, ...}

A provider takes workspace ids and returns {account_id: interval in days}. When several
providers name the same account, the shortest interval wins; accounts no provider names
are refreshed every settings.REFRESH_DEFAULT_DAYS.
"""

from collections.abc import Callable, Iterable, Mapping

from django.conf import settings

PriorityProvider = Callable[[list[int]], Mapping[int, int]]
_providers: list[PriorityProvider] = []


def register(provider: PriorityProvider) -> PriorityProvider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister(provider: PriorityProvider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def intervals_for(workspace_ids: Iterable[int]) -> dict[int, int]:
    """{account_id: days} for the accounts some provider wants refreshed more often."""
    ids = sorted(set(workspace_ids))
    intervals: dict[int, int] = {}
    if not ids:
        return intervals
    for provider in _providers:
        for account_id, days in provider(ids).items():
            days = max(1, int(days))
            if days < intervals.get(account_id, settings.REFRESH_DEFAULT_DAYS + 1):
                intervals[account_id] = days
    return {pk: days for pk, days in intervals.items() if days < settings.REFRESH_DEFAULT_DAYS}


def interval_days(account_id: int, intervals: Mapping[int, int]) -> int:
    return intervals.get(account_id, settings.REFRESH_DEFAULT_DAYS)
