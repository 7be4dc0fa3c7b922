"""Contracts: the deal terms agreed with one creator in one campaign, version by version.

A contract is a sequence of versions. The newest version is the one being worked on;
once a version is sent it is frozen (its terms, deliverables and rendered text never
change again, and its `content_hash` proves it), and editing the contract makes a new
draft version. The creator accepts or declines one exact version through a private
link; the acceptance record keeps the hash of what they saw.

History (who changed what, when) is written by Postgres triggers through
django-pghistory, so even the guarded `UPDATE ... WHERE` transitions that bypass
`save()` are recorded; HistoryMiddleware adds the user and URL of the request.
"""

import hashlib
from decimal import Decimal

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Workspace, WorkspaceOwned, WorkspaceQuerySet
from apps.campaigns.models import Campaign, CampaignCreator, validate_currency
from apps.creators.models import Platform


class DeliverableFormat(models.TextChoices):
    POST = "post", "Post"
    REEL = "reel", "Reel"
    STORY = "story", "Story"
    SHORT = "short", "Short"
    VIDEO = "video", "Video"
    LIVE = "live", "Live"


class PaymentSchedule(models.TextChoices):
    UPFRONT = "upfront", "Upfront"
    ON_DELIVERY = "on_delivery", "On delivery"
    SPLIT = "split", "Split"


class ReportingSchedule(models.TextChoices):
    AFTER_EACH_POST = "after_each_post", "After each post"
    WEEKLY = "weekly", "Weekly"
    END_OF_CAMPAIGN = "end_of_campaign", "At the end of the campaign"


class TrackingMethod(models.TextChoices):
    TRACKED_LINK = "tracked_link", "Tracked link"
    PROMO_CODE = "promo_code", "Promo code"
    INSIGHTS_SCREENSHOTS = "insights_screenshots", "Platform insights screenshots"


class ReportMetric(models.TextChoices):
    VIEWS = "views", "Views"
    REACH = "reach", "Reach"
    LIKES = "likes", "Likes"
    COMMENTS = "comments", "Comments"
    SHARES = "shares", "Shares"
    SAVES = "saves", "Saves"
    CLICKS = "clicks", "Clicks"
    CONVERSIONS = "conversions", "Conversions"


class UsageChannel(models.TextChoices):
    ORGANIC_SOCIAL = "organic_social", "Brand's organic social"
    PAID_ADS = "paid_ads", "Paid ads"
    WEBSITE = "website", "Website"
    EMAIL = "email", "Email"
    PRINT = "print", "Print"


class ContractSettings(models.Model):
    """Per-workspace contract rules (one row per workspace, created on first use)."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="contract_settings"
    )
    # A contract whose cash + product value exceeds this (in this currency) needs a
    # manager's approval before it can be sent. Contracts in another currency cannot be
    # compared, so they always need approval while a threshold is set.
    approval_threshold = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    approval_currency = models.CharField(
        max_length=3, default="USD", validators=[validate_currency]
    )
    link_valid_days = models.PositiveSmallIntegerField(default=14)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(approval_threshold__gte=0) | Q(approval_threshold__isnull=True),
                name="contract_settings_threshold_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(link_valid_days__gte=1), name="contract_settings_link_days_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"Contract settings of {self.workspace}"

    @classmethod
    def for_workspace(cls, workspace) -> "ContractSettings":
        settings_row, _ = cls.objects.get_or_create(workspace=workspace)
        return settings_row

    def requires_approval(self, version) -> bool:
        """True when a manager must approve `version` before it is sent."""
        if self.approval_threshold is None:
            return False
        if version.currency != self.approval_currency:
            return True  # amounts in another currency cannot be compared
        return version.total_value > self.approval_threshold


@pghistory.track()
class Clause(WorkspaceOwned):
    """One paragraph of the workspace's clause library, with {{ merge.fields }} for the terms."""

    class Category(models.TextChoices):
        DELIVERABLES = "deliverables", "Objectives and deliverables"
        COMPENSATION = "compensation", "Compensation"
        TIMING = "timing", "Timing"
        DISCLOSURE = "disclosure", "Disclosure"
        USAGE_RIGHTS = "usage_rights", "Usage rights"
        EXCLUSIVITY = "exclusivity", "Exclusivity"
        APPROVAL = "approval", "Content approval"
        CANCELLATION = "cancellation", "Cancellation"
        REPORTING = "reporting", "Measurement and reporting"
        OTHER = "other", "Other"

    title = models.CharField(max_length=200)
    category = models.CharField(max_length=16, choices=Category.choices, default=Category.OTHER)
    body = models.TextField(help_text="Plain text; merge fields like {{ contract.cash_amount }}.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["category", "title", "id"]

    def __str__(self) -> str:
        return self.title


@pghistory.track()
class ContractTemplate(WorkspaceOwned):
    """A starting point for contracts: an ordered list of clauses and default terms."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    clauses = models.ManyToManyField(Clause, through="TemplateClause", related_name="templates")
    # Defaults for a new contract's terms, keyed by ContractVersion field name
    # (e.g. {"disclosure_label": "#ad", "payment_schedule": "split"}).
    default_terms = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class TemplateClause(models.Model):
    template = models.ForeignKey(
        ContractTemplate, on_delete=models.CASCADE, related_name="template_clauses"
    )
    clause = models.ForeignKey(Clause, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "clause"], name="clause_once_per_template")
        ]

    def __str__(self) -> str:
        return f"{self.clause} in {self.template}"


class ContractQuerySet(WorkspaceQuerySet):
    def open(self):
        """Contracts still in play (not declined, expired, completed or cancelled)."""
        return self.filter(status__in=Contract.OPEN_STATUSES)

    def with_parties(self):
        return self.select_related(
            "campaign", "campaign_creator__creator", "current_version", "created_by"
        )

    def awaiting_approval(self):
        """Drafts whose current version is over the workspace's approval threshold (or in
        another currency) and not yet approved; one query, settings joined."""
        total = Coalesce("current_version__cash_amount", Value(Decimal(0))) + Coalesce(
            "current_version__product_value", Value(Decimal(0))
        )
        threshold = "workspace__contract_settings__approval_threshold"
        return (
            self.filter(
                status=Contract.Status.DRAFT,
                current_version__approved_at__isnull=True,
                **{f"{threshold}__isnull": False},
            )
            .annotate(version_total=total)
            .filter(
                ~Q(current_version__currency=F("workspace__contract_settings__approval_currency"))
                | Q(version_total__gt=F(threshold))
            )
        )


@pghistory.track()
class Contract(WorkspaceOwned):
    """The deal with one creator in one campaign. Terms live on its versions."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired"
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    OPEN_STATUSES = (Status.DRAFT, Status.SENT, Status.ACCEPTED, Status.ACTIVE)

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="contracts")
    campaign_creator = models.ForeignKey(
        CampaignCreator, on_delete=models.PROTECT, related_name="contracts"
    )
    title = models.CharField(max_length=200)
    template = models.ForeignKey(
        ContractTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    # The newest version: the draft being edited, or the one sent/accepted.
    current_version = models.ForeignKey(
        "ContractVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The version the creator accepted (what reporting and spend read).
    accepted_version = models.ForeignKey(
        "ContractVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Bumped by every guarded transition so two racing requests cannot both win.
    lock_version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)  # accepted / declined / expired
    activated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)  # completed / cancelled
    close_reason = models.TextField(blank=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "status"], name="contract_ws_status"),
            models.Index(fields=["campaign", "status"], name="contract_campaign_status"),
        ]
        constraints = [
            # One contract in play per creator per campaign; closed ones stay as history.
            models.UniqueConstraint(
                fields=["campaign_creator"],
                condition=Q(status__in=["draft", "sent", "accepted", "active"]),
                name="one_open_contract_per_campaign_creator",
                violation_error_message="This creator already has a contract in this campaign.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("contract_detail", args=[self.pk])

    # The lifecycle: which statuses each status may be reached from. Services call
    # change_status(); nothing else writes `status`.
    ALLOWED_FROM = {
        Status.SENT: frozenset({Status.DRAFT}),
        Status.ACCEPTED: frozenset({Status.SENT}),
        Status.DECLINED: frozenset({Status.SENT}),
        Status.EXPIRED: frozenset({Status.SENT}),
        Status.ACTIVE: frozenset({Status.ACCEPTED}),
        Status.COMPLETED: frozenset({Status.ACTIVE}),
        Status.CANCELLED: frozenset({Status.DRAFT, Status.SENT, Status.ACCEPTED, Status.ACTIVE}),
        # Editing a sent, declined or expired contract makes a new draft version.
        Status.DRAFT: frozenset({Status.SENT, Status.DECLINED, Status.EXPIRED}),
    }

    def can_move_to(self, status: str) -> bool:
        return self.status in self.ALLOWED_FROM.get(status, ())

    def change_status(self, to_status: str, *, extra_where: dict | None = None, **fields) -> bool:
        """Move to `to_status` if the row is still as this object last saw it.

        A conditional UPDATE (status allowed, same lock_version, plus `extra_where`) with
        a row-count check: of two racing requests, only the first matches the row; the
        other gets False and must not act. On success this object is updated in memory.
        """
        if not self.can_move_to(to_status):
            return False
        now = timezone.now()
        values = {"status": to_status, "updated_at": now, **fields}
        changed = Contract.objects.filter(
            pk=self.pk,
            status=self.status,
            lock_version=self.lock_version,
            **(extra_where or {}),
        ).update(lock_version=F("lock_version") + 1, **values)
        if not changed:
            return False
        for name, value in values.items():
            setattr(self, name, value)
        self.lock_version += 1
        return True

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_editable(self) -> bool:
        """Can the team edit the terms (in place, or as a new version)?"""
        return self.status == self.Status.DRAFT or self.can_move_to(self.Status.DRAFT)


class ContractVersionQuerySet(WorkspaceQuerySet):
    workspace_lookup = "contract__workspace"


@pghistory.track()
class ContractVersion(models.Model):
    """One version of a contract's terms. Frozen (never updated) once `frozen_at` is set."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()

    # Objectives
    objectives = models.TextField(blank=True)

    # Compensation
    currency = models.CharField(max_length=3, default="USD", validators=[validate_currency])
    cash_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    product_description = models.CharField(max_length=300, blank=True)
    product_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    payment_schedule = models.CharField(
        max_length=16, choices=PaymentSchedule.choices, default=PaymentSchedule.ON_DELIVERY
    )
    # For a split schedule: [{"percent": "50", "when": "On signing"}, ...]; the percents
    # add up to 100 (checked by the form and the service).
    payment_splits = models.JSONField(default=list, blank=True)
    commission_per_conversion = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True
    )
    promo_code_bonus = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)

    # Timing
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    posting_frequency = models.CharField(max_length=200, blank=True)

    # Legal
    disclosure_label = models.CharField(max_length=100, blank=True, default="#ad")
    disclosure_placement = models.CharField(
        max_length=200, blank=True, default="In the first line of the caption"
    )
    usage_channels = ArrayField(
        models.CharField(max_length=20, choices=UsageChannel.choices), default=list, blank=True
    )
    usage_duration_days = models.PositiveIntegerField(null=True, blank=True)
    paid_ads_whitelisting = models.BooleanField(default=False)
    exclusivity_days = models.PositiveIntegerField(null=True, blank=True)
    exclusivity_competitors = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    approval_required = models.BooleanField(default=False)
    approval_turnaround_days = models.PositiveSmallIntegerField(null=True, blank=True)
    cancellation_terms = models.TextField(blank=True)

    # Measurement and reporting
    report_metrics = ArrayField(
        models.CharField(max_length=16, choices=ReportMetric.choices), default=list, blank=True
    )
    tracking_methods = ArrayField(
        models.CharField(max_length=24, choices=TrackingMethod.choices), default=list, blank=True
    )
    reporting_schedule = models.CharField(
        max_length=20, choices=ReportingSchedule.choices, default=ReportingSchedule.WEEKLY
    )

    # The contract text: the template's clauses with the merge fields filled in.
    body = models.TextField(blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the version is sent: from then on it never changes.
    frozen_at = models.DateTimeField(null=True, blank=True)
    # sha256 of the canonical terms + deliverables + body, computed when frozen.
    content_hash = models.CharField(max_length=64, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = ContractVersionQuerySet.as_manager()

    class Meta:
        ordering = ["contract", "number"]
        # The database itself refuses to change a sent version, whatever code tries:
        # "v1 unchanged byte for byte" must not depend on every caller remembering.
        triggers = [
            pgtrigger.Protect(
                name="frozen_version_is_read_only",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__frozen_at__isnull=False),
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="one_number_per_version"),
            models.CheckConstraint(
                condition=Q(cash_amount__gte=0) | Q(cash_amount__isnull=True),
                name="version_cash_not_negative",
                violation_error_message="The cash amount cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(product_value__gte=0) | Q(product_value__isnull=True),
                name="version_product_value_not_negative",
                violation_error_message="The product value cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(commission_per_conversion__gte=0)
                | Q(commission_per_conversion__isnull=True),
                name="version_commission_not_negative",
                violation_error_message="The commission cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(promo_code_bonus__gte=0) | Q(promo_code_bonus__isnull=True),
                name="version_bonus_not_negative",
                violation_error_message="The promo-code bonus cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date"))
                | Q(end_date__isnull=True)
                | Q(start_date__isnull=True),
                name="version_ends_after_start",
                violation_error_message="The contract cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(frozen_at__isnull=True) | ~Q(content_hash=""),
                name="frozen_version_has_hash",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def total_value(self) -> Decimal:
        """Cash plus product value, in `currency` (what spend reports read)."""
        return (self.cash_amount or Decimal(0)) + (self.product_value or Decimal(0))


class DeliverableQuerySet(WorkspaceQuerySet):
    workspace_lookup = "version__contract__workspace"

    def to_do(self):
        """Deliverables of the accepted version of accepted/active contracts, not done yet."""
        return self.filter(
            version__contract__status__in=[Contract.Status.ACCEPTED, Contract.Status.ACTIVE],
            version__contract__accepted_version=F("version"),
            completed_at__isnull=True,
        )

    def overdue(self, today):
        return self.to_do().filter(due_date__lt=today)

    def with_contract(self):
        return self.select_related(
            "version__contract__campaign", "version__contract__campaign_creator__creator"
        ).order_by(F("due_date").asc(nulls_last=True), "id")


# Deletions too: a draft's deliverables are edited by removing rows, and the history
# should say what went.
@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Deliverable(models.Model):
    """One thing the creator publishes under a contract version."""

    version = models.ForeignKey(
        ContractVersion, on_delete=models.CASCADE, related_name="deliverables"
    )
    position = models.PositiveSmallIntegerField(default=0)
    platform = models.CharField(max_length=16, choices=Platform.choices)
    format = models.CharField(max_length=8, choices=DeliverableFormat.choices)
    quantity = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    due_date = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)
    required_hashtags = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    required_mentions = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    required_links = ArrayField(models.URLField(max_length=500), default=list, blank=True)
    reach_goal = models.PositiveIntegerField(null=True, blank=True)
    engagement_goal = models.PositiveIntegerField(null=True, blank=True)
    # Deliverables tracking: set when the team marks it done (reporting attaches posts).
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = DeliverableQuerySet.as_manager()

    class Meta:
        ordering = ["version", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="deliverable_quantity_at_least_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.get_platform_display()} {self.get_format_display()}"


class ContractLinkQuerySet(WorkspaceQuerySet):
    workspace_lookup = "version__contract__workspace"


@pghistory.track()
class ContractLink(models.Model):
    """A private link that lets the creator read and answer one exact version.

    Only a hash of the token is stored: the token itself exists in the email alone.
    """

    version = models.ForeignKey(ContractVersion, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    sent_to = models.EmailField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_opened_at = models.DateTimeField(null=True, blank=True)

    objects = ContractLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Link to {self.version} for {self.sent_to}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8")).hexdigest()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())


class ContractDecisionQuerySet(WorkspaceQuerySet):
    workspace_lookup = "version__contract__workspace"


class ContractDecision(models.Model):
    """The creator's answer to one version: who, when, from where, and what they saw."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    version = models.OneToOneField(
        ContractVersion, on_delete=models.PROTECT, related_name="decision"
    )
    link = models.ForeignKey(ContractLink, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=8, choices=Decision.choices)
    full_name = models.CharField(max_length=200, blank=True)
    comment = models.TextField(blank=True)
    acknowledged_disclosure = models.BooleanField(default=False)
    acknowledged_usage_rights = models.BooleanField(default=False)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    version_hash = models.CharField(max_length=64)
    decided_at = models.DateTimeField(auto_now_add=True)

    objects = ContractDecisionQuerySet.as_manager()

    class Meta:
        # A signature is a record: never edited after the fact.
        triggers = [pgtrigger.Protect(name="decision_is_read_only", operation=pgtrigger.Update)]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision="accepted")
                | (
                    ~Q(full_name="")
                    & Q(acknowledged_disclosure=True)
                    & Q(acknowledged_usage_rights=True)
                ),
                name="acceptance_is_signed_and_acknowledged",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} {self.version} by {self.full_name or 'creator'}"
