"""Creators (people), their social accounts, daily snapshots and posts.

Discovery lists SocialAccount rows, so everything it filters or sorts on lives on
that one table: the creator's country, language and niches are copied onto each
account, and the scores are recomputed by services.accounts_recompute() whenever
snapshots or posts change. The list never computes a score per row.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse

from apps.accounts.models import WorkspaceOwned, WorkspaceQuerySet

from . import metrics


class Platform(models.TextChoices):
    INSTAGRAM = "instagram", "Instagram"
    TIKTOK = "tiktok", "TikTok"
    YOUTUBE = "youtube", "YouTube"


class StatsSource(models.TextChoices):
    API = "api", "Platform API"
    IMPORT = "import", "CSV import"
    MANUAL = "manual", "Entered by hand"
    DEMO = "demo", "Simulated (demo)"


def follower_tier() -> Case:
    """An account's tier in SQL, from its followers by the bands of metrics.tier_for().

    The per-tier indexes below are built on this, and discovery's per-tier reads use the
    same expression (discovery._index_parts). Not the stored `tier` column: that one waits
    for the account's next rescore, and the page must agree with the followers it shows.
    """
    bands = sorted(metrics.TIER_BOUNDS.items(), key=lambda band: band[1][0], reverse=True)
    return Case(
        *(When(followers__gte=low, then=Value(tier.value)) for tier, (low, _) in bands),
        output_field=models.CharField(),
    )


class Niche(WorkspaceOwned):
    """A workspace's own taxonomy of niches (beauty, fitness, gaming, ...)."""

    name = models.CharField(max_length=50)
    slug = models.SlugField(max_length=50)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "slug"], name="one_niche_slug_per_workspace"
            )
        ]

    def __str__(self) -> str:
        return self.name


class CreatorQuerySet(WorkspaceQuerySet):
    def with_accounts(self):
        return self.prefetch_related("accounts", "niches")


class Creator(WorkspaceOwned):
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 alpha-2, e.g. GB")
    language = models.CharField(max_length=2, blank=True, help_text="ISO 639-1, e.g. en")
    niches = models.ManyToManyField(Niche, blank=True, related_name="creators")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CreatorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["workspace", "name"], name="creator_ws_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("creator_detail", args=[self.pk])

    @property
    def first_name(self) -> str:
        return self.name.split(" ")[0] if self.name else ""


class SocialAccountQuerySet(WorkspaceQuerySet):
    def discoverable(self):
        """Accounts worth listing: the platform still knows them."""
        return self.exclude(refresh_status=SocialAccount.RefreshStatus.NOT_FOUND)

    def with_creator(self):
        return self.select_related("creator")


class SocialAccount(WorkspaceOwned):
    class RefreshStatus(models.TextChoices):
        OK = "ok", "Up to date"
        PENDING = "pending", "Waiting for first refresh"
        NOT_FOUND = "not_found", "Not found on the platform"
        UNREACHABLE = "unreachable", "No API can reach this account"
        FAILED = "failed", "Last refresh failed"

    # No index of its own: every index below starts with the workspace.
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="accounts")
    platform = models.CharField(max_length=16, choices=Platform.choices)
    handle = models.CharField(max_length=100)
    external_id = models.CharField(max_length=100, blank=True)
    profile_url = models.URLField(max_length=300, blank=True)
    display_name = models.CharField(max_length=200, blank=True)
    bio = models.TextField(blank=True)
    verified = models.BooleanField(default=False)
    followers = models.BigIntegerField(null=True, blank=True)
    following = models.BigIntegerField(null=True, blank=True)
    posts_count = models.BigIntegerField(null=True, blank=True)
    total_views = models.BigIntegerField(null=True, blank=True)
    stats_source = models.CharField(
        max_length=16, choices=StatsSource.choices, default=StatsSource.MANUAL
    )
    stats_updated_at = models.DateTimeField(null=True, blank=True)
    refresh_status = models.CharField(
        max_length=16, choices=RefreshStatus.choices, default=RefreshStatus.PENDING
    )
    refresh_error = models.CharField(max_length=300, blank=True)
    # Stats refresh (apps/creators/refresh.py): when the scheduler next wants fresh numbers
    # (null: as soon as possible), the claim a queued refresh holds (cleared when it is done,
    # so a redelivered task skips finished accounts), and when recent posts were last fetched.
    next_refresh_at = models.DateTimeField(null=True, blank=True)
    refresh_queued_at = models.DateTimeField(null=True, blank=True)
    posts_refreshed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Copied from the creator so discovery filters one table.
    country = models.CharField(max_length=2, blank=True)
    language = models.CharField(max_length=2, blank=True)
    niche_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    # Denormalised scores, recomputed by services.accounts_recompute(); never edited by hand.
    tier = models.CharField(max_length=8, choices=metrics.TIER_CHOICES, blank=True)
    engagement_rate = models.FloatField(null=True, blank=True)
    engagement_sample = models.PositiveSmallIntegerField(default=0)
    avg_views = models.BigIntegerField(null=True, blank=True)
    authenticity_score = models.PositiveSmallIntegerField(null=True, blank=True)
    growth_30d = models.FloatField(
        null=True, blank=True, help_text="Follower change over 30 days, as a fraction"
    )
    posts_per_week = models.FloatField(null=True, blank=True)
    has_sponsored = models.BooleanField(default=False)
    scores_updated_at = models.DateTimeField(null=True, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)

    objects = SocialAccountQuerySet.as_manager()

    class Meta:
        ordering = ["-followers", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "platform", "handle"],
                name="one_handle_per_platform_per_workspace",
            ),
            models.CheckConstraint(
                condition=Q(followers__gte=0) | Q(followers__isnull=True),
                name="followers_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(following__gte=0) | Q(following__isnull=True),
                name="following_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(posts_count__gte=0) | Q(posts_count__isnull=True),
                name="posts_count_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(total_views__gte=0) | Q(total_views__isnull=True),
                name="total_views_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(authenticity_score__lte=100) | Q(authenticity_score__isnull=True),
                name="authenticity_at_most_100",
            ),
        ]
        indexes = [
            # Keyset pagination for each sort: workspace first (every query is scoped),
            # then the sort key, then id as the tie-breaker that makes the key unique.
            models.Index(fields=["workspace", "-followers", "-id"], name="acct_ws_followers"),
            models.Index(
                fields=["workspace", "-engagement_rate", "-id"], name="acct_ws_engagement"
            ),
            models.Index(
                fields=["workspace", "-authenticity_score", "-id"], name="acct_ws_authenticity"
            ),
            models.Index(fields=["workspace", "-growth_30d", "-id"], name="acct_ws_growth"),
            # Platform is the most common first filter; with followers it serves tier buttons.
            models.Index(
                fields=["workspace", "platform", "-followers", "-id"],
                name="acct_ws_platform_followers",
            ),
            # Engagement is measured differently per platform (YouTube's, per view, runs far
            # lower): "YouTube by engagement" walked the shared index past every Instagram and
            # TikTok account first (360 ms warm, 3 s cold at 1M accounts).
            models.Index(
                fields=["workspace", "platform", "-engagement_rate", "-id"],
                name="acct_ws_platform_engagement",
            ),
            # High engagement and fast growth belong to small accounts, so "macro tier by
            # engagement" walked the engagement index past every nano and micro account first
            # (530 ms at 1M accounts; by growth 80 ms). Discovery reads one range of these
            # indexes per tier instead.
            models.Index(
                "workspace",
                follower_tier(),
                F("engagement_rate").desc(),
                F("id").desc(),
                name="acct_ws_tier_engagement",
            ),
            models.Index(
                "workspace",
                follower_tier(),
                F("growth_30d").desc(),
                F("id").desc(),
                name="acct_ws_tier_growth",
            ),
            # Country and language are broad filters (a country can hold a third of the
            # accounts): without these the capped count walked the followers index.
            models.Index(
                fields=["workspace", "country", "-followers", "-id"],
                name="acct_ws_country_followers",
            ),
            models.Index(
                fields=["workspace", "language", "-followers", "-id"],
                name="acct_ws_language_followers",
            ),
            # A country with a language: proving that no account has both (Brazil + Spanish)
            # read every account of the country (120-280 ms at 1M accounts); now 1 ms.
            models.Index(
                fields=["workspace", "country", "language"], name="acct_ws_country_language"
            ),
            # Niche filter: array overlap (&&) on the copied niche ids.
            GinIndex(fields=["niche_ids"], name="acct_niche_ids"),
            # Full-text search over name, handle and bio.
            GinIndex(fields=["search_vector"], name="acct_search"),
            # The refresh scheduler's query: a connection's due accounts, oldest first.
            models.Index(
                fields=["workspace", "platform", "next_refresh_at"], name="acct_refresh_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} @{self.handle}"

    def get_absolute_url(self) -> str:
        return reverse("creator_detail", args=[self.creator_id])


class AccountSnapshotQuerySet(WorkspaceQuerySet):
    workspace_lookup = "account__workspace"


class AccountSnapshot(models.Model):
    """One row per account per day; the refresher upserts on (account, date)."""

    # No index of its own: the (account, date) unique constraint serves every lookup by account.
    account = models.ForeignKey(
        SocialAccount, on_delete=models.CASCADE, related_name="snapshots", db_index=False
    )
    date = models.DateField()
    followers = models.BigIntegerField(null=True, blank=True)
    following = models.BigIntegerField(null=True, blank=True)
    posts = models.BigIntegerField(null=True, blank=True)
    total_views = models.BigIntegerField(null=True, blank=True)
    total_likes = models.BigIntegerField(null=True, blank=True)
    # What the recent posts showed on that day, kept for the growth charts.
    avg_views = models.BigIntegerField(null=True, blank=True)
    engagement_rate = models.FloatField(null=True, blank=True)
    source = models.CharField(
        max_length=16, choices=StatsSource.choices, default=StatsSource.MANUAL
    )

    objects = AccountSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["account", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "date"], name="one_snapshot_per_account_per_day"
            ),
            models.CheckConstraint(
                condition=Q(followers__gte=0) | Q(followers__isnull=True),
                name="snapshot_followers_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} on {self.date}"


class PostQuerySet(WorkspaceQuerySet):
    workspace_lookup = "account__workspace"

    def sponsored(self):
        return self.exclude(sponsored_markers=[])


class Post(models.Model):
    class Format(models.TextChoices):
        POST = "post", "Post"
        PHOTO = "photo", "Photo"
        CAROUSEL = "carousel", "Carousel"
        REEL = "reel", "Reel"
        STORY = "story", "Story"
        VIDEO = "video", "Video"
        SHORT = "short", "Short"
        LIVE = "live", "Live"

    # No index of its own: post_account_recent and the unique constraint both start with it.
    account = models.ForeignKey(
        SocialAccount, on_delete=models.CASCADE, related_name="posts", db_index=False
    )
    platform_post_id = models.CharField(max_length=100)
    url = models.URLField(max_length=300, blank=True)
    published_at = models.DateTimeField()
    caption = models.TextField(blank=True)
    format = models.CharField(max_length=16, choices=Format.choices, default=Format.POST)
    views = models.BigIntegerField(null=True, blank=True)
    likes = models.BigIntegerField(null=True, blank=True)
    comments = models.BigIntegerField(null=True, blank=True)
    shares = models.BigIntegerField(null=True, blank=True)
    saves = models.BigIntegerField(null=True, blank=True)
    likes_hidden = models.BooleanField(default=False)
    sponsored_markers = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    source = models.CharField(
        max_length=16, choices=StatsSource.choices, default=StatsSource.MANUAL
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "platform_post_id"], name="one_post_per_platform_id"
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{field}__gte": 0}) | Q(**{f"{field}__isnull": True}),
                    name=f"post_{field}_not_negative",
                )
                for field in ("views", "likes", "comments", "shares", "saves")
            ],
        ]
        indexes = [models.Index(fields=["account", "-published_at"], name="post_account_recent")]

    def __str__(self) -> str:
        return f"{self.account} post {self.platform_post_id}"

    @property
    def is_sponsored(self) -> bool:
        return bool(self.sponsored_markers)


class CreatorFlag(WorkspaceOwned):
    """A manual brand-safety flag, with who set it and when."""

    class Kind(models.TextChoices):
        CONTROVERSIAL = "controversial", "Controversial"
        VALUES_MISMATCH = "values_mismatch", "Values mismatch"
        TONE = "tone", "Tone does not fit"
        DO_NOT_CONTACT = "do_not_contact", "Do not contact"

    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["creator", "kind"], name="one_flag_per_kind_per_creator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.creator}"


class CreatorNote(WorkspaceOwned):
    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="team_notes")
    body = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Note on {self.creator} by {self.author}"


class BlockedKeyword(WorkspaceOwned):
    """The workspace's brand-safety blocklist, screened against recent captions."""

    keyword = models.CharField(max_length=100)

    class Meta:
        ordering = ["keyword"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "keyword"], name="one_blocked_keyword_per_workspace"
            )
        ]

    def __str__(self) -> str:
        return self.keyword


class BenchmarkBand(models.Model):
    """Median engagement bands by audience size: data the operator can edit in the admin."""

    platform = models.CharField(max_length=16, choices=Platform.choices)
    min_audience = models.BigIntegerField()
    max_audience = models.BigIntegerField(null=True, blank=True)
    low = models.FloatField(help_text="Lower edge of the median band, as a fraction (0.008 = 0.8%)")
    high = models.FloatField(help_text="Upper edge, as a fraction")
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["platform", "min_audience"]
        constraints = [
            models.CheckConstraint(
                condition=Q(low__lte=models.F("high")), name="band_low_not_above_high"
            ),
            models.UniqueConstraint(
                fields=["platform", "min_audience"], name="one_band_per_platform_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.min_audience}–{self.max_audience or '∞'}"

    def as_metric(self) -> metrics.BenchmarkBand:
        return metrics.BenchmarkBand(
            self.platform, self.min_audience, self.max_audience, self.low, self.high
        )


class SavedSearch(WorkspaceOwned):
    name = models.CharField(max_length=100)
    query_string = models.CharField(max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("creator_list") + (f"?{self.query_string}" if self.query_string else "")


class CreatorImport(WorkspaceOwned):
    """A CSV upload: previewed first, written only when the user confirms."""

    class Status(models.TextChoices):
        PREVIEW = "preview", "Waiting for confirmation"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PREVIEW)
    # The parsed, validated rows (not the file): the upload itself is never stored.
    rows = models.JSONField(default=list)
    errors = models.JSONField(default=list)
    duplicates = models.JSONField(default=list)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_accounts = models.PositiveIntegerField(default=0)
    failure = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import {self.filename} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("creator_import_detail", args=[self.pk])

    @property
    def progress_percent(self) -> int:
        return round(100 * self.processed_rows / self.total_rows) if self.total_rows else 0


class ConnectionQuerySet(WorkspaceQuerySet):
    def broken(self):
        return self.filter(status=Connection.Status.BROKEN)

    def shared(self):
        """Connections that serve every account of their platform in the workspace."""
        return self.filter(account__isnull=True)


class Connection(WorkspaceOwned):
    """A credential the stats refresher calls a platform with.

    A workspace's YouTube API key or Instagram business token serves all its accounts on
    that platform; a TikTok authorisation belongs to the one account whose creator granted
    it. Secrets are stored encrypted (apps/creators/connections.py) and never shown back,
    only their last characters. A "demo" connection is the simulated platform of the local
    demo: it takes the place of a real credential, never runs next to one.
    """

    class Kind(models.TextChoices):
        YOUTUBE_KEY = "youtube_key", "YouTube Data API key"
        INSTAGRAM_GRAPH = "instagram_graph", "Instagram business account (Graph API)"
        TIKTOK_OAUTH = "tiktok_oauth", "TikTok account connected by its creator"
        DEMO = "demo", "Simulated platform (demo only)"

    class Status(models.TextChoices):
        UNTESTED = "untested", "Not tested yet"
        OK = "ok", "Working"
        PAUSED = "paused", "Paused until its quota resets"
        BROKEN = "broken", "Broken: needs attention"

    platform = models.CharField(max_length=16, choices=Platform.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=100)
    secret_encrypted = models.TextField(blank=True, editable=False)
    refresh_token_encrypted = models.TextField(blank=True, editable=False)
    secret_hint = models.CharField(max_length=8, blank=True, editable=False)
    # Keyed hash of the secret: two connections holding the same key share one quota budget.
    credential_fingerprint = models.CharField(max_length=32, blank=True, editable=False)
    ig_user_id = models.CharField("Instagram business account id", max_length=40, blank=True)
    ig_username = models.CharField("Instagram business username", max_length=40, blank=True)
    account = models.OneToOneField(
        SocialAccount,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="connection",
        help_text="TikTok: the account whose creator authorised us",
    )
    token_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_expires_at = models.DateTimeField(null=True, blank=True)
    daily_quota = models.PositiveIntegerField(
        null=True, blank=True, help_text="YouTube units per Pacific day; blank for the default"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UNTESTED)
    status_message = models.CharField(max_length=300, blank=True)
    paused_until = models.DateTimeField(null=True, blank=True)
    last_tested_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConnectionQuerySet.as_manager()

    class Meta:
        ordering = ["platform", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "platform"],
                condition=Q(account__isnull=True),
                name="one_shared_connection_per_platform",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="connection_status")]

    def __str__(self) -> str:
        return f"{self.get_platform_display()}: {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("connection_edit", args=[self.pk])

    @property
    def is_demo(self) -> bool:
        return self.kind == self.Kind.DEMO
