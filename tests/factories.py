import factory
from factory.django import DjangoModelFactory

from apps.accounts.models import Invitation, Membership, Role, User, Workspace

PASSWORD = "correct horse battery staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)


class WorkspaceFactory(DjangoModelFactory):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Workspace {n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    workspace = factory.SubFactory(WorkspaceFactory)
    role = Role.MEMBER


class InvitationFactory(DjangoModelFactory):
    class Meta:
        model = Invitation

    workspace = factory.SubFactory(WorkspaceFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = Role.MEMBER


# --- creators ---------------------------------------------------------------
import datetime as _dt  # noqa: E402

from django.utils import timezone  # noqa: E402

from apps.creators.models import AccountSnapshot, Creator, Niche, Post, SocialAccount  # noqa: E402


class NicheFactory(DjangoModelFactory):
    class Meta:
        model = Niche
        django_get_or_create = ["workspace", "slug"]

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Niche {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class CreatorFactory(DjangoModelFactory):
    class Meta:
        model = Creator

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"creator{n}@mail.test")
    country = "GB"
    language = "en"


class SocialAccountFactory(DjangoModelFactory):
    """An account with stats; call services.accounts_recompute() after adding posts/snapshots."""

    class Meta:
        model = SocialAccount

    creator = factory.SubFactory(CreatorFactory)
    workspace = factory.SelfAttribute("creator.workspace")
    platform = "instagram"
    handle = factory.Sequence(lambda n: f"handle_{n}")
    profile_url = factory.LazyAttribute(lambda o: f"https://www.instagram.com/{o.handle}/")
    followers = 25_000
    following = 400
    posts_count = 300
    country = factory.SelfAttribute("creator.country")
    language = factory.SelfAttribute("creator.language")
    stats_source = "api"
    stats_updated_at = factory.LazyFunction(timezone.now)
    refresh_status = "ok"


class AccountSnapshotFactory(DjangoModelFactory):
    class Meta:
        model = AccountSnapshot

    account = factory.SubFactory(SocialAccountFactory)
    date = factory.LazyFunction(lambda: timezone.now().date())
    followers = 25_000
    following = 400
    posts = 300
    source = "api"


class PostFactory(DjangoModelFactory):
    class Meta:
        model = Post

    account = factory.SubFactory(SocialAccountFactory)
    platform_post_id = factory.Sequence(lambda n: f"post{n}")
    url = factory.LazyAttribute(lambda o: f"https://www.instagram.com/p/{o.platform_post_id}/")
    published_at = factory.LazyFunction(lambda: timezone.now() - _dt.timedelta(days=3))
    caption = "A day out"
    format = "photo"
    views = None
    likes = 800
    comments = 40
    source = "api"


# --- campaigns --------------------------------------------------------------
from apps.campaigns.models import Campaign, CampaignCreator  # noqa: E402


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = Campaign

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Campaign {n}")
    brand = "Acme"
    goal = "awareness"
    currency = "USD"
    owner = factory.SubFactory(UserFactory)


class CampaignCreatorFactory(DjangoModelFactory):
    class Meta:
        model = CampaignCreator

    campaign = factory.SubFactory(CampaignFactory)
    workspace = factory.SelfAttribute("campaign.workspace")
    creator = factory.SubFactory(CreatorFactory, workspace=factory.SelfAttribute("..workspace"))
    currency = "USD"


# --- outreach ---------------------------------------------------------------
from apps.campaigns.models import MessageTemplate, OutreachMessage  # noqa: E402


class MessageTemplateFactory(DjangoModelFactory):
    class Meta:
        model = MessageTemplate

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Intro {n}")
    subject = "{{ campaign.name }} x {{ creator.first_name }}"
    body = "Hi {{ creator.first_name }},\n\nWe'd love to work with you on {{ campaign.name }}."


class OutreachMessageFactory(DjangoModelFactory):
    class Meta:
        model = OutreachMessage

    campaign_creator = factory.SubFactory(CampaignCreatorFactory)
    workspace = factory.SelfAttribute("campaign_creator.workspace")
    to_email = "jane@creator.test"
    subject = "Hello"
    body = "Hi Jane"


# --- contracts --------------------------------------------------------------
# Built straight into the tables: tests of the lifecycle use the services
# (apps.contracts.services) to move contracts; these give them a starting row.
from decimal import Decimal  # noqa: E402

from apps.contracts.models import (  # noqa: E402
    Clause,
    Contract,
    ContractTemplate,
    ContractVersion,
    Deliverable,
    TemplateClause,
)


class ClauseFactory(DjangoModelFactory):
    class Meta:
        model = Clause

    workspace = factory.SubFactory(WorkspaceFactory)
    title = factory.Sequence(lambda n: f"Clause {n}")
    category = "compensation"
    body = "The brand pays {{ contract.cash_amount }} {{ contract.currency }}."


class ContractTemplateFactory(DjangoModelFactory):
    class Meta:
        model = ContractTemplate

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Standard deal {n}")
    default_terms = factory.LazyFunction(lambda: {"disclosure_label": "#ad"})


class TemplateClauseFactory(DjangoModelFactory):
    class Meta:
        model = TemplateClause

    template = factory.SubFactory(ContractTemplateFactory)
    clause = factory.SubFactory(
        ClauseFactory, workspace=factory.SelfAttribute("..template.workspace")
    )
    position = factory.Sequence(lambda n: n)


class ContractFactory(DjangoModelFactory):
    """A draft contract with its first version (`contract.current_version`)."""

    class Meta:
        model = Contract
        skip_postgeneration_save = True  # the hook saves current_version itself

    campaign_creator = factory.SubFactory(CampaignCreatorFactory)
    workspace = factory.SelfAttribute("campaign_creator.workspace")
    campaign = factory.SelfAttribute("campaign_creator.campaign")
    title = factory.LazyAttribute(lambda o: f"{o.campaign_creator.creator} × {o.campaign}")

    @factory.post_generation
    def version(obj, create, extracted, **kwargs):
        if not create:
            return
        version = extracted or ContractVersionFactory(contract=obj, **kwargs)
        obj.current_version = version
        obj.save(update_fields=["current_version"])


class ContractVersionFactory(DjangoModelFactory):
    class Meta:
        model = ContractVersion

    contract = factory.SubFactory(ContractFactory, version=None)
    number = factory.Sequence(lambda n: n + 1)
    currency = "USD"
    cash_amount = Decimal("500.00")
    start_date = factory.LazyFunction(lambda: _dt.date.today())
    end_date = factory.LazyFunction(lambda: _dt.date.today() + _dt.timedelta(days=30))
    body = "The brand pays 500.00 USD."


class DeliverableFactory(DjangoModelFactory):
    class Meta:
        model = Deliverable

    version = factory.SubFactory(ContractVersionFactory)
    platform = "instagram"
    format = "reel"
    quantity = 1
    due_date = factory.LazyFunction(lambda: _dt.date.today() + _dt.timedelta(days=14))
    required_hashtags = factory.LazyFunction(lambda: ["#ad"])


# --- reporting --------------------------------------------------------------
from apps.reporting.models import DeliverablePost, PostMetricSnapshot  # noqa: E402


def active_contract(
    campaign_creator=None,
    *,
    status="active",
    deliverables=(("instagram", "reel"),),
    workspace=None,
    **version_terms,
):
    """An accepted/active contract whose current version is frozen and accepted.

    `deliverables` is a list of (platform, format) pairs (or dicts of Deliverable
    fields); `version_terms` set fields on the version (cash_amount, currency,
    disclosure_label, ...). Returns the contract; its deliverables are
    `contract.accepted_version.deliverables.all()`.
    """
    if campaign_creator is None:
        extra = {"campaign__workspace": workspace} if workspace is not None else {}
        campaign_creator = CampaignCreatorFactory(**extra)
    contract = ContractFactory(campaign_creator=campaign_creator, status=status)
    version = contract.current_version
    for name, value in version_terms.items():
        setattr(version, name, value)
    version.frozen_at = timezone.now()
    version.content_hash = "0" * 64
    version.save()
    contract.accepted_version = version
    contract.save(update_fields=["accepted_version"])
    for position, spec in enumerate(deliverables):
        fields = spec if isinstance(spec, dict) else {"platform": spec[0], "format": spec[1]}
        DeliverableFactory(version=version, position=position, **fields)
    return contract


class DeliverablePostFactory(DjangoModelFactory):
    """A post attached to a deliverable (by default of a fresh active contract)."""

    class Meta:
        model = DeliverablePost

    deliverable = factory.LazyFunction(
        lambda: active_contract().accepted_version.deliverables.first()
    )
    contract = factory.LazyAttribute(lambda o: o.deliverable.version.contract)
    workspace = factory.LazyAttribute(lambda o: o.contract.workspace)
    campaign = factory.LazyAttribute(lambda o: o.contract.campaign)
    campaign_creator = factory.LazyAttribute(lambda o: o.contract.campaign_creator)
    platform = factory.LazyAttribute(lambda o: o.deliverable.platform)
    platform_post_id = factory.Sequence(lambda n: f"Cpost{n}")
    url = factory.LazyAttribute(
        lambda o: {
            "youtube": f"https://www.youtube.com/watch?v={o.platform_post_id}",
            "tiktok": f"https://www.tiktok.com/@creator/video/{o.platform_post_id}",
        }.get(o.platform, f"https://www.instagram.com/p/{o.platform_post_id}/")
    )
    caption = "#ad Loving my new trainers"
    published_at = factory.LazyFunction(lambda: timezone.now() - _dt.timedelta(days=2))
    views = 10_000
    likes = 500
    comments = 40
    shares = 12
    saves = 30
    metrics_source = "api"
    metrics_updated_at = factory.LazyFunction(timezone.now)
    disclosure_status = "passed"


class PostMetricSnapshotFactory(DjangoModelFactory):
    class Meta:
        model = PostMetricSnapshot
        skip_postgeneration_save = True

    post = factory.SubFactory(DeliverablePostFactory)
    campaign = factory.SelfAttribute("post.campaign")
    date = factory.LazyFunction(lambda: timezone.now().date())
    views = 10_000
    likes = 500
    comments = 40
    shares = 12
    saves = 30
    source = "api"

    @factory.post_generation
    def gains(obj, create, extracted, **kwargs):
        # Written straight into the table, so keep the per-day gains the way the
        # service does after every write.
        if create:
            from apps.reporting.services import post_gains_refresh

            post_gains_refresh(post_ids=[obj.post_id])


# --- reporting: conversions ---------------------------------------------------
from apps.reporting.models import Conversion, PromoCode, TrackedLink  # noqa: E402


class TrackedLinkFactory(DjangoModelFactory):
    class Meta:
        model = TrackedLink

    campaign_creator = factory.SubFactory(CampaignCreatorFactory)
    workspace = factory.SelfAttribute("campaign_creator.workspace")
    campaign = factory.SelfAttribute("campaign_creator.campaign")
    code = factory.Sequence(lambda n: f"lnk{n:05d}")
    destination_url = "https://shop.example.com/summer?ref=ig"
    utm_source = "instagram"
    utm_medium = "influencer"
    utm_campaign = "summer-launch"
    utm_content = "jane"


class PromoCodeFactory(DjangoModelFactory):
    class Meta:
        model = PromoCode

    campaign_creator = factory.SubFactory(CampaignCreatorFactory)
    workspace = factory.SelfAttribute("campaign_creator.workspace")
    campaign = factory.SelfAttribute("campaign_creator.campaign")
    code = factory.Sequence(lambda n: f"CODE{n}")


class ConversionFactory(DjangoModelFactory):
    class Meta:
        model = Conversion

    campaign_creator = factory.SubFactory(CampaignCreatorFactory)
    workspace = factory.SelfAttribute("campaign_creator.workspace")
    campaign = factory.SelfAttribute("campaign_creator.campaign")
    occurred_on = factory.LazyFunction(lambda: timezone.now().date())
    uses = 1
    revenue = Decimal("49.90")
    currency = "USD"
    source = "manual"
