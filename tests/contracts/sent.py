"""A contract drafted, filled in and sent through the services: what the creator's link,
the document and the API tests start from (no factories for the lifecycle)."""

import datetime
from dataclasses import dataclass

from apps.contracts import acceptance, services
from apps.contracts.models import Contract, ContractLink
from tests.factories import CampaignCreatorFactory, ContractTemplateFactory, TemplateClauseFactory

CLAUSE_SENTENCE = "The creator keeps the raw footage and deletes nothing for ninety days."


@dataclass
class Sent:
    contract: Contract
    link: ContractLink
    token: str

    @property
    def version(self):
        return self.link.version


def draft_contract(team, *, creator_name="Priya Raman", campaign_name="Spring launch", **terms):
    row = CampaignCreatorFactory(
        campaign__workspace=team.workspace,
        campaign__owner=team.owner,
        campaign__name=campaign_name,
        campaign__brand="Acme Shoes",
        campaign__platforms=["instagram"],
        creator__name=creator_name,
        creator__email=f"{creator_name.split()[0].lower()}@creator.test",
    )
    template = ContractTemplateFactory(workspace=team.workspace, name="Standard deal")
    TemplateClauseFactory(
        template=template,
        clause__title="Footage",
        clause__category="other",
        clause__body=CLAUSE_SENTENCE,
    )
    contract = services.contract_create(campaign_creator=row, by=team.owner, template=template)
    today = datetime.date.today()
    values = {
        "currency": "EUR",
        "cash_amount": "1250.00",
        "disclosure_label": "#ad",
        "usage_channels": ["organic_social", "paid_ads"],
        "usage_duration_days": 90,
        "start_date": today,
        "end_date": today + datetime.timedelta(days=30),
        **terms,
    }
    deliverables = [
        {
            "platform": "instagram",
            "format": "reel",
            "quantity": 2,
            "due_date": today + datetime.timedelta(days=14),
            "required_hashtags": ["#ad", "#AcmeSpring"],
        }
    ]
    services.contract_update_draft(
        contract=contract, by=team.owner, terms=values, deliverables=deliverables
    )
    contract.refresh_from_db()
    return contract


def sent_contract(team, **kwargs) -> Sent:
    contract = draft_contract(team, **kwargs)
    link, token = acceptance.contract_send(contract=contract, by=team.owner)
    contract.refresh_from_db()
    return Sent(contract=contract, link=link, token=token)
