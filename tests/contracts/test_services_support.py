"""Helpers shared by the contracts service tests (no tests here).

Contracts are built through the services (contract_create and friends), not the
factories, so every test starts from a state the app itself can reach.
"""

import datetime
from decimal import Decimal

from apps.campaigns import pipeline
from apps.contracts import acceptance, services
from apps.contracts.models import Contract, ContractSettings
from tests.factories import (
    CampaignCreatorFactory,
    CampaignFactory,
    ClauseFactory,
    ContractTemplateFactory,
    CreatorFactory,
    TemplateClauseFactory,
)

START = datetime.date(2026, 3, 1)
END = datetime.date(2026, 3, 31)


def campaign_for(team, **fields):
    fields.setdefault("name", "Spring Glow")
    fields.setdefault("brand", "Lumen Skincare")
    fields.setdefault("currency", "EUR")
    fields.setdefault("start_date", START)
    fields.setdefault("end_date", END)
    fields.setdefault("platforms", ["instagram", "tiktok"])
    return CampaignFactory(workspace=team.workspace, owner=team.owner, **fields)


def card_for(team, campaign=None, *, stage=pipeline.NEGOTIATING, name="Jane Doe", **fields):
    campaign = campaign or campaign_for(team)
    creator = CreatorFactory(workspace=team.workspace, name=name, email="jane@creator.test")
    return CampaignCreatorFactory(
        campaign=campaign, creator=creator, stage=stage, currency=campaign.currency, **fields
    )


def template_for(team, *bodies, default_terms=None):
    template = ContractTemplateFactory(
        workspace=team.workspace, default_terms=default_terms or {"disclosure_label": "#ad"}
    )
    for position, (title, body) in enumerate(bodies):
        clause = ClauseFactory(workspace=team.workspace, title=title, body=body)
        TemplateClauseFactory(template=template, clause=clause, position=position)
    return template


def draft_for(team, *, card=None, template=None, **terms) -> Contract:
    card = card or card_for(team)
    contract = services.contract_create(campaign_creator=card, by=team.owner, template=template)
    if terms:
        services.contract_update_draft(contract=contract, by=team.owner, terms=terms)
    contract.refresh_from_db()
    return contract


def sent_for(team, **terms) -> tuple[Contract, str]:
    contract = draft_for(team, cash_amount=Decimal("500"), **terms)
    _link, token = acceptance.contract_send(contract=contract, by=team.owner)
    contract.refresh_from_db()
    return contract, token


def accept(token, name="Jane Doe", ip="203.0.113.7"):
    return acceptance.contract_accept(
        token=token,
        full_name=name,
        acknowledged_disclosure=True,
        acknowledged_usage_rights=True,
        ip=ip,
        user_agent="Mozilla/5.0 (test)",
    )


def set_threshold(team, amount, currency="EUR", link_valid_days=14):
    settings_row = ContractSettings.for_workspace(team.workspace)
    settings_row.approval_threshold = Decimal(amount) if amount is not None else None
    settings_row.approval_currency = currency
    settings_row.link_valid_days = link_valid_days
    settings_row.save()
    return settings_row
