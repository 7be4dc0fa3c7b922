"""Contract pages of the team: the list, starting a contract, the editor, the contract page,
comparing versions and the history. The lifecycle buttons post to views/actions.py."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from apps.accounts.models import Role
from apps.accounts.scoping import HtmxHttpRequest, workspace_required
from apps.campaigns.models import CampaignCreator

from .. import diff, history, services, terms
from ..forms import (
    FIELDSETS,
    CancelForm,
    CompareForm,
    ContractCreateForm,
    ContractFilterForm,
    ContractTermsForm,
    DeliverableFormSet,
    PaymentSplitFormSet,
    SendForm,
    deliverables_initial,
    splits_initial,
    terms_initial,
)
from ..models import Contract, ContractLink, ContractVersion

PAGE_SIZE = 50


def contract_for(request: HtmxHttpRequest, pk: int) -> Contract:
    return get_object_or_404(
        Contract.objects.for_workspace(request.workspace).with_parties(), pk=pk
    )


@require_http_methods(["GET"])
@workspace_required
@vary_on_headers("HX-Request")
def contract_list(request: HtmxHttpRequest) -> HttpResponse:
    filters = ContractFilterForm(request.GET, workspace=request.workspace)
    contracts = Contract.objects.for_workspace(request.workspace).with_parties()
    status = campaign = None
    if filters.is_valid():
        status, campaign = filters.cleaned_data["status"], filters.cleaned_data["campaign"]
        if status:
            contracts = contracts.filter(status=status)
        if campaign:
            contracts = contracts.filter(campaign=campaign)
    page = Paginator(contracts, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "filtered": bool(status or campaign),
        "query": query.urlencode(),
    }
    template = "contracts/list.html#results" if request.htmx else "contracts/list.html"
    return TemplateResponse(request, template, context)


@require_http_methods(["GET", "POST"])
@workspace_required(role=Role.MEMBER)
def contract_create(request: HtmxHttpRequest, campaign_pk: int, pk: int) -> HttpResponse:
    campaign_creator = get_object_or_404(
        CampaignCreator.objects.for_workspace(request.workspace)
        .shortlisted()
        .select_related("creator", "campaign"),
        pk=pk,
        campaign_id=campaign_pk,
    )
    existing = (
        Contract.objects.for_workspace(request.workspace)
        .open()
        .filter(campaign_creator=campaign_creator)
        .first()
    )
    if existing is not None:
        messages.info(request, f"{campaign_creator.creator.name} already has a contract here.")
        return redirect(existing)
    form = ContractCreateForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.contract_create(
                campaign_creator=campaign_creator,
                by=request.user,
                template=form.cleaned_data["template"],
                title=form.cleaned_data["title"],
            )
        except services.ContractError as error:
            form.add_error(None, error.message)
        except (IntegrityError, ValidationError):
            # Someone started one a moment ago: the open-contract constraint said no.
            form.add_error(None, "This creator already has a contract in this campaign.")
        else:
            messages.success(
                request, f"Draft contract started for {campaign_creator.creator.name}."
            )
            return redirect("contract_edit", contract.pk)
    context = {"form": form, "campaign_creator": campaign_creator}
    return TemplateResponse(request, "contracts/create.html", context)


# --- The editor ------------------------------------------------------------------------------


def _editor_forms(request: HtmxHttpRequest, version: ContractVersion):
    if request.method != "POST":
        return (
            ContractTermsForm(initial=terms_initial(version)),
            DeliverableFormSet(initial=deliverables_initial(version), prefix="deliverables"),
            PaymentSplitFormSet(initial=splits_initial(version), prefix="splits"),
        )
    data = request.POST.copy()
    # "Add a row" works without JavaScript: the same form comes back with one more blank row.
    adding = request.POST.get("add_row")
    if adding in ("deliverables", "splits"):
        key = f"{adding}-TOTAL_FORMS"
        data[key] = str(int(data.get(key) or 0) + 1) if (data.get(key) or "0").isdecimal() else "1"
    schedule = data.get("payment_schedule", "")
    return (
        ContractTermsForm(data),
        DeliverableFormSet(data, prefix="deliverables"),
        PaymentSplitFormSet(data, prefix="splits", schedule=schedule),
    )


def _show_service_errors(error: ValidationError, terms, deliverables) -> list[str]:
    """Put the service's errors next to their fields ("deliverables.0.due_date" on the
    first kept deliverable row); return the rest for the top of the form."""
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    rows = [f for f in deliverables.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
    other: list[str] = []
    for key, messages_ in error.message_dict.items():
        parts = key.split(".")
        if key in terms.fields:
            terms.add_error(key, messages_)
        elif (
            len(parts) == 3
            and parts[0] == "deliverables"
            and parts[1].isdecimal()
            and int(parts[1]) < len(rows)
            and parts[2] in rows[int(parts[1])].fields
        ):
            rows[int(parts[1])].add_error(parts[2], messages_)
        else:
            other += messages_
    return other


@require_http_methods(["GET", "POST"])
@workspace_required(role=Role.MEMBER)
def contract_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    contract = contract_for(request, pk)
    version = contract.current_version
    # A draft is edited in place; a sent, declined or expired one gets a new draft version.
    if not contract.is_editable or version is None:
        messages.error(
            request, f"A contract that is {contract.get_status_display().lower()} cannot be edited."
        )
        return redirect(contract)
    terms, deliverables, splits = _editor_forms(request, version)
    errors: list[str] = []
    saving = request.method == "POST" and not request.POST.get("add_row")
    if saving and all([terms.is_valid(), deliverables.is_valid(), splits.is_valid()]):
        try:
            saved = services.contract_update_draft(
                contract=contract,
                by=request.user,
                terms={**terms.cleaned_data, "payment_splits": splits.payment_splits()},
                deliverables=deliverables.deliverables(),
            )
        except ValidationError as error:
            errors = _show_service_errors(error, terms, deliverables)
        except services.ContractError as error:
            errors = [error.message]
        else:
            messages.success(request, f"Saved version {saved.number}.")
            return redirect(contract)
    context = {
        "contract": contract,
        "version": version,
        "terms": terms,
        "deliverables": deliverables,
        "splits": splits,
        "errors": errors,
    }
    status = 400 if saving else 200
    return TemplateResponse(request, "contracts/edit.html", context, status=status)


# --- The contract page -----------------------------------------------------------------------


def _display(field, value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    choices = dict(getattr(field, "choices", ()) or ())
    if isinstance(value, list):
        return ", ".join(str(choices.get(item, item)) for item in value)
    if isinstance(value, datetime.date):
        return terms.format_date(value)
    return str(choices.get(value, value))


def terms_summary(version: ContractVersion) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(fieldset legend, [(label, value in words)])], the editor's groups and labels."""
    form = ContractTermsForm()
    summary = []
    for legend, names in FIELDSETS:
        rows = []
        for name in names:
            if name == "payment_schedule":
                rows.append(("Payment", terms.payment_schedule_words(version)))
            else:
                rows.append((form[name].label, _display(form.fields[name], getattr(version, name))))
        summary.append((legend, rows))
    return summary


def _link_state(link: ContractLink, contract: Contract, now) -> str:
    if link.revoked_at:
        return "revoked"
    if link.version_id != contract.current_version_id:
        return "superseded"
    if link.expires_at <= now:
        return "expired"
    if link.last_opened_at:
        return "opened"
    return "not opened yet"


def contract_page(
    request: HtmxHttpRequest,
    contract: Contract,
    *,
    send_form: SendForm | None = None,
    cancel_form: CancelForm | None = None,
    status: int = 200,
) -> TemplateResponse:
    """The contract page; the action views render it again with their form's errors."""
    versions = list(
        ContractVersion.objects.filter(contract=contract)
        .select_related("decision", "approved_by")
        .prefetch_related(Prefetch("links", queryset=ContractLink.objects.order_by("-created_at")))
        .order_by("-number")
    )
    now = timezone.now()
    for version in versions:
        for link in version.links.all():
            link.state = _link_state(link, contract, now)
    current = next((v for v in versions if v.pk == contract.current_version_id), None)
    accepted = next((v for v in versions if v.pk == contract.accepted_version_id), None)
    is_open = contract.status in Contract.OPEN_STATUSES
    creator = contract.campaign_creator.creator
    can_manage = request.membership.has_role(Role.MANAGER)
    needs_approval = contract.status == Contract.Status.DRAFT and services.contract_needs_approval(
        contract
    )
    context = {
        "contract": contract,
        "creator": creator,
        "current": current,
        # What the manager reads is what gets approved: the form carries its hash.
        "approval_hash": terms.version_hash(current) if needs_approval and can_manage else "",
        "accepted": accepted,
        "deliverables": current.deliverables.all() if current else [],
        "summary": terms_summary(current) if current else [],
        "versions": versions,
        "editable": contract.is_editable,
        "is_open": is_open,
        "needs_approval": needs_approval,
        "can_manage": can_manage,
        "send_form": send_form or SendForm(initial={"to_email": creator.email}),
        "cancel_form": cancel_form or CancelForm(),
        "compare_form": CompareForm(
            initial={"a": versions[1].number if len(versions) > 1 else 1, "b": versions[0].number}
            if versions
            else None
        ),
    }
    return TemplateResponse(request, "contracts/detail.html", context, status=status)


@require_http_methods(["GET"])
@workspace_required
def contract_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return contract_page(request, contract_for(request, pk))


@require_http_methods(["GET"])
@workspace_required
def contract_compare(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    contract = contract_for(request, pk)
    versions = {v.number: v for v in ContractVersion.objects.filter(contract=contract)}
    numbers = sorted(versions)
    if not numbers:
        return redirect(contract)
    defaults = {"a": numbers[-2] if len(numbers) > 1 else numbers[0], "b": numbers[-1]}
    form = CompareForm(request.GET if "a" in request.GET else defaults)
    result = old = new = None
    if form.is_valid():
        old, new = versions.get(form.cleaned_data["a"]), versions.get(form.cleaned_data["b"])
        if old is None or new is None:
            form.add_error(None, f"This contract has versions {', '.join(map(str, numbers))}.")
        else:
            result = diff.version_diff(old, new)
    context = {
        "contract": contract,
        "form": form,
        "numbers": numbers,
        "old": old,
        "new": new,
        "diff": result,
    }
    return TemplateResponse(request, "contracts/compare.html", context)


@require_http_methods(["GET"])
@workspace_required
def contract_history(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    contract = contract_for(request, pk)
    context = {"contract": contract, "entries": history.contract_history(contract)}
    return TemplateResponse(request, "contracts/history.html", context)
