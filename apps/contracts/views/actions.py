"""The contract page's lifecycle buttons: send, approve, revoke a link, activate, complete, cancel.

Each posts here, calls one service and returns to the contract page; a refusal (wrong
state, approval missing) comes back as a message, a form error re-renders the page.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods

from apps.accounts.models import Role
from apps.accounts.scoping import HtmxHttpRequest, workspace_required

from .. import acceptance, services
from ..forms import CancelForm, SendForm
from ..models import ContractLink
from .contracts import contract_for, contract_page


@require_http_methods(["POST"])
@workspace_required
def contract_send(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    contract = contract_for(request, pk)
    form = SendForm(request.POST)
    if not form.is_valid():
        return contract_page(request, contract, send_form=form, status=400)
    try:
        link, _token = acceptance.contract_send(
            contract=contract, by=request.user, to_email=form.cleaned_data["to_email"]
        )
    except services.ContractError as error:
        refusal, status = error.message, 409
    except ValidationError as error:  # e.g. no deliverables yet
        refusal, status = " ".join(error.messages), 400
    else:
        messages.success(request, f"Sent to {link.sent_to}.")
        return redirect(contract)
    # Nothing was sent: say why on the contract page, keeping the address as typed.
    messages.error(request, refusal)
    return contract_page(request, contract_for(request, pk), send_form=form, status=status)


@require_http_methods(["POST"])
@workspace_required(write_role=Role.MANAGER)
def contract_approve(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    contract = contract_for(request, pk)
    try:
        version = services.contract_approve(
            contract=contract, by=request.user, seen_hash=request.POST.get("seen_hash")
        )
    except services.ContractError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Approved version {version.number}: it can be sent.")
    return redirect(contract)


@require_http_methods(["POST"])
@workspace_required
def contract_link_revoke(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(
        ContractLink.objects.for_workspace(request.workspace).select_related("version"), pk=pk
    )
    try:
        acceptance.contract_link_revoke(link=link, by=request.user)
    except services.ContractError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"The link sent to {link.sent_to} no longer works.")
    return redirect("contract_detail", link.version.contract_id)


def _transition(request: HtmxHttpRequest, pk: int, service, done: str) -> HttpResponse:
    contract = contract_for(request, pk)
    try:
        service(contract=contract, by=request.user)
    except services.ContractError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect(contract)


@require_http_methods(["POST"])
@workspace_required
def contract_activate(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, services.contract_activate, "The contract is active.")


@require_http_methods(["POST"])
@workspace_required
def contract_complete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, services.contract_complete, "The contract is completed.")


@require_http_methods(["POST"])
@workspace_required
def contract_cancel(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    contract = contract_for(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return contract_page(request, contract, cancel_form=form, status=400)
    try:
        services.contract_cancel(
            contract=contract, by=request.user, reason=form.cleaned_data["reason"]
        )
    except services.ContractError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The contract is cancelled.")
    return redirect(contract)
