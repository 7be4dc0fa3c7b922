"""Reporting: what the deals brought. Published posts and their metrics over time,
tracked links and their clicks, promo codes and their conversions, share links and
scheduled report emails.

Reporting sits at the top of the stack: it reads contracts, campaigns and creators;
nothing imports it.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse

from apps.accounts.models import WorkspaceOwned, WorkspaceQuerySet
from apps.campaigns.models import Campaign, CampaignCreator, validate_currency
from apps.contracts.models import Contract, Deliverable
from apps.creators.models import Platform, StatsSource


class DisclosureStatus(models.TextChoices):
    UNCHECKED = "unchecked", "Not checked yet"
    PASSED = "passed", "Disclosed"
    FAILED = "failed", "Disclosure missing"
    NOT_REQUIRED = "not_required", "No disclosure required"


class DeliverablePostQuerySet(WorkspaceQuerySet):
    def for_campaign(self, campaign):
        return self.filter(campaign=campaign)

    def due_for_refresh(self, now):
        return self.filter(next_refresh_at__lte=now)


class DeliverablePost(WorkspaceOwned):
    """A published post attached to a contract deliverable; its newest numbers kept here."""

    deliverable = models.ForeignKey(
        Deliverable, on_delete=models.PROTECT, related_name="published_posts"
    )
    # Denormalised from the deliverable so the dashboard aggregates without long joins.
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    campaign_creator = models.ForeignKey(
        CampaignCreator, on_delete=models.CASCADE, related_name="+"
    )
    platform = models.CharField(max_length=16, choices=Platform.choices)
    url = models.URLField(max_length=500)
    platform_post_id = models.CharField(max_length=100)
    caption = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    # Newest numbers (copied from the newest snapshot).
    views = models.BigIntegerField(null=True, blank=True)
    reach = models.BigIntegerField(null=True, blank=True)
    likes = models.BigIntegerField(null=True, blank=True)
    comments = models.BigIntegerField(null=True, blank=True)
    shares = models.BigIntegerField(null=True, blank=True)
    saves = models.BigIntegerField(null=True, blank=True)
    metrics_source = models.CharField(
        max_length=16, choices=StatsSource.choices, default=StatsSource.MANUAL
    )
    metrics_updated_at = models.DateTimeField(null=True, blank=True)

    disclosure_status = models.CharField(
        max_length=16, choices=DisclosureStatus.choices, default=DisclosureStatus.UNCHECKED
    )
    disclosure_detail = models.CharField(max_length=300, blank=True)

    # Refresh scheduling (daily while the campaign runs); the error of the last failure.
    next_refresh_at = models.DateTimeField(null=True, blank=True)
    refresh_error = models.CharField(max_length=300, blank=True)

    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    attached_at = models.DateTimeField(auto_now_add=True)

    objects = DeliverablePostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "platform", "platform_post_id"],
                name="post_attached_once_per_workspace",
                violation_error_message="This post is already attached to a deliverable.",
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__gte": 0}) | Q(**{f"{name}__isnull": True}),
                    name=f"deliverable_post_{name}_not_negative",
                )
                for name in ("views", "reach", "likes", "comments", "shares", "saves")
            ],
        ]
        indexes = [
            models.Index(fields=["campaign", "campaign_creator"], name="dpost_campaign_creator"),
            models.Index(fields=["next_refresh_at"], name="dpost_next_refresh"),
        ]

    def __str__(self) -> str:
        return self.url


class PostMetricSnapshotQuerySet(WorkspaceQuerySet):
    workspace_lookup = "post__workspace"


class PostMetricSnapshot(models.Model):
    """A deliverable post's numbers on one day (one row per post per day: upserted)."""

    post = models.ForeignKey(DeliverablePost, on_delete=models.CASCADE, related_name="snapshots")
    # Denormalised for the dashboard's per-day sums.
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    views = models.BigIntegerField(null=True, blank=True)
    reach = models.BigIntegerField(null=True, blank=True)
    likes = models.BigIntegerField(null=True, blank=True)
    comments = models.BigIntegerField(null=True, blank=True)
    shares = models.BigIntegerField(null=True, blank=True)
    saves = models.BigIntegerField(null=True, blank=True)
    source = models.CharField(max_length=16, choices=StatsSource.choices)
    recorded_at = models.DateTimeField(auto_now=True)
    # Gained since the post's earlier snapshots (its first one: everything so far), kept by
    # services.post_metrics_record so the dashboard's per-day chart is a plain SUM by day
    # (a window over every snapshot of a campaign cost 4x the rest of the page).
    views_gain = models.BigIntegerField(db_default=0)
    engagements_gain = models.BigIntegerField(db_default=0)

    objects = PostMetricSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["post", "date"]
        constraints = [
            models.UniqueConstraint(fields=["post", "date"], name="one_post_snapshot_per_day"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__gte": 0}) | Q(**{f"{name}__isnull": True}),
                    name=f"post_snapshot_{name}_not_negative",
                )
                for name in ("views", "reach", "likes", "comments", "shares", "saves")
            ],
        ]
        indexes = [models.Index(fields=["campaign", "date"], name="psnap_campaign_date")]

    def __str__(self) -> str:
        return f"{self.post} on {self.date}"


class TrackedLinkQuerySet(WorkspaceQuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)


class TrackedLink(WorkspaceOwned):
    """Our own short redirect `/r/<code>` for one campaign creator.

    The destination is set by the team only (never taken from the request), so the
    redirect cannot be used as an open redirect.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    campaign_creator = models.ForeignKey(
        CampaignCreator, on_delete=models.CASCADE, related_name="tracked_links"
    )
    code = models.CharField(max_length=32, unique=True)
    destination_url = models.URLField(max_length=1000)
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True, default="influencer")
    utm_campaign = models.CharField(max_length=100, blank=True)
    utm_content = models.CharField(max_length=100, blank=True)
    # Counted clicks (bots and repeats filtered), kept in step with LinkClick rows.
    click_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = TrackedLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["campaign", "campaign_creator"], name="link_campaign")]

    def __str__(self) -> str:
        return f"/r/{self.code}"

    def get_short_path(self) -> str:
        return reverse("tracked_link_redirect", args=[self.code])


class LinkClickQuerySet(WorkspaceQuerySet):
    workspace_lookup = "link__workspace"

    def counted(self):
        return self.filter(counted=True)


class LinkClick(models.Model):
    """One request to a tracked link. Bots and repeats are kept but not counted."""

    class Ignored(models.TextChoices):
        NO = "", "Counted"
        BOT = "bot", "Bot"
        REPEAT = "repeat", "Repeat within the window"

    link = models.ForeignKey(TrackedLink, on_delete=models.CASCADE, related_name="clicks")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    # sha256 of (IP, user agent, daily salt): counts unique visitors without storing the IP.
    visitor_hash = models.CharField(max_length=64)
    counted = models.BooleanField(default=True)
    ignored = models.CharField(max_length=8, choices=Ignored.choices, blank=True, default="")
    referer_host = models.CharField(max_length=200, blank=True)

    objects = LinkClickQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["link", "visitor_hash", "at"], name="click_repeat_check"),
            models.Index(fields=["campaign", "at"], name="click_campaign_time"),
        ]

    def __str__(self) -> str:
        return f"Click on {self.link_id} at {self.at:%Y-%m-%d %H:%M}"


class PromoCode(WorkspaceOwned):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    campaign_creator = models.ForeignKey(
        CampaignCreator, on_delete=models.CASCADE, related_name="promo_codes"
    )
    code = models.CharField(max_length=64)
    description = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["code", "id"]
        constraints = [
            # Shops match codes without regard to case: JANE10 and jane10 are one code.
            models.UniqueConstraint(
                "workspace",
                Upper("code"),
                name="promo_code_once_per_workspace",
                violation_error_message="This promo code is already in use in this workspace.",
            )
        ]

    def __str__(self) -> str:
        return self.code


class ConversionQuerySet(WorkspaceQuerySet):
    pass


class Conversion(WorkspaceOwned):
    """Orders attributed to a campaign creator, through a promo code or a tracked link.

    A row may stand for several uses entered together (`uses`, `revenue` summed).
    Pushed through the API or imported, `external_order_id` makes it idempotent.
    """

    class Source(models.TextChoices):
        MANUAL = "manual", "Entered by hand"
        IMPORT = "import", "CSV import"
        API = "api", "API"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    campaign_creator = models.ForeignKey(
        CampaignCreator, on_delete=models.CASCADE, related_name="conversions"
    )
    promo_code = models.ForeignKey(
        PromoCode, on_delete=models.PROTECT, null=True, blank=True, related_name="conversions"
    )
    tracked_link = models.ForeignKey(
        TrackedLink, on_delete=models.PROTECT, null=True, blank=True, related_name="conversions"
    )
    occurred_on = models.DateField()
    uses = models.PositiveIntegerField(default=1)
    revenue = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, validators=[validate_currency])
    external_order_id = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ConversionQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_order_id"],
                condition=~Q(external_order_id=""),
                name="conversion_order_once_per_workspace",
            ),
            models.CheckConstraint(
                condition=Q(revenue__gte=0), name="conversion_revenue_not_negative"
            ),
            models.CheckConstraint(condition=Q(uses__gte=1), name="conversion_uses_at_least_1"),
        ]
        indexes = [models.Index(fields=["campaign", "occurred_on"], name="conversion_campaign_day")]

    def __str__(self) -> str:
        return f"{self.uses} × {self.revenue} {self.currency}"


class ExchangeRate(WorkspaceOwned):
    """An explicit rate the team sets so a report can convert one currency into another.

    Reports never sum amounts in different currencies blindly: without a rate they
    refuse the total and say which rate is missing.
    """

    from_currency = models.CharField(max_length=3, validators=[validate_currency])
    to_currency = models.CharField(max_length=3, validators=[validate_currency])
    rate = models.DecimalField(max_digits=16, decimal_places=8)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "from_currency", "to_currency"], name="one_rate_per_pair"
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"1 {self.from_currency} = {self.rate} {self.to_currency}"


class ShareLinkQuerySet(WorkspaceQuerySet):
    def usable(self, now):
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class ShareLink(WorkspaceOwned):
    """A read-only link to one campaign's report. Only the token's hash is stored."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="share_links")
    token_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=200, blank=True)
    hide_spend = models.BooleanField(default=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.label or f"Share link {self.pk}"


class ReportSchedule(WorkspaceOwned):
    """Email a campaign's report to a list of people, weekly or as the contracts ask."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        CONTRACT = "contract", "Following the contracts' reporting schedule"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    recipients = ArrayField(models.EmailField(), default=list)
    hide_spend = models.BooleanField(default=False)
    next_send_at = models.DateTimeField()
    last_sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    paused_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["next_send_at", "id"]
        indexes = [models.Index(fields=["next_send_at"], name="report_schedule_due")]

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} report of {self.campaign}"
