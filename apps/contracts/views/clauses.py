"""The workspace's contract building blocks: the clause library, contract templates, and the
contract settings (approval threshold, link validity)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from apps.accounts.models import Role
from apps.accounts.scoping import HtmxHttpRequest, workspace_required

from .. import library, services, terms
from ..forms import ClauseForm, ContractSettingsForm, ContractTemplateForm
from ..models import Clause, ContractSettings, ContractTemplate

# --- Clause library --------------------------------------------------------------------------


@require_http_methods(["GET"])
@workspace_required
def clause_list(request: HtmxHttpRequest) -> HttpResponse:
    clauses = Clause.objects.for_workspace(request.workspace).select_related("created_by")
    return TemplateResponse(request, "contracts/clauses.html", {"clauses": clauses})


# What the clause editor's preview fills in: a made-up deal, so any clause reads naturally.
EXAMPLE_VALUES = {
    "creator.name": "Jane Doe",
    "creator.handle": "@janedoe",
    "campaign.name": "Spring launch",
    "campaign.brand": "Acme Skincare",
    "campaign.product": "Glow Serum",
    "workspace.name": "Acme Brand",
    "contract.title": "Jane Doe × Spring launch",
    "contract.objectives": "Awareness for the new serum among skincare fans",
    "contract.cash_amount": "1,500.00",
    "contract.currency": "EUR",
    "contract.compensation": "1,500.00 EUR in cash and Glow Serum 50 ml (worth 45.00 EUR)",
    "contract.product_description": "Glow Serum 50 ml",
    "contract.product_value": "45.00 EUR",
    "contract.payment_schedule": "50% on signing; 50% after the last post",
    "contract.commission": "none",
    "contract.promo_code_bonus": "none",
    "contract.start_date": "1 March 2026",
    "contract.end_date": "31 March 2026",
    "contract.posting_frequency": "one post a week",
    "contract.disclosure_label": "#ad",
    "contract.disclosure_placement": "In the first line of the caption",
    "contract.usage_rights": "The brand may use the content on Brand's organic social for 90 days.",
    "contract.exclusivity": "No exclusivity.",
    "contract.approval": "Content is approved by the brand before posting.",
    "contract.cancellation_terms": "Either party may cancel with 7 days' notice.",
    "contract.deliverables": "- 1 × Instagram Reel, due 15 March 2026, with #ad @acme",
    "contract.reporting": "The creator reports views and reach, weekly.",
}


def clause_preview_text(body: str) -> tuple[str, list[str]]:
    """(text, errors): the clause with example terms filled in, for the editor's preview."""
    if errors := terms.validate_clause(body):
        return "", [f"Line {e.line}, column {e.column}: {e.message}" for e in errors]
    return terms.render_clause(body, EXAMPLE_VALUES), []


def _clause_form(request: HtmxHttpRequest, clause: Clause | None) -> HttpResponse:
    form = ClauseForm(request.POST or None, instance=clause)
    if request.method == "POST" and form.is_valid():
        clause = form.save(commit=False)
        if clause.pk is None:
            clause.workspace = request.workspace
            clause.created_by = request.user
        clause.save()
        messages.success(request, f"Saved clause “{clause.title}”.")
        return redirect("clause_list")
    preview, preview_errors = clause_preview_text(form["body"].value() or "")
    context = {
        "form": form,
        "clause": clause,
        "merge_fields": terms.MERGE_FIELDS.items(),
        "preview": preview,
        "preview_errors": preview_errors,
    }
    return TemplateResponse(request, "contracts/clause_form.html", context)


@require_http_methods(["GET", "POST"])
@workspace_required(role=Role.MEMBER)
def clause_create(request: HtmxHttpRequest) -> HttpResponse:
    return _clause_form(request, None)


@require_http_methods(["GET", "POST"])
@workspace_required(role=Role.MEMBER)
def clause_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    clause = get_object_or_404(Clause.objects.for_workspace(request.workspace), pk=pk)
    return _clause_form(request, clause)


@require_http_methods(["POST"])
@workspace_required(role=Role.MEMBER)
def clause_preview(request: HtmxHttpRequest) -> HttpResponse:
    """The clause editor's live preview (htmx posts the form here as the body changes)."""
    preview, preview_errors = clause_preview_text(request.POST.get("body", ""))
    return TemplateResponse(
        request,
        "contracts/clause_form.html#preview",
        {"preview": preview, "preview_errors": preview_errors},
    )


# --- Contract templates ----------------------------------------------------------------------


@require_http_methods(["GET"])
@workspace_required
def contract_template_list(request: HtmxHttpRequest) -> HttpResponse:
    templates = ContractTemplate.objects.for_workspace(request.workspace).prefetch_related(
        "template_clauses__clause"
    )
    return TemplateResponse(request, "contracts/templates.html", {"templates": templates})


def _template_form(request: HtmxHttpRequest, template: ContractTemplate | None) -> HttpResponse:
    form = ContractTemplateForm(
        request.POST or None, workspace=request.workspace, template=template
    )
    if request.method == "POST" and form.is_valid():
        try:
            template = library.contract_template_save(
                workspace=request.workspace,
                by=request.user,
                template=template,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                default_terms=form.default_terms(),
                clauses=[clause for clause, _position in form.chosen_clauses()],
            )
        except services.ContractError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Saved contract template “{template.name}”.")
            return redirect("contract_template_list")
    return TemplateResponse(
        request, "contracts/template_form.html", {"form": form, "template": template}
    )


@require_http_methods(["GET", "POST"])
@workspace_required(role=Role.MEMBER)
def contract_template_create(request: HtmxHttpRequest) -> HttpResponse:
    return _template_form(request, None)


@require_http_methods(["GET", "POST"])
@workspace_required(role=Role.MEMBER)
def contract_template_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(
        ContractTemplate.objects.for_workspace(request.workspace).prefetch_related(
            "template_clauses"
        ),
        pk=pk,
    )
    return _template_form(request, template)


# --- Settings --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@workspace_required(write_role=Role.MANAGER)
def contract_settings(request: HtmxHttpRequest) -> HttpResponse:
    settings = ContractSettings.for_workspace(request.workspace)
    form = ContractSettingsForm(request.POST or None, instance=settings)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Saved the contract settings.")
        return redirect("contract_settings")
    can_change = request.membership.has_role(Role.MANAGER)
    if not can_change:
        for field in form.fields.values():
            field.disabled = True
    return TemplateResponse(
        request, "contracts/settings.html", {"form": form, "can_change": can_change}
    )
