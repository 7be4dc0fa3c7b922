"""Outreach message templates: ``{{ field }}`` merge fields rendered in a sandbox.

This module is pure Python (stdlib only) so the editor, the mailer and the tests can
use it without Django.

The template language is deliberately tiny: the only construct is a placeholder
``{{ name }}`` where ``name`` is one of :data:`MERGE_FIELDS`. Everything else that
looks like template syntax (``{% tag %}``, ``{# comment #}``, filters ``{{ x|upper }}``,
calls ``{{ x() }}``, indexing ``{{ x[0] }}``, dunder names) is reported as an error
instead of being passed through to the recipient.

Rendering takes a *flat* mapping of strings keyed by field name
(``{"creator.first_name": "Jane"}``). Nothing is ever looked up with ``getattr``,
so a template cannot reach any attribute of any Python object. Values are inserted
once, in a single pass: a value that itself contains ``{{ other }}`` is output as
text, never expanded again.
"""

from __future__ import annotations

import difflib
import html as _html
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from numbers import Number
from types import MappingProxyType

__all__ = [
    "EXAMPLE_VALUES",
    "MERGE_FIELDS",
    "InvalidTemplate",
    "MissingValue",
    "OfferType",
    "Placeholder",
    "Template",
    "TemplateError",
    "describe_offer",
    "format_money",
    "offer_values",
    "parse",
    "render",
    "validate",
]

#: The only names a template may use, with the help text shown in the editor.
MERGE_FIELDS: Mapping[str, str] = MappingProxyType(
    {
        "creator.first_name": "The creator's first name, e.g. “Jane”.",
        "creator.name": "The creator's full name, e.g. “Jane Doe”.",
        "creator.handle": "The creator's handle on the campaign platform, e.g. “@janedoe”.",
        "creator.platform": "The platform of that handle, e.g. “Instagram”.",
        "campaign.name": "The campaign's name, e.g. “Spring Glow 2025”.",
        "campaign.brand": "The brand running the campaign, e.g. “Lumen Skincare”.",
        "campaign.product": "The product being promoted, e.g. “Glow Serum”.",
        "offer": "The offer in words, e.g. “a free Glow Serum (worth €45)”.",
        "offer.type": "The kind of offer: Cash, Product, Exclusive discount or Early access.",
        "offer.value": "The offer's value as entered, e.g. “€250” or “20%”.",
        "sender.name": "Your name, as the person sending the message.",
        "sender.email": "Your email address.",
        "workspace.name": "Your team or agency name.",
    }
)

#: Sample values for the editor's live preview (one per merge field).
EXAMPLE_VALUES: Mapping[str, str] = MappingProxyType(
    {
        "creator.first_name": "Jane",
        "creator.name": "Jane Doe",
        "creator.handle": "@janedoe",
        "creator.platform": "Instagram",
        "campaign.name": "Spring Glow 2025",
        "campaign.brand": "Lumen Skincare",
        "campaign.product": "Glow Serum",
        "offer": "a free Glow Serum (worth €45)",
        "offer.type": "Product",
        "offer.value": "Glow Serum",
        "sender.name": "Sam Rivera",
        "sender.email": "sam@lumen.example",
        "workspace.name": "Lumen Skincare",
    }
)

_FIELD_LIST = ", ".join(MERGE_FIELDS)
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\Z")
# Every opener/closer the scanner cares about, leftmost first.
_TOKEN_RE = re.compile(r"\{\{|\{%|\{#|\}\}")
_SNIPPET_MAX = 40


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class TemplateError:
    """One problem in a template, positioned for the editor (1-based line and column)."""

    message: str
    line: int
    column: int
    field: str | None = None
    #: "unknown_field", "unsupported_syntax", "invalid_placeholder", "unclosed" or "unmatched".
    kind: str = "unsupported_syntax"

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class InvalidTemplate(ValueError):
    """Raised by :func:`render` when the template has errors (see ``.errors``)."""

    def __init__(self, errors: list[TemplateError]):
        self.errors = list(errors)
        super().__init__("; ".join(e.message for e in self.errors))


class MissingValue(LookupError):
    """A field used by the template has no (or an empty) value: nothing is sent blank.

    ``field`` is the first missing field in template order; ``fields`` lists all of them.
    """

    def __init__(self, field: str, fields: tuple[str, ...] | None = None):
        self.field = field
        self.fields = tuple(fields) if fields else (field,)
        names = ", ".join(f"{{{{ {f} }}}}" for f in self.fields)
        super().__init__(f"No value for {names}")

    def __str__(self) -> str:
        return str(self.args[0])


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class Placeholder:
    """A valid ``{{ name }}`` occurrence."""

    name: str
    line: int
    column: int


@dataclass(frozen=True)
class Template:
    """A parsed template: literal text and placeholders, plus any errors found."""

    source: str
    segments: tuple[str | Placeholder, ...]
    errors: tuple[TemplateError, ...]

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def fields(self) -> tuple[str, ...]:
        """The distinct field names used, in order of first appearance."""
        return tuple(dict.fromkeys(s.name for s in self.segments if isinstance(s, Placeholder)))

    def render(self, values: Mapping[str, object], *, html: bool) -> str:
        """Fill the placeholders from ``values`` (a flat mapping keyed by field name).

        Raises :class:`InvalidTemplate` if the template has errors and
        :class:`MissingValue` if a used field is absent or blank. With ``html=True``
        each value is HTML-escaped (the template text itself is left as written);
        with ``html=False`` values are inserted as-is, for plain-text emails and
        subject lines.
        """
        if self.errors:
            raise InvalidTemplate(list(self.errors))
        resolved: dict[str, str] = {}
        missing: list[str] = []
        for name in self.fields:
            text = _coerce(name, values.get(name))
            if text is None:
                missing.append(name)
            else:
                resolved[name] = _html.escape(text, quote=True) if html else text
        if missing:
            raise MissingValue(missing[0], tuple(missing))
        return "".join(resolved[s.name] if isinstance(s, Placeholder) else s for s in self.segments)


def _coerce(name: str, value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        text = value
    elif isinstance(value, Number) and not isinstance(value, bool):
        text = str(value)
    else:
        raise TypeError(f"Value for {{{{ {name} }}}} must be a string, not {type(value).__name__}")
    return text if text.strip() else None


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > _SNIPPET_MAX:
        text = text[: _SNIPPET_MAX - 1] + "…"
    return text


def _not_allowed(snippet: str, line: int, reason: str = "") -> str:
    suffix = f" ({reason})" if reason else ""
    return f"Only {{{{ field }}}} placeholders are allowed: '{_snippet(snippet)}' on line {line}{suffix}"


def _check_name(
    inner: str, raw: str, line: int, column: int, fields: Mapping[str, str] = MERGE_FIELDS
) -> TemplateError | None:
    """Return the error for a placeholder body, or None if it names one of `fields`."""
    name = inner.strip()
    if not name:
        return TemplateError(
            f"Empty placeholder '{raw}' on line {line}: write a field name, e.g. "
            "{{ creator.first_name }}",
            line,
            column,
            None,
            "invalid_placeholder",
        )
    reason = None
    if "|" in name:
        reason = "filters are not supported"
    elif "(" in name or ")" in name:
        reason = "calls are not supported"
    elif "[" in name or "]" in name:
        reason = "indexing is not supported"
    elif "__" in name or re.search(r"(?:^|\.)_", name):
        reason = "names starting with an underscore are not allowed"
    elif not _NAME_RE.match(name):
        reason = "a placeholder holds a single field name"
    if reason:
        return TemplateError(
            _not_allowed(raw, line, reason), line, column, None, "invalid_placeholder"
        )
    if name not in fields:
        guess = difflib.get_close_matches(name.lower(), list(fields), n=1, cutoff=0.6)
        hint = f" (did you mean {{{{ {guess[0]} }}}}?)" if guess else ""
        field_list = _FIELD_LIST if fields is MERGE_FIELDS else ", ".join(fields)
        return TemplateError(
            f"Unknown field {{{{ {name} }}}} on line {line}{hint}: use one of {field_list}",
            line,
            column,
            name,
            "unknown_field",
        )
    return None


def parse(text: str, *, fields: Mapping[str, str] = MERGE_FIELDS) -> Template:
    """Split ``text`` into literal text and ``{{ field }}`` placeholders.

    Never raises for bad syntax: problems are collected in ``Template.errors``.
    ``fields`` is the set of allowed names (outreach's :data:`MERGE_FIELDS` unless
    another feature, e.g. contract clauses, brings its own).
    """
    segments: list[str | Placeholder] = []
    errors: list[TemplateError] = []
    literal: list[str] = []
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(index: int) -> tuple[int, int]:
        # Binary search would be overkill for message-sized text.
        line = 1
        for i, start in enumerate(line_starts):
            if start > index:
                break
            line = i + 1
        return line, index - line_starts[line - 1] + 1

    def line_end(index: int) -> int:
        end = text.find("\n", index)
        return len(text) if end == -1 else end

    pos = 0
    while True:
        match = _TOKEN_RE.search(text, pos)
        if match is None:
            literal.append(text[pos:])
            break
        start, marker = match.start(), match.group()
        literal.append(text[pos:start])
        line, column = position(start)
        eol = line_end(start)

        if marker == "}}":
            errors.append(
                TemplateError(
                    f"Unmatched '}}}}' on line {line}: placeholders look like "
                    "{{ creator.first_name }}",
                    line,
                    column,
                    None,
                    "unmatched",
                )
            )
            pos = start + 2
            continue

        if marker in ("{%", "{#"):
            closer = "%}" if marker == "{%" else "#}"
            close = text.find(closer, start + 2, eol)
            end = eol if close == -1 else close + 2
            what = "template tags" if marker == "{%" else "template comments"
            errors.append(
                TemplateError(
                    _not_allowed(text[start:end], line, f"{what} are not supported"),
                    line,
                    column,
                    None,
                    "unsupported_syntax",
                )
            )
            pos = end
            continue

        # marker == "{{": a placeholder must close on the same line, before any other "{{".
        close = text.find("}}", start + 2, eol)
        reopen = text.find("{{", start + 2, eol)
        if close == -1 or (reopen != -1 and reopen < close):
            errors.append(
                TemplateError(
                    f"Unclosed '{{{{' on line {line}: close the placeholder with '}}}}' "
                    "on the same line",
                    line,
                    column,
                    None,
                    "unclosed",
                )
            )
            pos = start + 2
            continue
        raw = text[start : close + 2]
        error = _check_name(text[start + 2 : close], raw, line, column, fields)
        if error is not None:
            errors.append(error)
        else:
            segments.append("".join(literal))
            literal.clear()
            segments.append(Placeholder(text[start + 2 : close].strip(), line, column))
        pos = close + 2

    segments.append("".join(literal))
    return Template(
        source=text,
        segments=tuple(s for s in segments if s != ""),
        errors=tuple(errors),
    )


def validate(text: str, *, fields: Mapping[str, str] = MERGE_FIELDS) -> list[TemplateError]:
    """The errors in ``text`` (empty list when the template is fine), for the editor."""
    return list(parse(text, fields=fields).errors)


def render(
    text: str, values: Mapping[str, object], *, html: bool, fields: Mapping[str, str] = MERGE_FIELDS
) -> str:
    """Parse and render ``text`` in one go; used for bodies and subject lines alike.

    See :meth:`Template.render` for the rules and exceptions.
    """
    return parse(text, fields=fields).render(values, html=html)


# --------------------------------------------------------------------------- offers


class OfferType(StrEnum):
    """What the brand offers the creator (the seed's four kinds)."""

    CASH = "cash"
    PRODUCT = "product"
    EXCLUSIVE_DISCOUNT = "exclusive_discount"
    EARLY_ACCESS = "early_access"

    @property
    def label(self) -> str:
        return _OFFER_LABELS[self]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """``(value, label)`` pairs, ready for a Django ``choices=``."""
        return [(member.value, member.label) for member in cls]


_OFFER_LABELS = {
    OfferType.CASH: "Cash",
    OfferType.PRODUCT: "Product",
    OfferType.EXCLUSIVE_DISCOUNT: "Exclusive discount",
    OfferType.EARLY_ACCESS: "Early access",
}

_CURRENCY_SYMBOLS = {
    "EUR": "€",
    "USD": "$",
    "GBP": "£",
    "JPY": "¥",
    "INR": "₹",
    "AUD": "A$",
    "CAD": "C$",
}


def _amount(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def _format_amount(amount: Decimal) -> str:
    if amount == amount.to_integral_value():
        return f"{int(amount):,}"
    return f"{amount:,.2f}"


def format_money(value: object, currency: str | None) -> str:
    """``250, "EUR"`` -> ``"€250"``; unknown codes follow the number (``"250 CHF"``)."""
    amount = _amount(value)
    if amount is None:
        raise ValueError(f"Not an amount: {value!r}")
    number = _format_amount(amount)
    if not currency:
        return number
    code = currency.strip().upper()
    symbol = _CURRENCY_SYMBOLS.get(code)
    return f"{symbol}{number}" if symbol else f"{number} {code}"


def _article(phrase: str) -> str:
    """'a' or 'an' before a money phrase ("a €250 fee", "an 800 SEK fee")."""
    digits = re.match(r"[\d,]+", phrase)
    if digits:
        whole = digits.group().replace(",", "")
        if whole.startswith("8"):
            return "an"
        if whole[:2] in ("11", "18") and len(whole) % 3 == 2:
            return "an"
        return "a"
    return "an" if phrase[:1].lower() in "aeiou" else "a"


def describe_offer(
    type: OfferType | str,
    value: object,
    currency: str | None = None,
    *,
    worth: object = None,
) -> str:
    """The offer in words, as it reads after "we'd like to offer you …".

    - cash: ``value`` is the amount -> "a €250 fee"
    - product: ``value`` is the product, ``worth`` its optional retail value
      -> "a free Glow Serum (worth €45)"
    - exclusive discount: ``value`` is the percentage (``20`` or ``"20%"``) or a
      free-text deal -> "an exclusive 20% discount code for your audience"
    - early access: ``value`` is what they get early -> "early access to the new Glow Serum"
    """
    try:
        kind = OfferType(type)
    except ValueError:
        raise ValueError(
            f"Unknown offer type {type!r}: use one of {', '.join(t.value for t in OfferType)}"
        ) from None
    if value is None or not str(value).strip():
        raise ValueError(f"An offer of type {kind.label!r} needs a value")
    text = " ".join(str(value).split())

    if kind is OfferType.CASH:
        money = format_money(value, currency)
        return f"{_article(money)} {money} fee"
    if kind is OfferType.PRODUCT:
        description = f"a free {text}"
        if worth is not None and str(worth).strip():
            description += f" (worth {format_money(worth, currency)})"
        return description
    if kind is OfferType.EXCLUSIVE_DISCOUNT:
        percent = text[:-1].strip() if text.endswith("%") else text
        amount = _amount(percent)
        deal = f"{_format_amount(amount)}%" if amount is not None else text
        return f"an exclusive {deal} discount code for your audience"
    return f"early access to {text}"


def offer_values(
    type: OfferType | str,
    value: object,
    currency: str | None = None,
    *,
    worth: object = None,
) -> dict[str, str]:
    """The ``offer``, ``offer.type`` and ``offer.value`` merge values for one offer."""
    kind = OfferType(type)
    if kind is OfferType.CASH:
        shown = format_money(value, currency)
    elif (
        kind is OfferType.EXCLUSIVE_DISCOUNT
        and (percent := _amount(str(value).strip().rstrip("%"))) is not None
    ):
        shown = f"{_format_amount(percent)}%"
    else:
        shown = " ".join(str(value).split())
    return {
        "offer": describe_offer(kind, value, currency, worth=worth),
        "offer.type": kind.label,
        "offer.value": shown,
    }
