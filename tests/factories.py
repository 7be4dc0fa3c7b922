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
