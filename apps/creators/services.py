"""Writes to creators and their accounts that span models or keep denormalised fields right."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from apps.accounts.models import Workspace

from . import metrics
from .handles import ProfileRef
from .models import (
    AccountSnapshot,
    BenchmarkBand,
    Creator,
    CreatorFlag,
    Niche,
    Post,
    SocialAccount,
    StatsSource,
)
from .scoring import SCORE_FIELDS, account_scores

HISTORY_DAYS = 100  # snapshots read for growth (90 days) and follower-jump signals
RECENT_POSTS = 40  # enough for the 12-post sample after exclusions, and 90-day frequency

# An account's search document, over the aliases `account` and `creator`.
SEARCH_VECTOR = """
    setweight(to_tsvector('simple', coalesce(creator.name, '')), 'A')
    || setweight(to_tsvector('simple', account.handle || ' ' || coalesce(account.display_name, '')), 'A')
    || setweight(to_tsvector('simple', coalesce(account.bio, '')), 'B')
"""
SEARCH_VECTOR_SQL = f"""
UPDATE creators_socialaccount AS account
SET search_vector = {SEARCH_VECTOR}
FROM creators_creator AS creator
WHERE account.creator_id = creator.id AND account.id = ANY(%s)
"""  # noqa: S608 -- a constant expression is formatted in; the ids are a parameter


def benchmark_bands() -> list[metrics.BenchmarkBand]:
    """The operator's bands; the published defaults while the table is empty."""
    bands = [band.as_metric() for band in BenchmarkBand.objects.all()]
    return bands or list(metrics.DEFAULT_BENCHMARKS)


def niches_get_or_create(*, workspace: Workspace, names: Iterable[str]) -> list[Niche]:
    niches = []
    for name in names:
        name = name.strip()
        if not name:
            continue
        niche, _ = Niche.objects.get_or_create(
            workspace=workspace, slug=slugify(name)[:50], defaults={"name": name[:50]}
        )
        niches.append(niche)
    return niches


@transaction.atomic
def creator_create(
    *,
    workspace: Workspace,
    name: str,
    profiles: Sequence[ProfileRef],
    email: str = "",
    country: str = "",
    language: str = "",
    niche_names: Iterable[str] = (),
    notes: str = "",
) -> Creator:
    """A creator with one account per profile; the refresher fills in the numbers later."""
    creator = Creator.objects.create(
        workspace=workspace, name=name, email=email, country=country, language=language, notes=notes
    )
    niches = niches_get_or_create(workspace=workspace, names=niche_names)
    creator.niches.set(niches)
    accounts = [
        SocialAccount(
            workspace=workspace,
            creator=creator,
            platform=str(profile.platform),
            handle=profile.handle,
            external_id=profile.external_id,
            profile_url=profile.profile_url,
            country=country,
            language=language,
            niche_ids=[niche.pk for niche in niches],
        )
        for profile in profiles
    ]
    SocialAccount.objects.bulk_create(accounts)
    accounts_update_search(account_ids=[account.pk for account in accounts])
    return creator


@transaction.atomic
def creator_update(
    *, creator: Creator, niche_names: Iterable[str] | None = None, **fields
) -> Creator:
    """Save edited fields (and niches), then copy them onto the accounts discovery filters."""
    for field, value in fields.items():
        setattr(creator, field, value)
    creator.save()
    if niche_names is not None:
        creator.niches.set(niches_get_or_create(workspace=creator.workspace, names=niche_names))
    creator_sync_accounts(creator=creator)
    return creator


@transaction.atomic
def account_add(
    *,
    creator: Creator,
    profile: ProfileRef,
    stats: dict | None = None,
    source: str = StatsSource.IMPORT,
):
    """One more account for an existing creator, with the creator's copied fields."""
    account = SocialAccount.objects.create(
        workspace=creator.workspace,
        creator=creator,
        platform=str(profile.platform),
        handle=profile.handle,
        external_id=profile.external_id,
        profile_url=profile.profile_url,
        country=creator.country,
        language=creator.language,
        niche_ids=sorted(creator.niches.values_list("pk", flat=True)),
    )
    accounts_update_search(account_ids=[account.pk])
    if stats and any(value is not None for value in stats.values()):
        account_record_stats(account=account, source=source, **stats)
    return account


def creator_flag_toggle(*, creator: Creator, kind: str, note: str, by) -> CreatorFlag | None:
    """Set the flag, or remove it when it is already set; None means it was removed."""
    deleted, _ = CreatorFlag.objects.filter(creator=creator, kind=kind).delete()
    if deleted:
        return None
    try:
        with transaction.atomic():
            return CreatorFlag.objects.create(
                workspace=creator.workspace, creator=creator, kind=kind, note=note, created_by=by
            )
    except IntegrityError:
        # A teammate set the same flag a moment ago: theirs stands.
        return CreatorFlag.objects.get(creator=creator, kind=kind)


@transaction.atomic
def creator_sync_accounts(*, creator: Creator) -> None:
    """Copy the creator's country, language and niches onto its accounts after an edit."""
    niche_ids = sorted(creator.niches.values_list("pk", flat=True))
    creator.accounts.update(country=creator.country, language=creator.language, niche_ids=niche_ids)
    accounts_update_search(account_ids=list(creator.accounts.values_list("pk", flat=True)))


def accounts_update_search(*, account_ids: Sequence[int]) -> None:
    if account_ids:
        with connection.cursor() as cursor:
            cursor.execute(SEARCH_VECTOR_SQL, [list(account_ids)])


def post_samples(posts: Iterable[Post]) -> list[metrics.PostSample]:
    return [
        metrics.PostSample(
            post_id=post.platform_post_id,
            published_at=post.published_at,
            format=post.format,
            views=post.views,
            likes=post.likes,
            comments=post.comments,
            shares=post.shares,
            saves=post.saves,
            likes_hidden=post.likes_hidden,
            caption=post.caption,
        )
        for post in posts
    ]


def snapshot_samples(snapshots: Iterable[AccountSnapshot]) -> list[metrics.Snapshot]:
    return [
        metrics.Snapshot(
            date=s.date,
            followers=s.followers,
            following=s.following,
            posts=s.posts,
            total_views=s.total_views,
        )
        for s in snapshots
    ]


# SQL types of the denormalised scores, for accounts_set_columns().
_SCORE_TYPES = {
    "tier": "varchar",
    "engagement_rate": "double precision",
    "engagement_sample": "smallint",
    "avg_views": "bigint",
    "authenticity_score": "smallint",
    "growth_30d": "double precision",
    "posts_per_week": "double precision",
    "has_sponsored": "boolean",
}
SCORE_COLUMNS = [(field, _SCORE_TYPES[field]) for field in SCORE_FIELDS] + [
    ("scores_updated_at", "timestamptz")
]


def accounts_set_columns(
    accounts: Sequence[SocialAccount], columns: Sequence[tuple[str, str]], *, also: str = ""
) -> None:
    """Write these columns of many accounts in ONE `UPDATE … FROM (VALUES …)`.

    Django's bulk_update() builds a CASE WHEN per field and row and cost ~5 ms per
    account at refresh scale (bench/refresh.py); this is a fraction of that.
    `also` is an extra SQL assignment applied to every row (e.g. clearing a claim).
    """
    if not accounts:
        return
    row = "(%s::bigint, " + ", ".join(f"%s::{kind}" for _, kind in columns) + ")"
    assignments = ", ".join(f"{name} = fresh.{name}" for name, _ in columns) + (
        f", {also}" if also else ""
    )
    names = ", ".join(name for name, _ in columns)
    sql = (
        f"UPDATE creators_socialaccount AS account SET {assignments} "  # noqa: S608 - column names are constants
        f"FROM (VALUES {', '.join([row] * len(accounts))}) AS fresh (id, {names}) WHERE account.id = fresh.id"
    )
    params: list = []
    for account in accounts:
        params.append(account.pk)
        params.extend(getattr(account, name) for name, _ in columns)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def accounts_recompute(*, account_ids: Sequence[int], now=None) -> int:
    """Recompute the denormalised scores of these accounts in one pass (3 reads, 1 bulk write)."""
    now = now or timezone.now()
    accounts = list(SocialAccount.objects.filter(pk__in=account_ids))
    if not accounts:
        return 0
    posts_by_account: dict[int, list[Post]] = defaultdict(list)
    for post in Post.objects.filter(
        account__in=accounts, published_at__gte=now - timedelta(days=180)
    ).order_by("account_id", "-published_at"):
        if len(posts_by_account[post.account_id]) < RECENT_POSTS:
            posts_by_account[post.account_id].append(post)
    snapshots_by_account: dict[int, list[AccountSnapshot]] = defaultdict(list)
    for snapshot in AccountSnapshot.objects.filter(
        account__in=accounts, date__gte=now.date() - timedelta(days=HISTORY_DAYS)
    ).order_by("account_id", "date"):
        snapshots_by_account[snapshot.account_id].append(snapshot)

    bands = benchmark_bands()
    for account in accounts:
        scores = account_scores(
            platform=account.platform,
            followers=account.followers,
            following=account.following,
            posts_count=account.posts_count,
            posts=post_samples(posts_by_account[account.pk]),
            snapshots=snapshot_samples(snapshots_by_account[account.pk]),
            bands=bands,
            now=now,
        )
        for field, value in scores.items():
            setattr(account, field, value)
        account.scores_updated_at = now
    for start in range(0, len(accounts), 1000):
        accounts_set_columns(accounts[start : start + 1000], SCORE_COLUMNS)
    return len(accounts)


@transaction.atomic
def account_record_stats(
    *,
    account: SocialAccount,
    followers: int | None,
    following: int | None = None,
    posts_count: int | None = None,
    total_views: int | None = None,
    source: str = StatsSource.MANUAL,
    now=None,
) -> AccountSnapshot:
    """Numbers entered by hand or imported: update the account, upsert today's snapshot, rescore."""
    now = now or timezone.now()
    account.followers, account.following, account.posts_count = followers, following, posts_count
    account.total_views = total_views
    account.stats_source, account.stats_updated_at = source, now
    if account.refresh_status == SocialAccount.RefreshStatus.PENDING:
        account.refresh_status = SocialAccount.RefreshStatus.UNREACHABLE
    account.save(
        update_fields=[
            "followers",
            "following",
            "posts_count",
            "total_views",
            "stats_source",
            "stats_updated_at",
            "refresh_status",
        ]
    )
    snapshot, _ = AccountSnapshot.objects.update_or_create(
        account=account,
        date=now.date(),
        defaults={
            "followers": followers,
            "following": following,
            "posts": posts_count,
            "total_views": total_views,
            "source": source,
        },
    )
    accounts_recompute(account_ids=[account.pk], now=now)
    return snapshot
