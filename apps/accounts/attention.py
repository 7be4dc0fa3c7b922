"""The home page's "needs attention" list.

Lower apps cannot import the higher ones (campaigns, contracts, reporting), so
each app registers a provider here at start-up; the home page asks them all.
A provider takes a workspace and returns AttentionItems.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .models import Workspace


@dataclass(frozen=True)
class AttentionItem:
    kind: str  # short label, e.g. "Reminder", "Overdue deliverable"
    title: str
    url: str
    detail: str = ""


AttentionProvider = Callable[[Workspace], Iterable[AttentionItem]]
_providers: list[AttentionProvider] = []


def register(provider: AttentionProvider) -> AttentionProvider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def items_for(workspace: Workspace) -> list[AttentionItem]:
    items: list[AttentionItem] = []
    for provider in _providers:
        items.extend(provider(workspace))
    return items
