"""The creator's side of a contract: read, accept or decline one version through a private link.

No login: the link's token is the credential (only its hash is stored), so these views
show nothing but that one version — no other contract, no team member's email — and
every response keeps the URL (it holds the token) from other sites' referrers, and says
noindex and no-store.
Rate limited by client IP (Redis cache), to make guessing tokens pointless.
"""

from functools import wraps

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from apps.accounts.client_ip import client_ip

from .. import acceptance, documents, services
from ..models import ContractLink, ContractVersion
from .documents import pdf_failed, pdf_response

READ_RATE = "30/m"
WRITE_RATE = "10/m"

PAGE_TEMPLATE = "contracts/public/contract.html"
DECIDED_TEMPLATE = "contracts/public/decided.html"
PROBLEM_TEMPLATE = "contracts/public/link_problem.html"
LIMITED_TEMPLATE = "contracts/public/rate_limited.html"

# reason -> (HTTP status, title, message, advice)
DEAD_LINKS = {
    "unknown": (
        404,
        "This link does not work",
        "We could not find a contract for this link.",
        "Check that the whole link was copied from the email. If it still does not work, "
        "ask the brand that sent it to send it again.",
    ),
    "expired": (
        410,
        "This link has expired",
        "The link to this contract is no longer valid: links only work for a limited time.",
        "Ask the brand that sent it for a new link.",
    ),
    "revoked": (
        410,
        "This link was withdrawn",
        "The brand withdrew this link, so the contract can no longer be read or answered here.",
        "If you think this is a mistake, contact the brand that sent it.",
    ),
    "superseded": (
        410,
        "A newer version was sent to you",
        "The brand changed this contract after sending it, and a newer version replaces this one.",
        "Look for the most recent email about this contract and open the link in it.",
    ),
    "decided": (
        409,
        "This contract was already answered",
        "This version of the contract has already been accepted or declined.",
        "",
    ),
}


def public_page(view):
    """Rate limits (reads and writes counted apart), the 429 page and the privacy headers."""

    @wraps(view)
    @ratelimit(group="contracts.public.read", key="ip", rate=READ_RATE, method="GET", block=False)
    @ratelimit(
        group="contracts.public.write", key="ip", rate=WRITE_RATE, method="POST", block=False
    )
    def wrapped(request, *args, **kwargs):
        if getattr(request, "limited", False):
            response = TemplateResponse(request, LIMITED_TEMPLATE, {}, status=429)
            response["Retry-After"] = "60"
        else:
            response = view(request, *args, **kwargs)
        # Not "no-referrer": with it, browsers send `Origin: null` on the accept form's POST
        # and Django's CSRF check refuses it. "same-origin" keeps the token in the URL from
        # ever reaching another site (links out, images), which is the point.
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return never_cache(wrapped)


# --- forms ------------------------------------------------------------------------


class AcceptForm(forms.Form):
    full_name = forms.CharField(
        label="Your full name",
        min_length=2,
        max_length=200,
        help_text="Typing your name is your signature.",
        error_messages={
            "required": "Type your full name to accept.",
            "min_length": "Type your full name to accept.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    acknowledged_disclosure = forms.BooleanField(
        error_messages={"required": "Tick this box to confirm the disclosure requirement."}
    )
    acknowledged_usage_rights = forms.BooleanField(
        error_messages={"required": "Tick this box to confirm the usage rights."}
    )

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        label = version.disclosure_label or "the sponsored-content label"
        self.fields["acknowledged_disclosure"].label = (
            f"I will mark every sponsored post with “{label}”"
            + (f" ({version.disclosure_placement.lower()})" if version.disclosure_placement else "")
            + "."
        )
        self.fields[
            "acknowledged_usage_rights"
        ].label = f"I grant the usage rights: {documents.usage_rights_summary(version)}."


class DeclineForm(forms.Form):
    comment = forms.CharField(
        label="Comment (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What would you change?",
    )


# --- views ------------------------------------------------------------------------


def _link(token: str) -> ContractLink:
    """The usable link for this token, with what the document reads; raises LinkUnusable."""
    link = acceptance.contract_link_for_token(token)
    link.version = _document_version(link.version_id)
    return link


def _document_version(pk: int) -> ContractVersion:
    return documents.versions_for_document(ContractVersion.objects.all()).get(pk=pk)


def _page(
    request,
    token: str,
    link: ContractLink,
    *,
    accept_form=None,
    decline_form=None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    version = link.version
    context = documents.document_context(version) | {
        "token": token,
        "link": link,
        "accept_form": accept_form or AcceptForm(version=version),
        "decline_form": decline_form or DeclineForm(),
        "error": error,
    }
    return TemplateResponse(request, PAGE_TEMPLATE, context, status=status)


def _dead_link(request, token: str, exc: services.LinkUnusable) -> HttpResponse:
    """Why the link cannot be used, said plainly; a decided version shows the decision."""
    reason = exc.reason if exc.reason in DEAD_LINKS else "unknown"
    if reason == "decided":
        link = getattr(exc, "link", None)
        if link is not None:
            version = _document_version(link.version_id)
            if documents.decision_of(version) is not None:
                context = documents.document_context(version) | {"token": token}
                return TemplateResponse(request, DECIDED_TEMPLATE, context)
    status, title, message, advice = DEAD_LINKS[reason]
    context = {"title": title, "message": message, "advice": advice}
    return TemplateResponse(request, PROBLEM_TEMPLATE, context, status=status)


def _user_agent(request) -> str:
    return request.headers.get("User-Agent", "")[:400]


@require_http_methods(["GET"])
@public_page
def contract_public(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = _link(token)
    except services.LinkUnusable as exc:
        return _dead_link(request, token, exc)
    acceptance.contract_link_mark_opened(link=link)
    return _page(request, token, link)


@require_http_methods(["POST"])
@public_page
def contract_public_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = _link(token)
    except services.LinkUnusable as exc:
        return _dead_link(request, token, exc)
    form = AcceptForm(request.POST, version=link.version)
    if not form.is_valid():
        return _page(request, token, link, accept_form=form, status=400)
    try:
        acceptance.contract_accept(
            token=token,
            full_name=form.cleaned_data["full_name"],
            acknowledged_disclosure=form.cleaned_data["acknowledged_disclosure"],
            acknowledged_usage_rights=form.cleaned_data["acknowledged_usage_rights"],
            ip=client_ip(request) or None,
            user_agent=_user_agent(request),
        )
    except services.LinkUnusable as exc:
        return _dead_link(request, token, exc)
    except services.ContractError as exc:
        return _page(request, token, link, accept_form=form, error=exc.message, status=409)
    except ValidationError as exc:  # the service's own checks; the form checks the same
        error = " ".join(exc.messages)
        return _page(request, token, link, accept_form=form, error=error, status=400)
    return redirect(reverse("contract_public", args=[token]))


@require_http_methods(["POST"])
@public_page
def contract_public_decline(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = _link(token)
    except services.LinkUnusable as exc:
        return _dead_link(request, token, exc)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _page(request, token, link, decline_form=form, status=400)
    try:
        acceptance.contract_decline(
            token=token,
            comment=form.cleaned_data["comment"],
            ip=client_ip(request) or None,
            user_agent=_user_agent(request),
        )
    except services.LinkUnusable as exc:
        return _dead_link(request, token, exc)
    except services.ContractError as exc:
        return _page(request, token, link, decline_form=form, error=exc.message, status=409)
    return redirect(reverse("contract_public", args=[token]))


@require_http_methods(["GET"])
@public_page
def contract_public_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The PDF of the version; also after it was answered, so the creator keeps a copy."""
    try:
        version = _link(token).version
    except services.LinkUnusable as exc:
        link = getattr(exc, "link", None) if exc.reason == "decided" else None
        if link is None:
            return _dead_link(request, token, exc)
        version = _document_version(link.version_id)
    try:
        pdf = documents.version_pdf(version)
    except documents.PdfError as exc:
        return pdf_failed(
            request,
            exc,
            document_url=reverse("contract_public", args=[token]),
            template="contracts/public/pdf_failed.html",
        )
    return pdf_response(pdf, documents.pdf_filename(version))
