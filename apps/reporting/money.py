"""Amounts in several currencies, converted only through the workspace's ExchangeRate rows.

Reports never add EUR to USD blindly: an amount is kept per currency, and its total
in the report's currency exists only when every currency in it is the report's own
or has an explicit rate. Otherwise the total is None and `missing` says which rates
to add ("Add a EUR→USD rate to compare").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .models import ExchangeRate

CENT = Decimal("0.01")


@dataclass
class Money:
    """Amounts per currency plus, when convertible, their total in `currency`."""

    currency: str
    amounts: dict[str, Decimal] = field(default_factory=dict)
    total: Decimal | None = Decimal(0)
    missing: tuple[str, ...] = ()

    @property
    def is_zero(self) -> bool:
        return not any(self.amounts.values())

    @property
    def is_mixed(self) -> bool:
        return any(code != self.currency for code, amount in self.amounts.items() if amount)

    def per_currency(self) -> list[tuple[str, Decimal]]:
        return sorted((code, amount) for code, amount in self.amounts.items() if amount)

    @property
    def refusal(self) -> str:
        """Why there is no total, for the page: which rates are missing."""
        return missing_rate_text(self.missing, self.currency)


def missing_rate_text(missing: Iterable[str], currency: str) -> str:
    codes = sorted(set(missing))
    if not codes:
        return ""
    pairs = ", ".join(f"{code}→{currency}" for code in codes)
    return f"Add a {pairs} rate to compare"


def rates_to(workspace_id: int, currency: str, needed: Iterable[str]) -> dict[str, Decimal]:
    """The workspace's rates into `currency` for the currencies in `needed` (one query,
    none when every amount is already in `currency`)."""
    needed = {code for code in needed if code != currency}
    if not needed:
        return {}
    rows = ExchangeRate.objects.filter(
        workspace_id=workspace_id, to_currency=currency, from_currency__in=needed
    )
    return {row.from_currency: row.rate for row in rows}


def money(currency: str, amounts: Mapping[str, Decimal], rates: Mapping[str, Decimal]) -> Money:
    """Sum `amounts` into `currency` through `rates`; total None if a rate is missing."""
    clean = {code: Decimal(amount) for code, amount in amounts.items() if amount}
    missing = tuple(sorted(code for code in clean if code != currency and code not in rates))
    if missing:
        return Money(currency, clean, None, missing)
    total = sum(
        (amount if code == currency else amount * rates[code] for code, amount in clean.items()),
        Decimal(0),
    )
    return Money(currency, clean, total.quantize(CENT, rounding=ROUND_HALF_UP), ())


def add_amounts(into: dict[str, Decimal], currency: str, amount: Decimal | None) -> None:
    if amount:
        into[currency] = into.get(currency, Decimal(0)) + amount
