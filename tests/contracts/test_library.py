"""The clause library's writes: saving a contract template, and the starting library."""

import pytest

from apps.contracts import library, services
from apps.contracts.models import Clause, ContractTemplate
from tests.factories import ClauseFactory, ContractTemplateFactory

from .test_services_support import card_for

pytestmark = pytest.mark.django_db


def test_saving_a_template_keeps_the_clauses_in_the_given_order(team):
    first = ClauseFactory(workspace=team.workspace, title="Usage", body="Usage rights.")
    second = ClauseFactory(workspace=team.workspace, title="Payment", body="We pay.")
    template = library.contract_template_save(
        workspace=team.workspace,
        by=team.owner,
        name="Short deal",
        description="Two clauses",
        default_terms={"disclosure_label": "#ad"},
        clauses=[second, first],
    )
    assert template.created_by == team.owner
    rows = template.template_clauses.order_by("position")
    assert [(tc.clause.title, tc.position) for tc in rows] == [("Payment", 1), ("Usage", 2)]

    library.contract_template_save(
        workspace=team.workspace,
        by=team.teammate,
        template=template,
        name="Short deal",
        description="One clause",
        default_terms={},
        clauses=[first],
    )
    template.refresh_from_db()
    assert template.description == "One clause" and template.default_terms == {}
    assert [tc.clause for tc in template.template_clauses.all()] == [first]
    assert template.created_by == team.owner  # the author stays


def test_a_template_cannot_use_another_workspaces_clause(team):
    foreign = ClauseFactory(workspace=team.other_workspace)
    with pytest.raises(services.ContractError, match="another workspace"):
        library.contract_template_save(
            workspace=team.workspace,
            by=team.owner,
            name="Sneaky",
            description="",
            default_terms={},
            clauses=[foreign],
        )
    other_template = ContractTemplateFactory(workspace=team.other_workspace)
    with pytest.raises(services.ContractError, match="another workspace"):
        library.contract_template_save(
            workspace=team.workspace,
            by=team.owner,
            template=other_template,
            name="Sneaky",
            description="",
            default_terms={},
            clauses=[],
        )
    assert not ContractTemplate.objects.for_workspace(team.workspace).exists()


def test_the_demo_seed_adds_a_standard_template_once(team):
    # The receiver itself (sending the signal would also seed the demo's creators).
    library.seed_demo_workspace(sender=None, workspace=team.workspace, seed=42)
    library.seed_demo_workspace(sender=None, workspace=team.workspace, seed=42)
    [template] = ContractTemplate.objects.for_workspace(team.workspace).filter(
        name="Standard creator agreement"
    )
    assert template.template_clauses.count() == 10
    assert Clause.objects.for_workspace(team.workspace).count() == 10
    contract = services.contract_create(
        campaign_creator=card_for(team), by=team.owner, template=template
    )
    assert contract.current_version.body.startswith("1. Parties and purpose\n")
