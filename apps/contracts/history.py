"""The contract's history page: who changed what and when, from pghistory's events.

The events are written by database triggers (django-pghistory), so every change is there
whichever code path made it; this module only reads and labels them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps as django_apps
from django.contrib.auth import get_user_model

from .models import Contract, ContractLink, ContractVersion, Deliverable

__all__ = ["FieldChange", "HistoryEntry", "contract_history"]


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime.datetime
    user: str  # who: a teammate's name, "Jane Doe (creator)" or "System"
    what: str  # e.g. "Contract", "Version 2", "Deliverable 1 of version 2", "Link to jane@…"
    changes: list[FieldChange] = field(default_factory=list)
    action: str = "changed"  # "created", "changed" or "removed"

    @property
    def created(self) -> bool:
        return self.action == "created"


# Fields not worth a line in the history (bookkeeping written with every change).
_QUIET_FIELDS = frozenset(
    {"id", "updated_at", "lock_version", "created_at", "created_by_id", "workspace_id", "version_id",
     "contract_id", "campaign_id", "campaign_creator_id", "template_id", "token_hash", "position"}
)  # fmt: skip


def _event_model(name: str):
    return django_apps.get_model("contracts", name)


def _value(name: str, value: Any, version_numbers: dict[int, int]) -> Any:
    if name in ("current_version_id", "accepted_version_id") and value is not None:
        return f"version {version_numbers.get(value, '?')}"
    return value


def _field_label(model, name: str) -> str:
    attname_to_field = {f.attname: f for f in model._meta.concrete_fields}
    f = attname_to_field.get(name)
    return str(f.verbose_name).capitalize() if f is not None else name


def _what(model, row, version_numbers: dict[int, int]) -> str:
    if model is Contract:
        return "Contract"
    if model is ContractVersion:
        return f"Version {row.number}"
    number = version_numbers.get(row.version_id, "?")
    if model is Deliverable:
        return f"Deliverable {row.position + 1} of version {number}"
    return f"Link to {row.sent_to} (version {number})"


def contract_history(contract: Contract) -> list[HistoryEntry]:
    """Who changed what and when, newest first (from pghistory's trigger-written events).

    Five queries whatever the length of the history (one per event table, one for users).
    """
    version_numbers = dict(contract.versions.values_list("pk", "number"))
    event = _event_model
    # Events of one transaction share its timestamp (NOW()): ties are ordered by table, in
    # the order the services write them (version, deliverables, contract, link), then by id.
    sources = [
        (ContractVersion, event("ContractVersionEvent").objects.filter(contract_id=contract.pk)),
        (Deliverable, event("DeliverableEvent").objects.filter(version_id__in=version_numbers)),
        (Contract, event("ContractEvent").objects.filter(pgh_obj_id=contract.pk)),
        (ContractLink, event("ContractLinkEvent").objects.filter(version_id__in=version_numbers)),
    ]
    raw = []  # (sort key, event, what, changes, action)
    for order, (model, events) in enumerate(sources):
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in _QUIET_FIELDS]
        previous: dict[int, Any] = {}
        for row in events.select_related("pgh_context").order_by("pgh_id"):
            before = previous.get(row.pgh_obj_id)
            previous[row.pgh_obj_id] = row
            what = _what(model, row, version_numbers)
            key = (row.pgh_created_at, order, row.pgh_id)
            if row.pgh_label == "delete":
                # The event holds the row as it was: list what went with it.
                gone = [
                    FieldChange(
                        _field_label(model, name),
                        _value(name, getattr(row, name), version_numbers),
                        None,
                    )
                    for name in names
                    if getattr(row, name) not in (None, "", [], {})
                ]
                raw.append((key, row, what, gone, "removed"))
                continue
            if before is None:
                raw.append((key, row, what, [], "created"))
                continue
            changes = [
                FieldChange(
                    _field_label(model, name),
                    _value(name, getattr(before, name), version_numbers),
                    _value(name, getattr(row, name), version_numbers),
                )
                for name in names
                if getattr(before, name) != getattr(row, name)
            ]
            if changes:
                raw.append((key, row, what, changes, "changed"))
    raw.sort(key=lambda item: item[0], reverse=True)

    contexts = [row.pgh_context.metadata if row.pgh_context else {} for _, row, *_ in raw]
    user_ids = {m.get("user") for m in contexts if m.get("user")}
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=user_ids)}
    entries = []
    for (_key, row, what, changes, action), meta in zip(raw, contexts, strict=True):
        if meta.get("user") in users:
            user = users[meta["user"]]
            who = user.full_name or user.get_short_name()
        elif meta.get("creator"):
            who = f"{meta['creator']} (creator)"
        else:
            who = "System"
        entries.append(HistoryEntry(row.pgh_created_at, who, what, changes, action))
    return entries
