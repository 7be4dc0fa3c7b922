"""A contract version's terms as plain data: canonical form, hash, and the clause text.

`version_terms` is the one canonical, JSON-able view of a version (terms in document
order plus its deliverables). The content hash, the version diff and the acceptance
record all read it, so "what the creator agreed to" means the same thing everywhere.

Clauses are rendered with the outreach sandbox (`apps.campaigns.templating`) and this
module's own merge fields: values are plain text, filled in one pass; the pages escape
them when they show the body as HTML.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from apps.campaigns import templating

from .models import (
    DeliverableFormat,
    PaymentSchedule,
    ReportingSchedule,
    ReportMetric,
    TrackingMethod,
    UsageChannel,
)

# The ContractVersion fields a form (or the API) may edit, in document order.
TERM_FIELDS: tuple[str, ...] = (
    "objectives",
    "currency",
    "cash_amount",
    "product_description",
    "product_value",
    "payment_schedule",
    "payment_splits",
    "commission_per_conversion",
    "promo_code_bonus",
    "start_date",
    "end_date",
    "posting_frequency",
    "disclosure_label",
    "disclosure_placement",
    "usage_channels",
    "usage_duration_days",
    "paid_ads_whitelisting",
    "exclusivity_days",
    "exclusivity_competitors",
    "approval_required",
    "approval_turnaround_days",
    "cancellation_terms",
    "report_metrics",
    "tracking_methods",
    "reporting_schedule",
)

# The Deliverable fields that are part of the terms (completed_at is tracking, not terms).
DELIVERABLE_FIELDS: tuple[str, ...] = (
    "platform",
    "format",
    "quantity",
    "due_date",
    "description",
    "required_hashtags",
    "required_mentions",
    "required_links",
    "reach_goal",
    "engagement_goal",
)

MONEY_FIELDS = frozenset(
    {"cash_amount", "product_value", "commission_per_conversion", "promo_code_bonus"}
)
DATE_FIELDS = frozenset({"start_date", "end_date", "due_date"})

MERGE_FIELDS: Mapping[str, str] = MappingProxyType(
    {
        "creator.name": "The creator's full name, e.g. “Jane Doe”.",
        "creator.handle": "The creator's main handle, e.g. “@janedoe”.",
        "campaign.name": "The campaign's name.",
        "campaign.brand": "The brand running the campaign.",
        "campaign.product": "The product being promoted.",
        "workspace.name": "Your team or agency name.",
        "contract.title": "The contract's title.",
        "contract.objectives": "The campaign objectives agreed for this creator.",
        "contract.cash_amount": "The cash fee as a number, e.g. “1,500.00”.",
        "contract.currency": "The currency code, e.g. “EUR”.",
        "contract.compensation": "Everything the creator gets, in words.",
        "contract.product_description": "The product given, e.g. “Glow Serum 50 ml”.",
        "contract.product_value": "The product's value with its currency.",
        "contract.payment_schedule": "When the creator is paid, e.g. “50% on signing; 50% …”.",
        "contract.commission": "Commission per conversion, or “none”.",
        "contract.promo_code_bonus": "The promo-code bonus, or “none”.",
        "contract.start_date": "The start date, e.g. “1 March 2026”.",
        "contract.end_date": "The end date.",
        "contract.posting_frequency": "How often the creator posts.",
        "contract.disclosure_label": "The disclosure label, e.g. “#ad”.",
        "contract.disclosure_placement": "Where the label goes.",
        "contract.usage_rights": "Where and how long the brand may use the content, in words.",
        "contract.exclusivity": "The exclusivity window and competitors, in words.",
        "contract.approval": "Whether content is approved before posting, in words.",
        "contract.cancellation_terms": "The cancellation terms as written.",
        "contract.deliverables": "The deliverables as a readable list.",
        "contract.reporting": "Metrics, tracking and reporting schedule, in words.",
    }
)

NOT_SPECIFIED = "(not specified)"


# --------------------------------------------------------------------------- canonical


def _json_value(field: str, value: Any) -> Any:
    if value is None:
        return None
    if field in MONEY_FIELDS:
        return f"{Decimal(value):.2f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_json_value(field, item) for item in value]
    if isinstance(value, dict):
        return {str(k): _json_value(str(k), v) for k, v in sorted(value.items())}
    return value


def deliverable_terms(deliverable) -> dict[str, Any]:
    return {name: _json_value(name, getattr(deliverable, name)) for name in DELIVERABLE_FIELDS}


def version_terms(version) -> dict[str, Any]:
    """Canonical JSON-able terms + deliverables (the hash and the diff read this)."""
    terms = {name: _json_value(name, getattr(version, name)) for name in TERM_FIELDS}
    deliverables = sorted(version.deliverables.all(), key=lambda d: (d.position, d.pk))
    terms["deliverables"] = [deliverable_terms(d) for d in deliverables]
    return terms


def version_hash(version) -> str:
    """sha256 hex of the parties, the canonical terms and the body: what the creator
    agreed to, and with whom, as one number.

    The parties are ids, not names: a creator renamed after sending must not make
    the version unanswerable, yet two creators offered the same terms must not get
    the same hash.
    """
    contract = version.contract
    parties = {
        "workspace": contract.workspace_id,
        "contract": contract.pk,
        "version": version.number,
        "campaign": contract.campaign_id,
        "campaign_creator": contract.campaign_creator_id,
    }
    payload = {"parties": parties, "terms": version_terms(version), "body": version.body}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- words


def format_amount(value) -> str:
    return f"{Decimal(value):,.2f}"


def format_money(value, currency: str) -> str:
    return f"{format_amount(value)} {currency}"


def format_date(value: datetime.date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else NOT_SPECIFIED


def _labels(choices, values: Iterable[str]) -> list[str]:
    labels = dict(choices)
    return [str(labels.get(v, v)) for v in values]


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _days(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


def compensation_words(version) -> str:
    parts = []
    if version.cash_amount:
        parts.append(f"{format_money(version.cash_amount, version.currency)} in cash")
    if version.product_description:
        product = version.product_description
        if version.product_value:
            product += f" (worth {format_money(version.product_value, version.currency)})"
        parts.append(product)
    return _join(parts) or "no compensation"


def payment_schedule_words(version) -> str:
    if version.payment_schedule == PaymentSchedule.SPLIT and version.payment_splits:
        return "; ".join(
            f"{s.get('percent', '?')}% {s.get('when', '').strip()}".strip()
            for s in version.payment_splits
        )
    return str(PaymentSchedule(version.payment_schedule).label)


def usage_rights_words(version) -> str:
    if not version.usage_channels:
        text = "The brand may not reuse the content beyond sharing the original post"
    else:
        channels = _join(_labels(UsageChannel.choices, version.usage_channels))
        duration = (
            f"for {_days(version.usage_duration_days)}"
            if version.usage_duration_days
            else "without a time limit"
        )
        text = f"The brand may use the content on {channels} {duration}"
    if version.paid_ads_whitelisting:
        text += "; the creator's account may be whitelisted for paid ads"
    return text + "."


def exclusivity_words(version) -> str:
    if not version.exclusivity_days:
        return "No exclusivity."
    text = f"The creator will not work with competing brands for {_days(version.exclusivity_days)}"
    if version.exclusivity_competitors:
        text += f" (namely {_join(list(version.exclusivity_competitors))})"
    return text + "."


def approval_words(version) -> str:
    if not version.approval_required:
        return "Content does not need the brand's approval before posting."
    text = "Content is approved by the brand before posting"
    if version.approval_turnaround_days:
        text += f"; the brand answers within {_days(version.approval_turnaround_days)}"
    return text + "."


def deliverable_words(deliverable) -> str:
    fmt = DeliverableFormat(deliverable.format).label
    platform = deliverable.get_platform_display()
    text = f"{deliverable.quantity} × {platform} {fmt}"
    if deliverable.due_date:
        text += f", due {format_date(deliverable.due_date)}"
    extras = [*deliverable.required_hashtags, *deliverable.required_mentions]
    if extras:
        text += f", with {' '.join(extras)}"
    if deliverable.required_links:
        text += f", linking to {', '.join(deliverable.required_links)}"
    if deliverable.description:
        text += f" — {deliverable.description}"
    return text


def deliverables_words(version, deliverables=None) -> str:
    if deliverables is None:
        deliverables = sorted(version.deliverables.all(), key=lambda d: (d.position, d.pk))
    if not deliverables:
        return NOT_SPECIFIED
    return "\n".join(f"- {deliverable_words(d)}" for d in deliverables)


def reporting_words(version) -> str:
    metrics = _join(_labels(ReportMetric.choices, version.report_metrics)).lower()
    tracking = _join(_labels(TrackingMethod.choices, version.tracking_methods)).lower()
    schedule = str(ReportingSchedule(version.reporting_schedule).label).lower()
    text = f"The creator reports {metrics or 'their results'}"
    if tracking:
        text += f", tracked by {tracking}"
    return f"{text}, {schedule}."


def merge_values(version, *, deliverables=None) -> dict[str, str]:
    """The flat merge mapping for one version (the sandbox never looks anything up).

    `deliverables` (in order) stands in for the saved ones while an edit is being built.
    """
    contract = version.contract
    campaign = contract.campaign
    campaign_creator = contract.campaign_creator
    creator = campaign_creator.creator
    account = campaign_creator.main_account
    currency = version.currency

    def money(value) -> str:
        return format_money(value, currency) if value else "none"

    return {
        "creator.name": creator.name,
        "creator.handle": f"@{account.handle}" if account else "",
        "campaign.name": campaign.name,
        "campaign.brand": campaign.brand,
        "campaign.product": campaign.product,
        "workspace.name": campaign.workspace.name,
        "contract.title": contract.title,
        "contract.objectives": version.objectives,
        "contract.cash_amount": format_amount(version.cash_amount or 0),
        "contract.currency": currency,
        "contract.compensation": compensation_words(version),
        "contract.product_description": version.product_description,
        "contract.product_value": money(version.product_value),
        "contract.payment_schedule": payment_schedule_words(version),
        "contract.commission": money(version.commission_per_conversion)
        + (" per conversion" if version.commission_per_conversion else ""),
        "contract.promo_code_bonus": money(version.promo_code_bonus),
        "contract.start_date": format_date(version.start_date),
        "contract.end_date": format_date(version.end_date),
        "contract.posting_frequency": version.posting_frequency,
        "contract.disclosure_label": version.disclosure_label,
        "contract.disclosure_placement": version.disclosure_placement,
        "contract.usage_rights": usage_rights_words(version),
        "contract.exclusivity": exclusivity_words(version),
        "contract.approval": approval_words(version),
        "contract.cancellation_terms": version.cancellation_terms,
        "contract.deliverables": deliverables_words(version, deliverables),
        "contract.reporting": reporting_words(version),
    }


# --------------------------------------------------------------------------- clauses


@dataclass(frozen=True)
class ClauseText:
    """A clause without a database row (the built-in standard set)."""

    title: str
    category: str
    body: str


# Used when a contract has no template (or its template was deleted), and as the demo's
# starter library: one clause per section of the checklist.
STANDARD_CLAUSES: tuple[ClauseText, ...] = (
    ClauseText(
        "Parties and purpose",
        "deliverables",
        "This agreement is between {{ campaign.brand }} (the brand) and {{ creator.name }} "
        "(the creator) for the campaign {{ campaign.name }}.\n"
        "Objectives: {{ contract.objectives }}",
    ),
    ClauseText(
        "Deliverables",
        "deliverables",
        "The creator publishes:\n{{ contract.deliverables }}\n"
        "Posting frequency: {{ contract.posting_frequency }}",
    ),
    ClauseText(
        "Compensation",
        "compensation",
        "The creator receives {{ contract.compensation }}.\n"
        "Payment: {{ contract.payment_schedule }}.\n"
        "Commission: {{ contract.commission }}. Promo-code bonus: {{ contract.promo_code_bonus }}.",
    ),
    ClauseText(
        "Timing",
        "timing",
        "The agreement runs from {{ contract.start_date }} to {{ contract.end_date }}.",
    ),
    ClauseText(
        "Disclosure",
        "disclosure",
        "Every sponsored post is labelled {{ contract.disclosure_label }} "
        "({{ contract.disclosure_placement }}), as advertising rules require.",
    ),
    ClauseText("Usage rights", "usage_rights", "{{ contract.usage_rights }}"),
    ClauseText("Exclusivity", "exclusivity", "{{ contract.exclusivity }}"),
    ClauseText("Content approval", "approval", "{{ contract.approval }}"),
    ClauseText("Cancellation", "cancellation", "{{ contract.cancellation_terms }}"),
    ClauseText("Measurement and reporting", "reporting", "{{ contract.reporting }}"),
)


def validate_clause(text: str) -> list[templating.TemplateError]:
    """The errors in a clause's text (for the clause editor); [] when it is fine."""
    return templating.validate(text, fields=MERGE_FIELDS)


def render_clause(text: str, values: Mapping[str, str]) -> str:
    """One clause with its merge fields filled; a blank term reads "(not specified)"."""
    template = templating.parse(text, fields=MERGE_FIELDS)
    filled = {name: values.get(name) or NOT_SPECIFIED for name in template.fields}
    return template.render(filled, html=False)


def render_body(version, *, clauses: Iterable, deliverables=None) -> str:
    """The contract text: each clause (anything with .title and .body) numbered and filled.

    Raises templating.InvalidTemplate if a clause has errors (the clause editor refuses
    those, so this only happens to clauses written around the editor).
    """
    values = merge_values(version, deliverables=deliverables)
    sections = []
    for number, clause in enumerate(clauses, start=1):
        sections.append(f"{number}. {clause.title}\n{render_clause(clause.body, values)}")
    return "\n\n".join(sections) + ("\n" if sections else "")
