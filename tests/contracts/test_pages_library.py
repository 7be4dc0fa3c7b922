"""The clause library, contract templates and the contract settings pages."""

from decimal import Decimal

from django.urls import reverse

from apps.accounts.models import Role
from apps.contracts import services
from apps.contracts.models import Clause, ContractSettings, ContractTemplate
from apps.contracts.terms import MERGE_FIELDS
from apps.contracts.views.clauses import EXAMPLE_VALUES
from tests.conftest import add_member
from tests.factories import (
    CampaignCreatorFactory,
    ClauseFactory,
    ContractTemplateFactory,
    TemplateClauseFactory,
    UserFactory,
)

CLAUSES = reverse("clause_list")
NEW_CLAUSE = reverse("clause_create")
TEMPLATES = reverse("contract_template_list")
NEW_TEMPLATE = reverse("contract_template_create")
SETTINGS = reverse("contract_settings")


# --- Clauses -------------------------------------------------------------------------------


def test_the_library_lists_our_clauses_only(team):
    ClauseFactory(workspace=team.workspace, title="Usage rights, 90 days")
    ClauseFactory(workspace=team.other_workspace, title="Rival clause")
    page = team.client_for(team.teammate).get(CLAUSES).content.decode()
    assert "Usage rights, 90 days" in page and "Rival clause" not in page


def test_the_empty_library_invites_a_first_clause(owner_client):
    page = owner_client.get(CLAUSES).content.decode()
    assert "No clauses yet." in page and NEW_CLAUSE in page


def test_a_teammate_writes_a_clause_with_merge_fields(team):
    client = team.client_for(team.teammate)
    page = client.get(NEW_CLAUSE).content.decode()
    assert "{{ contract.cash_amount }}" in page  # the merge field help
    response = client.post(
        NEW_CLAUSE,
        {"title": "Fee", "category": "compensation", "body": "We pay {{ contract.compensation }}."},
    )
    assert response["Location"] == CLAUSES
    clause = Clause.objects.get(title="Fee")
    assert clause.workspace == team.workspace and clause.created_by == team.teammate


def test_an_unknown_merge_field_is_refused_and_the_text_kept(owner_client):
    response = owner_client.post(
        NEW_CLAUSE, {"title": "Fee", "category": "compensation", "body": "Pay {{ contract.fee }}."}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Line 1, column" in page and "Pay {{ contract.fee }}." in page
    assert not Clause.objects.exists()


def test_the_preview_fills_in_an_example_deal(owner_client):
    response = owner_client.post(
        reverse("clause_preview"),
        {"body": "{{ creator.name }} gets {{ contract.cash_amount }} {{ contract.currency }}."},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="clause-preview"')
    assert "Jane Doe gets 1,500.00 EUR." in page


def test_every_merge_field_has_an_example_value():
    assert set(EXAMPLE_VALUES) == set(MERGE_FIELDS)


def test_editing_a_clause_of_another_workspace_is_404(team, outsider_client, viewer_client):
    clause = ClauseFactory(workspace=team.workspace, title="Ours")
    edit = reverse("clause_edit", args=[clause.pk])
    assert outsider_client.get(edit).status_code == 404
    assert (
        outsider_client.post(
            edit, {"title": "Stolen", "category": "other", "body": "x"}
        ).status_code
        == 404
    )
    assert (
        viewer_client.post(edit, {"title": "Viewer", "category": "other", "body": "x"}).status_code
        == 403
    )
    clause.refresh_from_db()
    assert clause.title == "Ours"


def test_a_clause_is_edited(team, owner_client):
    clause = ClauseFactory(workspace=team.workspace, title="Old")
    owner_client.post(
        reverse("clause_edit", args=[clause.pk]),
        {"title": "New", "category": "other", "body": "Plain text."},
    )
    clause.refresh_from_db()
    assert (clause.title, clause.body) == ("New", "Plain text.")


# --- Templates -----------------------------------------------------------------------------


def template_data(clauses_with_order: dict, **extra) -> dict:
    data = {"name": "Micro deal", "description": "For micro creators", **extra}
    for clause, position in clauses_with_order.items():
        data[f"clause_{clause.pk}"] = "on"
        data[f"position_{clause.pk}"] = str(position)
    return data


def test_a_template_gets_ordered_clauses_and_default_terms(team):
    pay = ClauseFactory(workspace=team.workspace, title="Pay")
    rights = ClauseFactory(workspace=team.workspace, title="Rights")
    ClauseFactory(workspace=team.workspace, title="Unused")
    client = team.client_for(team.teammate)
    assert "Rights" in client.get(NEW_TEMPLATE).content.decode()

    response = client.post(
        NEW_TEMPLATE,
        template_data(
            {pay: 2, rights: 1},
            default_currency="eur",
            default_cash_amount="750",
            default_payment_schedule="upfront",
            default_usage_channels=["website", "email"],
            default_approval_required="on",
        ),
    )

    assert response["Location"] == TEMPLATES
    template = ContractTemplate.objects.get(name="Micro deal")
    assert [tc.clause.title for tc in template.template_clauses.all()] == ["Rights", "Pay"]
    assert template.default_terms["currency"] == "EUR"
    assert template.default_terms["cash_amount"] == "750"
    assert template.default_terms["payment_schedule"] == "upfront"
    assert template.default_terms["usage_channels"] == ["website", "email"]
    assert template.default_terms["approval_required"] is True
    page = client.get(TEMPLATES).content.decode()
    assert "Rights · Pay" in page


def test_a_contract_started_from_the_template_uses_its_defaults(team, owner_client):
    clause = ClauseFactory(
        workspace=team.workspace, title="Rights", body="Rights: {{ contract.usage_rights }}"
    )
    owner_client.post(
        NEW_TEMPLATE,
        template_data(
            {clause: 1}, default_usage_channels=["website"], default_usage_duration_days="30"
        ),
    )
    template = ContractTemplate.objects.get()
    row = CampaignCreatorFactory(campaign__workspace=team.workspace, campaign__owner=team.owner)
    contract = services.contract_create(campaign_creator=row, by=team.owner, template=template)
    version = contract.current_version
    assert version.usage_channels == ["website"] and version.usage_duration_days == 30
    assert "Rights: The brand may use the content on Website for 30 days." in version.body


def test_editing_a_template_keeps_its_choices_and_reorders(team, owner_client):
    template = ContractTemplateFactory(
        workspace=team.workspace, name="Std", default_terms={"disclosure_label": "#ad"}
    )
    first = TemplateClauseFactory(template=template, clause__title="First", position=1).clause
    second = TemplateClauseFactory(template=template, clause__title="Second", position=2).clause
    edit = reverse("contract_template_edit", args=[template.pk])
    page = owner_client.get(edit).content.decode()
    assert 'value="Std"' in page and 'value="#ad"' in page
    owner_client.post(edit, template_data({first: 5, second: 1}, name="Std"))
    assert [tc.clause for tc in template.template_clauses.all()] == [second, first]


def test_a_template_with_a_bad_currency_keeps_the_typed_values(team, owner_client):
    clause = ClauseFactory(workspace=team.workspace, title="Pay")
    response = owner_client.post(NEW_TEMPLATE, template_data({clause: 3}, default_currency="EURO"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="EURO"' in page and 'value="Micro deal"' in page
    assert not ContractTemplate.objects.exists()


def test_templates_are_404_for_an_outsider_and_read_only_for_a_viewer(
    team, outsider_client, viewer_client
):
    template = ContractTemplateFactory(workspace=team.workspace, name="Ours")
    edit = reverse("contract_template_edit", args=[template.pk])
    assert outsider_client.get(edit).status_code == 404
    assert "Ours" not in outsider_client.get(TEMPLATES).content.decode()
    assert viewer_client.post(edit, {"name": "Viewer"}).status_code == 403
    assert viewer_client.post(NEW_TEMPLATE, {"name": "Viewer"}).status_code == 403
    assert "Ours" in viewer_client.get(TEMPLATES).content.decode()


# --- Settings ------------------------------------------------------------------------------


def test_a_manager_changes_the_approval_threshold(team):
    manager = UserFactory()
    add_member(team.workspace, manager, Role.MANAGER)
    client = team.client_for(manager)
    response = client.post(
        SETTINGS, {"approval_threshold": "2500", "approval_currency": "gbp", "link_valid_days": "7"}
    )
    assert response["Location"] == SETTINGS
    row = ContractSettings.for_workspace(team.workspace)
    assert (row.approval_threshold, row.approval_currency, row.link_valid_days) == (
        Decimal("2500.00"),
        "GBP",
        7,
    )


def test_a_member_sees_the_settings_but_cannot_change_them(team):
    client = team.client_for(team.teammate)
    page = client.get(SETTINGS).content.decode()
    assert "Only a manager or the owner can change these settings." in page
    assert "Save settings" not in page
    response = client.post(
        SETTINGS, {"approval_threshold": "1", "approval_currency": "USD", "link_valid_days": "3"}
    )
    assert response.status_code == 403
    assert ContractSettings.for_workspace(team.workspace).approval_threshold is None


def test_settings_errors_keep_the_typed_values(owner_client, team):
    response = owner_client.post(
        SETTINGS, {"approval_threshold": "-1", "approval_currency": "USD", "link_valid_days": "0"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="-1"' in page and "greater than or equal to 0" in page
    assert "greater than or equal to 1" in page


def test_settings_are_per_workspace(team, owner_client, outsider_client):
    owner_client.post(
        SETTINGS, {"approval_threshold": "900", "approval_currency": "USD", "link_valid_days": "14"}
    )
    page = outsider_client.get(SETTINGS).content.decode()
    assert 'value="900' not in page
    assert ContractSettings.for_workspace(team.other_workspace).approval_threshold is None


def test_a_viewer_reads_the_library_but_cannot_write_to_it(team, viewer_client):
    ClauseFactory(workspace=team.workspace, title="Ours")
    page = viewer_client.get(CLAUSES).content.decode()
    assert "Ours" in page and NEW_CLAUSE not in page
    data = {"title": "Viewer", "category": "other", "body": "x"}
    assert viewer_client.post(NEW_CLAUSE, data).status_code == 403
    assert viewer_client.post(reverse("clause_preview"), {"body": "x"}).status_code == 403
    assert not Clause.objects.filter(title="Viewer").exists()


def test_the_library_pages_cost_a_fixed_number_of_queries(
    team, owner_client, django_assert_max_num_queries
):
    for n in range(4):
        template = ContractTemplateFactory(workspace=team.workspace, name=f"Deal {n}")
        for position in range(3):
            TemplateClauseFactory(
                template=template,
                clause__workspace=team.workspace,
                clause__title=f"Clause {n}.{position}",
                position=position,
            )
    with django_assert_max_num_queries(7):  # 4 templates, 12 clauses: no query per row
        templates_page = owner_client.get(TEMPLATES).content.decode()
    with django_assert_max_num_queries(5):
        clauses_page = owner_client.get(CLAUSES).content.decode()
    assert "Deal 3" in templates_page and "Clause 3.2" in templates_page
    assert "Clause 0.0" in clauses_page and "Clause 3.2" in clauses_page
