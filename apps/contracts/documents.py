"""A contract version as a document: the terms in plain words, for the page, print and PDF.

The same context feeds three templates: the team's page (inside the app's layout),
the creator's page (by link, no login) and the PDF (a standalone, print-only HTML
that xhtml2pdf turns into pages). The PDF is made from HTML so there is one layout
to keep right; `html_to_pdf` is reused by reporting's exports.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib.staticfiles import finders
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.text import slugify

from .models import (
    ContractDecision,
    ContractVersion,
    Deliverable,
    ReportMetric,
    TrackingMethod,
    UsageChannel,
)

logger = logging.getLogger(__name__)

PDF_TEMPLATE = "contracts/document/pdf.html"


class PdfError(Exception):
    """The PDF could not be made. `message` is safe to show to the user."""

    def __init__(self, message: str = "The PDF could not be made. The page itself still works."):
        super().__init__(message)
        self.message = message


@dataclass
class Term:
    label: str
    value: str


@dataclass
class Section:
    title: str
    terms: list[Term] = field(default_factory=list)


NONE = "None"
NOT_SET = "Not set"


def versions_for_document(queryset):
    """Everything a document reads, in a fixed number of queries."""
    return queryset.select_related(
        "contract__workspace",
        "contract__campaign",
        "contract__campaign_creator__creator",
    ).prefetch_related(
        Prefetch("deliverables", queryset=Deliverable.objects.order_by("position", "id"))
    )


def money(amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return NONE
    return f"{amount:,.2f} {currency}"


def _date(value) -> str:
    return date_format(value, "j F Y") if value else NOT_SET


def _days(value: int | None) -> str:
    if value is None:
        return NOT_SET
    return "1 day" if value == 1 else f"{value} days"


def _labels(values, choices) -> str:
    names = dict(choices)
    return ", ".join(str(names.get(v, v)) for v in values) if values else NONE


def _splits(version: ContractVersion) -> str:
    parts = [
        f"{split.get('percent', '?')}% {split.get('when', '')}".strip()
        for split in version.payment_splits or []
        if isinstance(split, dict)
    ]
    return "; ".join(parts) if parts else NOT_SET


def usage_rights_summary(version: ContractVersion) -> str:
    """ "Brand's organic social, Paid ads for 90 days": what the creator acknowledges."""
    if not version.usage_channels:
        return "no usage of your content beyond your own posts"
    channels = _labels(version.usage_channels, UsageChannel.choices)
    duration = (
        f"for {_days(version.usage_duration_days)}"
        if version.usage_duration_days
        else "with no end date set"
    )
    return f"{channels} {duration}"


def term_sections(version: ContractVersion) -> list[Section]:
    """Every term of the checklist, grouped as in the checklist, in plain words."""
    v = version
    cur = v.currency
    compensation = Section(
        "Compensation",
        [
            Term("Cash", money(v.cash_amount, cur)),
            Term(
                "Product",
                f"{v.product_description} (worth {money(v.product_value, cur)})"
                if v.product_description and v.product_value is not None
                else v.product_description or NONE,
            ),
            Term("Payment schedule", v.get_payment_schedule_display()),
        ],
    )
    if v.payment_schedule == "split":
        compensation.terms.append(Term("Instalments", _splits(v)))
    compensation.terms += [
        Term(
            "Commission",
            f"{money(v.commission_per_conversion, cur)} per conversion"
            if v.commission_per_conversion is not None
            else NONE,
        ),
        Term("Promo-code bonus", money(v.promo_code_bonus, cur)),
    ]
    if v.exclusivity_days:
        competitors = ", ".join(v.exclusivity_competitors) or "all competitors of the brand"
        exclusivity = f"{_days(v.exclusivity_days)}; competitors: {competitors}"
    else:
        exclusivity = NONE
    if v.approval_required:
        approval = "Required before posting"
        if v.approval_turnaround_days:
            approval += f"; the brand answers within {_days(v.approval_turnaround_days)}"
    else:
        approval = "Not required"
    return [
        Section("Objectives and deliverables", [Term("Objectives", v.objectives or NOT_SET)]),
        compensation,
        Section(
            "Timing and duration",
            [
                Term("Start date", _date(v.start_date)),
                Term("End date", _date(v.end_date)),
                Term("Posting frequency", v.posting_frequency or NOT_SET),
            ],
        ),
        Section(
            "Legal",
            [
                Term("Sponsored-content disclosure", v.disclosure_label or NOT_SET),
                Term("Where the disclosure goes", v.disclosure_placement or NOT_SET),
                Term("Usage rights", _labels(v.usage_channels, UsageChannel.choices)),
                Term(
                    "Usage rights duration",
                    _days(v.usage_duration_days) if v.usage_channels else NONE,
                ),
                Term("Paid ads (whitelisting)", "Yes" if v.paid_ads_whitelisting else "No"),
                Term("Exclusivity", exclusivity),
                Term("Content approval", approval),
                Term("Cancellation", v.cancellation_terms or NOT_SET),
            ],
        ),
        Section(
            "Measurement and reporting",
            [
                Term("Metrics", _labels(v.report_metrics, ReportMetric.choices)),
                Term(
                    "Tracked by",
                    _labels(v.tracking_methods, TrackingMethod.choices),
                ),
                Term("Reporting schedule", v.get_reporting_schedule_display()),
            ],
        ),
    ]


def deliverable_rows(version: ContractVersion) -> list[dict]:
    rows = []
    for number, item in enumerate(version.deliverables.all(), start=1):
        requirements = [
            *(f"Hashtag {tag}" for tag in item.required_hashtags),
            *(f"Mention {who}" for who in item.required_mentions),
            *(f"Link {url}" for url in item.required_links),
        ]
        goals = []
        if item.reach_goal:
            goals.append(f"Reach {item.reach_goal:,}")
        if item.engagement_goal:
            goals.append(f"Engagements {item.engagement_goal:,}")
        rows.append(
            {
                "number": number,
                "platform": item.get_platform_display(),
                "format": item.get_format_display(),
                "quantity": item.quantity,
                "due": _date(item.due_date) if item.due_date else "By the end date",
                "description": item.description,
                "requirements": requirements,
                "goals": goals,
            }
        )
    return rows


def body_paragraphs(body: str) -> list[str]:
    """The clause text split on blank lines; the template escapes each paragraph."""
    text = body.replace("\r\n", "\n").strip()
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def decision_of(version: ContractVersion) -> ContractDecision | None:
    try:
        return version.decision
    except ContractDecision.DoesNotExist:
        return None


def document_context(version: ContractVersion) -> dict:
    contract = version.contract
    campaign = contract.campaign
    return {
        "version": version,
        "contract": contract,
        # The brand the campaign is for; an agency's workspace signs on its behalf.
        "brand_name": campaign.brand or contract.workspace.name,
        "agency_name": contract.workspace.name
        if campaign.brand and campaign.brand != contract.workspace.name
        else "",
        "campaign": campaign,
        "creator": contract.campaign_creator.creator,
        "sections": term_sections(version),
        "deliverables": deliverable_rows(version),
        "paragraphs": body_paragraphs(version.body),
        "decision": decision_of(version),
        "usage_rights_summary": usage_rights_summary(version),
    }


def pdf_filename(version: ContractVersion) -> str:
    """ASCII-only and slugged: safe in a Content-Disposition header on every browser."""
    creator = slugify(version.contract.campaign_creator.creator.name)[:60] or "creator"
    return f"contract-{version.contract_id}-v{version.number}-{creator}.pdf"


def version_pdf(version: ContractVersion) -> bytes:
    html = render_to_string(PDF_TEMPLATE, document_context(version))
    return html_to_pdf(html)


def _local_files_only(uri: str, rel: str) -> str:
    """xhtml2pdf fetches images and stylesheets: allow our static files, nothing else.

    Documents hold text typed by users; no URL in them may make the server fetch it.
    """
    if uri.startswith("/static/"):
        found = finders.find(uri.removeprefix("/static/"))
        if found:
            return str(Path(found))
    return ""


def html_to_pdf(html: str) -> bytes:
    """Turns (xhtml2pdf-friendly) HTML into PDF bytes, or raises PdfError."""
    # Imported here: it is slow to import and most requests never need it.
    from xhtml2pdf import pisa

    out = io.BytesIO()
    try:
        result = pisa.CreatePDF(html, dest=out, encoding="utf-8", link_callback=_local_files_only)
    except Exception as exc:  # xhtml2pdf raises anything from its parsers and reportlab
        logger.exception("PDF generation crashed")
        raise PdfError() from exc
    if result.err:
        logger.error("PDF generation failed with %s error(s)", result.err)
        raise PdfError()
    data = out.getvalue()
    if not data.startswith(b"%PDF"):
        raise PdfError()
    return data
