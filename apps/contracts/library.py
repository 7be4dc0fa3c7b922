"""Writes of the clause library: contract templates, and the starting library.

The starting library (the standard clauses and a template using them) is seeded into the
demo workspace (`seed_demo_workspace`, a `demo_workspace_ready` receiver connected in
apps.py) and available to any workspace through `contract_library_seed`.
"""

from __future__ import annotations

from django.db import transaction

from . import terms as terms_module
from .models import Clause, ContractTemplate, TemplateClause
from .services import ContractError

__all__ = ["contract_library_seed", "contract_template_save", "seed_demo_workspace"]


@transaction.atomic
def contract_template_save(
    *,
    workspace,
    by,
    template: ContractTemplate | None = None,
    name: str,
    description: str,
    default_terms: dict,
    clauses: list[Clause],
) -> ContractTemplate:
    """Create a template (`template=None`) or change one: its defaults and its clauses, in
    the given order. Contracts already drafted from it keep their own text."""
    if template is not None and template.workspace_id != workspace.pk:
        raise ContractError("That template belongs to another workspace.")
    if any(clause.workspace_id != workspace.pk for clause in clauses):
        raise ContractError("A clause of another workspace cannot be used.")
    if template is None:
        template = ContractTemplate(workspace=workspace, created_by=by)
    template.name = name
    template.description = description
    template.default_terms = default_terms
    template.save()
    template.template_clauses.all().delete()
    TemplateClause.objects.bulk_create(
        TemplateClause(template=template, clause=clause, position=position)
        for position, clause in enumerate(clauses, start=1)
    )
    return template


@transaction.atomic
def contract_library_seed(*, workspace, by=None) -> ContractTemplate:
    """The standard clauses and a "Standard creator agreement" template (idempotent)."""
    template, created = ContractTemplate.objects.get_or_create(
        workspace=workspace,
        name="Standard creator agreement",
        defaults={
            "description": "Every section of the checklist, one clause each.",
            "default_terms": {"disclosure_label": "#ad", "reporting_schedule": "weekly"},
            "created_by": by,
        },
    )
    if created:
        for position, text in enumerate(terms_module.STANDARD_CLAUSES):
            clause = Clause.objects.create(
                workspace=workspace,
                title=text.title,
                category=text.category,
                body=text.body,
                created_by=by,
            )
            TemplateClause.objects.create(template=template, clause=clause, position=position)
    return template


def seed_demo_workspace(sender, *, workspace, **kwargs) -> None:
    """demo_workspace_ready receiver (connected in apps.py)."""
    contract_library_seed(workspace=workspace)
