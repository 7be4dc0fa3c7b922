"""One workspace with something in every page of the journey, for the XSS and accessibility
checks in the browser. Every user-editable text goes through `text(label, limit)`: the XSS
test passes a function that wraps the label in a payload, the accessibility test one that
returns plain words. Built straight from factories and models: these tests are about
rendering, the services have their own tests.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from apps.accounts.models import Membership, Role
from apps.campaigns.models import StageChange
from apps.contracts.models import (
    Contract,
    ContractDecision,
    ContractLink,
    ContractVersion,
)
from apps.contracts.terms import version_hash
from apps.creators import services as creator_services
from apps.creators.models import CreatorFlag, CreatorNote, SavedSearch
from apps.reporting import share
from apps.reporting.models import ReportSchedule
from tests.factories import (
    CampaignCreatorFactory,
    CampaignFactory,
    ClauseFactory,
    ContractFactory,
    ContractTemplateFactory,
    ConversionFactory,
    DeliverableFactory,
    DeliverablePostFactory,
    MembershipFactory,
    MessageTemplateFactory,
    NicheFactory,
    OutreachMessageFactory,
    PromoCodeFactory,
    SocialAccountFactory,
    TemplateClauseFactory,
    TrackedLinkFactory,
    UserFactory,
)

Text = Callable[[str, int], str]


@dataclass
class World:
    owner: object
    workspace: object
    campaign: object
    creator: object  # the creator with the active contract
    rows: list  # campaign creators: [active contract, sent contract, declined, prospect]
    message_template: object
    contract_template: object
    active: object  # the accepted, active contract
    sent: object  # a contract sent and waiting: its link token is `acceptance_token`
    declined: object
    draft: object  # a draft, for the contract editor
    acceptance_token: str
    share_token: str
    deliverable: object
    texts: dict[str, str] = field(default_factory=dict)  # label -> the text stored


def _link(version: ContractVersion, *, by) -> tuple[ContractLink, str]:
    token = f"world-{version.pk}-token-abcdefghijklmnopqrstuvwxyz"
    link = ContractLink.objects.create(
        version=version,
        token_hash=ContractLink.hash_token(token),
        sent_to="creator@mail.test",
        created_by=by,
        expires_at=timezone.now() + dt.timedelta(days=14),
    )
    return link, token


def _freeze(contract: Contract, status: str) -> ContractVersion:
    version = ContractVersion.objects.get(pk=contract.current_version_id)
    # The real hash: accepting checks that the version still matches it.
    ContractVersion.objects.filter(pk=version.pk).update(
        frozen_at=timezone.now(), content_hash=version_hash(version)
    )
    version.refresh_from_db()
    Contract.objects.filter(pk=contract.pk).update(status=status, sent_at=timezone.now())
    contract.refresh_from_db()
    return version


def build_world(text: Text) -> World:  # noqa: PLR0915 -- one long, flat recipe
    texts: dict[str, str] = {}

    def t(label: str, limit: int = 200) -> str:
        value = text(label, limit)
        assert len(value) <= limit, (label, len(value))
        texts[label] = value
        return value

    owner = UserFactory(email="owner@acme.test", full_name=t("Uowner", 150))
    teammate = UserFactory(email="mate@acme.test", full_name=t("Umate", 150))
    membership = MembershipFactory(user=owner, role=Role.OWNER, workspace__name=t("Wname", 120))
    workspace = membership.workspace
    Membership.objects.create(user=teammate, workspace=workspace, role=Role.MEMBER)

    niche_a = NicheFactory(workspace=workspace, name=t("N1", 50), slug="niche-one")
    niche_b = NicheFactory(workspace=workspace, name=t("N2", 50), slug="niche-two")
    SavedSearch.objects.create(
        workspace=workspace, name=t("Ssearch", 100), query_string="tier=micro", created_by=owner
    )

    accounts = []
    for i, (platform, followers) in enumerate(
        (("instagram", 20_000), ("tiktok", 55_000), ("youtube", 80_000), ("instagram", 30_000))
    ):
        account = SocialAccountFactory(
            creator__workspace=workspace,
            creator__name=t(f"Cname{i}", 200),
            creator__notes=t(f"Cnotes{i}", 2000),
            platform=platform,
            handle=f"creator_{i}",
            display_name=t(f"Adisp{i}", 200),
            bio=t(f"Abio{i}", 2000),
            followers=followers,
            engagement_rate=0.04,
            engagement_sample=12,
            niche_ids=[niche_a.pk, niche_b.pk],
        )
        accounts.append(account)
    creator_services.accounts_update_search(account_ids=[a.pk for a in accounts])
    first = accounts[0].creator
    CreatorFlag.objects.create(
        workspace=workspace, creator=first, kind="tone", note=t("Fnote", 500), created_by=owner
    )
    CreatorNote.objects.create(
        workspace=workspace, creator=first, body=t("Cteamnote", 2000), author=owner
    )

    campaign = CampaignFactory(
        workspace=workspace,
        owner=owner,
        name=t("Kname", 200),
        brand=t("Kbrand", 200),
        product=t("Kproduct", 200),
        keywords=[t("Kkw", 100)],
        platforms=["instagram"],
        status="active",
        start_date=dt.date.today() - dt.timedelta(days=20),
        end_date=dt.date.today() + dt.timedelta(days=20),
    )
    stages = ("contracted", "negotiating", "declined", "prospect")
    rows = [
        CampaignCreatorFactory(
            campaign=campaign,
            creator=account.creator,
            stage=stage,
            planned_fee=Decimal("400"),
            reason=t(f"Rreason{i}", 2000) if stage == "declined" else "",
        )
        for i, (account, stage) in enumerate(zip(accounts, stages, strict=True))
    ]
    for i, row in enumerate(rows[:3]):
        StageChange.objects.create(
            campaign_creator=row,
            from_stage="prospect",
            to_stage=row.stage,
            by=owner,
            reason=t(f"Sreason{i}", 2000),
        )

    message_template = MessageTemplateFactory(
        workspace=workspace,
        name=t("Mname", 200),
        subject=t("Msubject", 300),
        body=t("Mbody", 5000),
    )
    for row in rows[:2]:
        OutreachMessageFactory(
            campaign_creator=row,
            template=message_template,
            subject=t(f"Osubject{row.pk}", 300),
            body=t(f"Obody{row.pk}", 5000),
            offer_value=t(f"Ooffer{row.pk}", 200),
            status="sent",
        )

    contract_template = ContractTemplateFactory(
        workspace=workspace,
        name=t("Tname", 200),
        description=t("Tdesc", 2000),
        default_terms={"disclosure_label": "#ad"},
    )
    TemplateClauseFactory(
        template=contract_template,
        clause=ClauseFactory(
            workspace=workspace, title=t("Qtitle", 200), body=t("Qbody", 5000), category="other"
        ),
    )

    terms = {
        "objectives": t("Vobjectives", 5000),
        "product_description": t("Vproduct", 300),
        "posting_frequency": t("Vfrequency", 200),
        "disclosure_label": t("Vlabel", 100),
        "cancellation_terms": t("Vcancel", 5000),
        "exclusivity_competitors": [t("Vcompetitor", 200)],
        "body": t("Vbody", 5000),
    }

    def contract(row, *, title: str, status: str, deliverable: dict) -> Contract:
        contract = ContractFactory(campaign_creator=row, status=status, title=title)
        ContractVersion.objects.filter(pk=contract.current_version_id).update(**terms)
        DeliverableFactory(version=contract.current_version, position=0, **deliverable)
        contract.refresh_from_db()
        return contract

    active = contract(
        rows[0],
        title=t("Htitle", 200),
        status="draft",
        deliverable={
            "description": t("Ddesc", 2000),
            "required_hashtags": [t("Dtag", 100)],
            "required_mentions": [t("Dmention", 100)],
            "due_date": dt.date.today() - dt.timedelta(days=2),  # overdue: "needs attention"
        },
    )
    version = _freeze(active, "active")
    Contract.objects.filter(pk=active.pk).update(
        accepted_version=version, template=contract_template
    )
    active.refresh_from_db()
    link, _ = _link(version, by=owner)
    ContractDecision.objects.create(
        version=version,
        link=link,
        decision="accepted",
        full_name=t("Gfullname", 200),
        acknowledged_disclosure=True,
        acknowledged_usage_rights=True,
        ip_address="127.0.0.1",
        user_agent="Browser",
        version_hash="0" * 64,
    )
    deliverable = version.deliverables.get()

    sent = contract(rows[1], title=t("Htitlesent", 200), status="draft", deliverable={})
    _, acceptance_token = _link(_freeze(sent, "sent"), by=owner)

    declined = contract(rows[2], title=t("Htitledecl", 200), status="draft", deliverable={})
    declined_version = _freeze(declined, "declined")
    declined_link, _ = _link(declined_version, by=owner)
    ContractDecision.objects.create(
        version=declined_version,
        link=declined_link,
        decision="declined",
        comment=t("Gcomment", 2000),
        ip_address="127.0.0.1",
        user_agent="Browser",
        version_hash="0" * 64,
    )

    draft = contract(
        rows[3],
        title=t("Htitledraft", 200),
        status="draft",
        deliverable={
            "description": t("Ddraftdesc", 2000),
            "required_hashtags": [t("Ddrafttag", 100)],
        },
    )

    DeliverablePostFactory(
        deliverable=deliverable,
        caption=t("Pcaption", 2000),
        disclosure_status="failed",
        disclosure_detail=t("Pdisclosure", 300),
    )
    TrackedLinkFactory(
        campaign_creator=rows[0],
        destination_url="https://shop.example.com/spring?ref=x",
        utm_source=t("Lsource", 100),
        utm_medium=t("Lmedium", 100),
        utm_campaign=t("Lcampaign", 100),
        utm_content=t("Lcontent", 100),
    )
    PromoCodeFactory(campaign_creator=rows[0], code="SPRING10", description=t("Pdesc", 200))
    ConversionFactory(campaign_creator=rows[0], external_order_id=t("Corder", 200))
    _, share_token = share.share_link_create(campaign=campaign, by=owner, label=t("Blabel", 200))
    ReportSchedule.objects.create(
        workspace=workspace,
        campaign=campaign,
        recipients=["boss@acme.test"],
        next_send_at=timezone.now() + dt.timedelta(days=7),
    )
    return World(
        owner=owner,
        workspace=workspace,
        campaign=campaign,
        creator=first,
        rows=rows,
        message_template=message_template,
        contract_template=contract_template,
        active=active,
        sent=sent,
        declined=declined,
        draft=draft,
        acceptance_token=acceptance_token,
        share_token=share_token,
        deliverable=deliverable,
        texts=texts,
    )
