"""The contracts REST API: /api/v1/contracts/ (+ send, versions)."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from apps.contracts import acceptance, services
from apps.contracts.models import Contract, ContractLink, ContractSettings, ContractVersion
from tests.contracts.sent import draft_contract, sent_contract
from tests.factories import CampaignCreatorFactory, ContractFactory, ContractTemplateFactory

pytestmark = pytest.mark.django_db

CONTRACTS = reverse("contract-list")


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def owner_api(team):
    return _api(team.owner)


def _detail(contract, name="contract-detail", **kwargs):
    return reverse(name, kwargs={"pk": contract.pk, **kwargs})


def _row(team, **fields):
    return CampaignCreatorFactory(
        campaign__workspace=team.workspace, campaign__owner=team.owner, **fields
    )


# --- reading ----------------------------------------------------------------------


def test_it_lists_only_the_workspace_contracts(team, owner_api):
    mine = draft_contract(team)
    ContractFactory(campaign_creator__campaign__workspace=team.other_workspace)

    response = owner_api.get(CONTRACTS)

    assert response.status_code == 200
    assert [item["id"] for item in response.data["results"]] == [mine.pk]
    [item] = response.data["results"]
    assert item["creator_name"] == "Priya Raman"
    assert item["status"] == "draft"
    assert item["current_version"]["number"] == 1
    assert item["current_version"]["cash_amount"] == "1250.00"
    assert item["current_version"]["deliverables"][0]["format"] == "reel"


def test_contracts_filter_by_campaign_and_status(team, owner_api):
    draft = draft_contract(team, campaign_name="Draft one")
    sent = sent_contract(team, creator_name="John Carter", campaign_name="Sent one")

    by_status = owner_api.get(CONTRACTS, {"status": "sent"}).data["results"]
    by_campaign = owner_api.get(CONTRACTS, {"campaign": draft.campaign_id}).data["results"]

    assert [c["id"] for c in by_status] == [sent.contract.pk]
    assert [c["id"] for c in by_campaign] == [draft.pk]


def test_the_list_runs_a_fixed_number_of_queries(team, owner_api, django_assert_max_num_queries):
    for n in range(4):
        draft_contract(team, creator_name=f"Creator{n} Name")
    # membership, count, page (+ creator, versions, decision), deliverables
    with django_assert_max_num_queries(5):
        response = owner_api.get(CONTRACTS)
    assert response.data["count"] == 4


def test_outsider_gets_404(team):
    contract = draft_contract(team)
    api = _api(team.outsider)
    assert api.get(_detail(contract)).status_code == 404
    assert api.patch(_detail(contract), {"cash_amount": "1"}, format="json").status_code == 404
    assert api.post(_detail(contract, "contract-send")).status_code == 404
    assert api.get(_detail(contract, "contract-versions")).status_code == 404
    assert api.get(_detail(contract, "contract-version", number=1)).status_code == 404


def test_a_viewer_reads_but_cannot_write(team):
    contract = draft_contract(team)
    api = _api(team.viewer)
    assert api.get(_detail(contract)).status_code == 200
    assert api.patch(_detail(contract), {"cash_amount": "1"}, format="json").status_code == 403
    assert api.post(_detail(contract, "contract-send")).status_code == 403


# --- drafting ---------------------------------------------------------------------


def test_a_member_drafts_a_contract_from_a_template(team):
    row = _row(team, creator__name="Nina Cat")
    template = ContractTemplateFactory(
        workspace=team.workspace, default_terms={"disclosure_label": "#paidpartner"}
    )

    response = _api(team.teammate).post(
        CONTRACTS, {"campaign_creator": row.pk, "template": template.pk}, format="json"
    )

    assert response.status_code == 201, response.data
    contract = Contract.objects.get(pk=response.data["id"])
    assert contract.campaign_creator == row and contract.template == template
    assert response.data["current_version"]["disclosure_label"] == "#paidpartner"
    assert response.data["creator_name"] == "Nina Cat"


def test_ids_of_another_workspace_are_refused(team, owner_api):
    theirs = CampaignCreatorFactory(campaign__workspace=team.other_workspace)
    their_template = ContractTemplateFactory(workspace=team.other_workspace)
    mine = _row(team)

    bad_row = owner_api.post(CONTRACTS, {"campaign_creator": theirs.pk}, format="json")
    bad_template = owner_api.post(
        CONTRACTS, {"campaign_creator": mine.pk, "template": their_template.pk}, format="json"
    )

    assert bad_row.status_code == 400 and "campaign_creator" in bad_row.data
    assert bad_template.status_code == 400 and "template" in bad_template.data
    # The same answer as for an id that does not exist: nothing tells them apart.
    missing = owner_api.post(CONTRACTS, {"campaign_creator": 999_999}, format="json")
    assert missing.data["campaign_creator"][0].code == bad_row.data["campaign_creator"][0].code
    assert not Contract.objects.exists()


def test_a_second_open_contract_for_the_same_creator_is_a_409(team, owner_api):
    contract = draft_contract(team)

    response = owner_api.post(
        CONTRACTS, {"campaign_creator": contract.campaign_creator_id}, format="json"
    )

    assert response.status_code == 409
    assert "already has a contract" in response.data["detail"]


def test_patch_changes_the_draft_in_place(team, owner_api):
    contract = draft_contract(team)

    response = owner_api.patch(
        _detail(contract), {"cash_amount": "1500.00", "posting_frequency": "Weekly"}, format="json"
    )

    assert response.status_code == 200, response.data
    assert response.data["version"] == 1 and response.data["new_version"] is False
    version = ContractVersion.objects.get(pk=contract.current_version_id)
    assert str(version.cash_amount) == "1500.00"
    assert version.posting_frequency == "Weekly"
    assert version.currency == "EUR"  # untouched
    assert version.deliverables.count() == 1  # kept: not in the request


def test_put_replaces_the_terms_and_the_deliverables(team, owner_api):
    contract = draft_contract(team)
    due = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()

    response = owner_api.put(
        _detail(contract),
        {
            "currency": "GBP",
            "cash_amount": "300.00",
            "deliverables": [
                {"platform": "youtube", "format": "short", "quantity": 3, "due_date": due},
                {"platform": "tiktok", "format": "video"},
            ],
        },
        format="json",
    )

    assert response.status_code == 200, response.data
    version = ContractVersion.objects.get(pk=contract.current_version_id)
    assert version.currency == "GBP"
    assert version.usage_channels == []  # left out: back to the default
    assert [(d.platform, d.format, d.quantity) for d in version.deliverables.all()] == [
        ("youtube", "short", 3),
        ("tiktok", "video", 1),
    ]


def test_invalid_terms_are_400_with_the_field(team, owner_api):
    contract = draft_contract(team)
    start = datetime.date.today()

    ends_early = owner_api.patch(
        _detail(contract),
        {
            "start_date": start.isoformat(),
            "end_date": (start - datetime.timedelta(days=1)).isoformat(),
        },
        format="json",
    )
    bad_split = owner_api.patch(
        _detail(contract),
        {
            "payment_schedule": "split",
            "payment_splits": [{"percent": "50", "when": "On signing"}],
        },
        format="json",
    )
    negative = owner_api.patch(_detail(contract), {"cash_amount": "-5"}, format="json")
    bad_currency = owner_api.patch(_detail(contract), {"currency": "XXQ"}, format="json")

    assert ends_early.status_code == 400 and "end_date" in ends_early.data
    assert bad_split.status_code == 400 and "payment_splits" in bad_split.data
    assert negative.status_code == 400 and "cash_amount" in negative.data
    assert bad_currency.status_code == 400 and "currency" in bad_currency.data
    version = ContractVersion.objects.get(pk=contract.current_version_id)
    assert str(version.cash_amount) == "1250.00"


def test_editing_a_sent_contract_makes_a_new_version(team, owner_api):
    sent = sent_contract(team)
    frozen_hash = sent.version.content_hash

    response = owner_api.patch(_detail(sent.contract), {"cash_amount": "1400.00"}, format="json")

    assert response.status_code == 200, response.data
    assert response.data["version"] == 2 and response.data["new_version"] is True
    assert response.data["status"] == "draft"
    assert response.data["current_version"]["cash_amount"] == "1400.00"
    old = ContractVersion.objects.get(pk=sent.version.pk)
    assert str(old.cash_amount) == "1250.00" and old.content_hash == frozen_hash


def test_an_accepted_contract_cannot_be_edited(team, owner_api):
    sent = sent_contract(team)
    acceptance.contract_accept(
        token=sent.token,
        full_name="Priya Raman",
        acknowledged_disclosure=True,
        acknowledged_usage_rights=True,
        ip=None,
        user_agent="",
    )

    response = owner_api.patch(_detail(sent.contract), {"cash_amount": "1.00"}, format="json")

    assert response.status_code == 409
    assert "cannot be edited" in response.data["detail"]


# --- sending ----------------------------------------------------------------------


def test_sending_returns_the_link_but_never_its_token(team, owner_api):
    contract = draft_contract(team)

    response = owner_api.post(
        _detail(contract, "contract-send"), {"to_email": "priya@elsewhere.test"}, format="json"
    )

    assert response.status_code == 200, response.data
    link = ContractLink.objects.get(version__contract=contract)
    assert response.data["link"]["id"] == link.pk
    assert response.data["link"]["sent_to"] == "priya@elsewhere.test"
    assert response.data["link"]["expires_at"]
    assert response.data["contract"]["status"] == "sent"
    assert response.data["contract"]["current_version"]["content_hash"]
    body = response.content.decode()
    assert "token" not in body and link.token_hash not in body


def test_sending_twice_or_sending_an_accepted_contract_is_a_409(team, owner_api):
    sent = sent_contract(team)
    acceptance.contract_accept(
        token=sent.token,
        full_name="Priya Raman",
        acknowledged_disclosure=True,
        acknowledged_usage_rights=True,
        ip=None,
        user_agent="",
    )

    response = owner_api.post(_detail(sent.contract, "contract-send"))

    assert response.status_code == 409
    assert response.data["detail"] == "Only a draft can be sent."


def test_sending_a_contract_without_deliverables_is_a_400(team, owner_api):
    contract = draft_contract(team)
    services.contract_update_draft(contract=contract, by=team.owner, terms={}, deliverables=[])

    response = owner_api.post(_detail(contract, "contract-send"), {}, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"deliverables": ["Add at least one deliverable before sending."]}
    contract.refresh_from_db()
    assert contract.status == Contract.Status.DRAFT
    assert not ContractLink.objects.exists()


def test_a_contract_over_the_approval_threshold_is_a_409(team):
    settings_row = ContractSettings.for_workspace(team.workspace)
    settings_row.approval_threshold = 100
    settings_row.approval_currency = "EUR"
    settings_row.save()
    contract = draft_contract(team)

    response = _api(team.teammate).post(_detail(contract, "contract-send"))

    assert response.status_code == 409
    assert "approve" in response.data["detail"]
    assert not ContractLink.objects.exists()


# --- versions ---------------------------------------------------------------------


def test_versions_list_every_version_with_hash_and_decision(team, owner_api):
    sent = sent_contract(team)
    services.contract_update_draft(
        contract=sent.contract, by=team.owner, terms={"cash_amount": "1400.00"}
    )
    contract = Contract.objects.get(pk=sent.contract.pk)
    link, token = acceptance.contract_send(contract=contract, by=team.owner)
    acceptance.contract_accept(
        token=token,
        full_name="Priya Raman",
        acknowledged_disclosure=True,
        acknowledged_usage_rights=True,
        ip="203.0.113.9",
        user_agent="Phone",
    )

    response = owner_api.get(_detail(contract, "contract-versions"))

    assert response.status_code == 200
    v1, v2 = response.data
    assert (v1["number"], v1["cash_amount"], v1["decision"]) == (1, "1250.00", None)
    assert v1["frozen_at"] and v1["content_hash"] == sent.version.content_hash
    assert v2["number"] == 2 and v2["cash_amount"] == "1400.00"
    assert v2["decision"]["decision"] == "accepted"
    assert v2["decision"]["full_name"] == "Priya Raman"
    assert v2["decision"]["version_hash"] == v2["content_hash"]

    one = owner_api.get(_detail(contract, "contract-version", number=2))
    assert one.status_code == 200 and one.data["decision"]["ip_address"] == "203.0.113.9"
    assert one.data["deliverables"][0]["required_hashtags"] == ["#ad", "#AcmeSpring"]
    assert owner_api.get(_detail(contract, "contract-version", number=3)).status_code == 404


# --- schema -----------------------------------------------------------------------


def test_the_schema_has_the_contract_paths_and_generates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    for path in (
        "/api/v1/contracts/:",
        "/api/v1/contracts/{id}/:",
        "/api/v1/contracts/{id}/send/:",
        "/api/v1/contracts/{id}/versions/:",
        "/api/v1/contracts/{id}/versions/{number}/:",
    ):
        assert path in schema, path
    assert "never returned by the API" in schema
