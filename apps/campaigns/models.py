"""Campaigns, the creators shortlisted for each, and the timeline of their pipeline stages."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from apps.accounts.models import WorkspaceOwned, WorkspaceQuerySet
from apps.creators.models import Creator, Niche, Platform

# A short list keeps typos out; extend it when a customer pays in another currency.
CURRENCIES = [
    "AUD", "BRL", "CAD", "CHF", "CNY", "CZK", "DKK", "EUR", "GBP", "HKD", "INR", "JPY",
    "MXN", "NOK", "NZD", "PLN", "SEK", "SGD", "USD", "ZAR",
]  # fmt: skip


def validate_currency(value: str) -> None:
    if value not in CURRENCIES:
        raise ValidationError(
            "Use a three-letter currency code we know (ISO 4217), e.g. USD, EUR or GBP."
        )


class Stage(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    CONTACTED = "contacted", "Contacted"
    REPLIED = "replied", "Replied"
    NEGOTIATING = "negotiating", "Negotiating"
    CONTRACTED = "contracted", "Contracted"
    CONTENT_LIVE = "content_live", "Content live"
    COMPLETED = "completed", "Completed"
    DECLINED = "declined", "Declined"
    NOT_A_FIT = "not_a_fit", "Not a fit"


class CampaignQuerySet(WorkspaceQuerySet):
    def active(self):
        return self.filter(status=Campaign.Status.ACTIVE)

    def not_archived(self):
        return self.exclude(status=Campaign.Status.ARCHIVED)

    def with_counts(self):
        """Each campaign with `creator_count`: shortlisted creators not removed."""
        return self.annotate(
            creator_count=models.Count(
                "campaign_creators", filter=Q(campaign_creators__removed_at__isnull=True)
            )
        )


class Campaign(WorkspaceOwned):
    class Goal(models.TextChoices):
        AWARENESS = "awareness", "Awareness"
        ENGAGEMENT = "engagement", "Engagement"
        CONVERSIONS = "conversions", "Conversions"

    class Status(models.TextChoices):
        PLANNING = "planning", "Planning"
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        ARCHIVED = "archived", "Archived"

    name = models.CharField(max_length=200)
    brand = models.CharField(max_length=200, blank=True)
    product = models.CharField(max_length=200, blank=True)
    goal = models.CharField(max_length=16, choices=Goal.choices, default=Goal.AWARENESS)
    budget = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(
        max_length=3, default="USD", validators=[validate_currency], help_text="ISO 4217, e.g. USD"
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    platforms = ArrayField(
        models.CharField(max_length=16, choices=Platform.choices), default=list, blank=True
    )
    niches = models.ManyToManyField(Niche, blank=True, related_name="campaigns")
    keywords = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_campaigns"
    )
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="campaigns")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNING)
    # Days without a reply before the pipeline suggests a follow-up.
    follow_up_days = models.PositiveSmallIntegerField(default=5)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "status"], name="campaign_ws_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__gte=0) | Q(budget__isnull=True),
                name="campaign_budget_not_negative",
                violation_error_message="The budget cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date"))
                | Q(end_date__isnull=True)
                | Q(start_date__isnull=True),
                name="campaign_ends_after_start",
                violation_error_message="The campaign cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(follow_up_days__gte=1),
                name="campaign_follow_up_at_least_1_day",
                violation_error_message="Follow up after at least one day.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaign_detail", args=[self.pk])

    @property
    def is_archived(self) -> bool:
        return self.status == self.Status.ARCHIVED


class CampaignCreatorQuerySet(WorkspaceQuerySet):
    def shortlisted(self):
        """Rows still on the shortlist (a removed row waits for its undo)."""
        return self.filter(removed_at__isnull=True)

    def with_creator(self):
        """For the shortlist table: the creator, their accounts (biggest first) and who added."""
        return self.select_related("creator", "added_by").prefetch_related("creator__accounts")


class CampaignCreator(WorkspaceOwned):
    """One creator on one campaign: the shortlist row and, later, the pipeline card."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="campaign_creators"
    )
    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="campaign_creators")
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.PROSPECT)
    stage_changed_at = models.DateTimeField(auto_now_add=True)
    position = models.PositiveIntegerField(default=0)  # order within a board column
    planned_fee = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    reason = models.TextField(blank=True)  # why declined / not a fit
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    # Bumped by every guarded update so two people moving one card cannot both win.
    version = models.PositiveIntegerField(default=1)
    # Removing is soft so "Undo" can bring the row back with its stage and history.
    removed_at = models.DateTimeField(null=True, blank=True)
    # Follow-up reminders (reminders.py): quiet until this date; the day the digest last named it.
    reminder_snoozed_until = models.DateField(null=True, blank=True)
    reminder_digest_sent_on = models.DateField(null=True, blank=True)

    objects = CampaignCreatorQuerySet.as_manager()

    class Meta:
        ordering = ["position", "added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "creator"], name="one_creator_per_campaign"
            ),
            models.CheckConstraint(
                condition=Q(planned_fee__gte=0) | Q(planned_fee__isnull=True),
                name="campaign_creator_fee_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "stage", "position"], name="cc_board")]

    def __str__(self) -> str:
        return f"{self.creator} in {self.campaign}"

    @property
    def main_account(self):
        """The creator's biggest account (accounts are ordered by followers, prefetched)."""
        accounts = list(self.creator.accounts.all())
        return accounts[0] if accounts else None


class StageChangeQuerySet(WorkspaceQuerySet):
    workspace_lookup = "campaign_creator__workspace"


class StageChange(models.Model):
    """The timeline of one campaign creator: every move between stages, by whom and why."""

    campaign_creator = models.ForeignKey(
        CampaignCreator, on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=16, choices=Stage.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    objects = StageChangeQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_stage or '—'} → {self.to_stage}"


# --- Outreach -------------------------------------------------------------------
from .templating import OfferType  # noqa: E402  (pure module; kept next to its models)


class MessageTemplate(WorkspaceOwned):
    """A workspace's outreach email, with ``{{ field }}`` merge fields (see templating.py)."""

    name = models.CharField(max_length=200)
    subject = models.CharField(max_length=300)
    body = models.TextField(help_text="Plain text; merge fields like {{ creator.first_name }}.")
    offer_type = models.CharField(max_length=24, choices=OfferType.choices(), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class OutreachMessageQuerySet(WorkspaceQuerySet):
    def timeline(self):
        """Oldest first, with who sent it, for a creator's timeline."""
        return self.select_related("sent_by", "campaign_creator__creator").order_by(
            "created_at", "id"
        )


class OutreachMessage(WorkspaceOwned):
    """One email to (or a reply from) a campaign creator, as rendered: the text is stored."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        RECEIVED = "received", "Received"

    class Direction(models.TextChoices):
        OUT = "out", "Sent"
        IN = "in", "Reply"

    campaign_creator = models.ForeignKey(
        CampaignCreator, on_delete=models.CASCADE, related_name="messages"
    )
    template = models.ForeignKey(
        MessageTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    direction = models.CharField(max_length=3, choices=Direction.choices, default=Direction.OUT)
    to_email = models.EmailField(blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    offer_type = models.CharField(max_length=24, choices=OfferType.choices(), blank=True)
    offer_value = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When a worker last claimed it for sending (outreach.message_send): a claim older than
    # the task time limit was left by a worker that stopped (outreach.messages_unstick).
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OutreachMessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["campaign_creator", "created_at"], name="outreach_cc_time")]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.subject or self.body[:40]}"
