"""Writes of the reporting app: published posts and their metrics.

(Conversions and report writes live in their own modules.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from apps.contracts.models import Contract, Deliverable

from .disclosure import disclosure_check
from .models import DeliverablePost, PostMetricSnapshot
from .post_urls import PLATFORM_LABELS, PostUrlError, parse_post_url

METRICS = ("views", "reach", "likes", "comments", "shares", "saves")
COUNTING_STATUSES = (Contract.Status.ACCEPTED, Contract.Status.ACTIVE)


# --- posts ----------------------------------------------------------------------------


def deliverable_refusal(deliverable: Deliverable) -> str:
    """Why no post can be attached to this deliverable ('' when one can)."""
    contract = deliverable.version.contract
    if contract.status not in COUNTING_STATUSES:
        return (
            f"The contract is {contract.get_status_display().lower()}: posts can be attached "
            "only to deliverables of an accepted or active contract."
        )
    if contract.accepted_version_id != deliverable.version_id:
        return "This deliverable is not part of the version the creator accepted."
    return ""


@transaction.atomic
def deliverable_post_attach(
    *, deliverable: Deliverable, url: str, by, caption: str | None = None
) -> DeliverablePost:
    """Attach a published post to a deliverable; its numbers are fetched by the refresher."""
    refusal = deliverable_refusal(deliverable)
    if refusal:
        raise ValidationError(refusal)
    try:
        parsed = parse_post_url(url)
    except PostUrlError as exc:
        raise ValidationError({"url": str(exc)}) from exc
    if parsed.platform != deliverable.platform:
        raise ValidationError(
            {
                "url": f"This is a {PLATFORM_LABELS[parsed.platform]} link, but the deliverable "
                f"is on {deliverable.get_platform_display()}."
            }
        )
    contract = deliverable.version.contract
    already = _already_attached(contract.workspace_id, parsed.platform, parsed.platform_post_id)
    if already:
        raise ValidationError({"url": already})
    now = timezone.now()
    post = DeliverablePost(
        workspace_id=contract.workspace_id,
        deliverable=deliverable,
        contract=contract,
        campaign_id=contract.campaign_id,
        campaign_creator_id=contract.campaign_creator_id,
        platform=parsed.platform,
        url=parsed.url,
        platform_post_id=parsed.platform_post_id,
        attached_by=by,
        next_refresh_at=now,
    )
    _apply_disclosure(post, caption, deliverable.version)
    try:
        with transaction.atomic():  # a savepoint: the race's loser gets the message, not a 500
            post.save()
    except IntegrityError as exc:
        message = _already_attached(contract.workspace_id, parsed.platform, parsed.platform_post_id)
        raise ValidationError({"url": message or "This post is already attached."}) from exc
    _refresh_soon(post)
    return post


def _already_attached(workspace_id: int, platform: str, post_id: str) -> str:
    existing = (
        DeliverablePost.objects.filter(
            workspace_id=workspace_id, platform=platform, platform_post_id=post_id
        )
        .select_related("campaign_creator__creator", "campaign")
        .first()
    )
    if existing is None:
        return ""
    return (
        f"This post is already attached to a deliverable of "
        f"{existing.campaign_creator.creator} in “{existing.campaign}”."
    )


def _refresh_soon(post: DeliverablePost) -> None:
    from .tasks import refresh_post  # tasks import the refresher, which imports this module

    transaction.on_commit(lambda: refresh_post.delay(post.pk))


@transaction.atomic
def deliverable_post_detach(*, post: DeliverablePost) -> None:
    """Remove a wrongly attached post with its metric history."""
    post.delete()


def _apply_disclosure(post: DeliverablePost, caption: str | None, version) -> None:
    if caption is not None:
        post.caption = caption
    known = caption if caption is not None else (post.caption or None)
    result = disclosure_check(known, version.disclosure_label, version.disclosure_placement)
    post.disclosure_status = result.status
    post.disclosure_detail = result.detail[:300]


@transaction.atomic
def post_disclosure_check(*, post: DeliverablePost, caption: str | None = None) -> DeliverablePost:
    """Re-check the disclosure (with a new caption when one is given) and save the result."""
    _apply_disclosure(post, caption, post.deliverable.version)
    post.save(update_fields=["caption", "disclosure_status", "disclosure_detail"])
    return post


UPSERT_SQL = """
INSERT INTO reporting_postmetricsnapshot
    (post_id, campaign_id, date, views, reach, likes, comments, shares, saves, source, recorded_at)
VALUES (%(post)s, %(campaign)s, %(date)s, %(views)s, %(reach)s, %(likes)s, %(comments)s,
        %(shares)s, %(saves)s, %(source)s, %(now)s)
ON CONFLICT (post_id, date) DO UPDATE SET
    views = COALESCE(EXCLUDED.views, reporting_postmetricsnapshot.views),
    reach = COALESCE(EXCLUDED.reach, reporting_postmetricsnapshot.reach),
    likes = COALESCE(EXCLUDED.likes, reporting_postmetricsnapshot.likes),
    comments = COALESCE(EXCLUDED.comments, reporting_postmetricsnapshot.comments),
    shares = COALESCE(EXCLUDED.shares, reporting_postmetricsnapshot.shares),
    saves = COALESCE(EXCLUDED.saves, reporting_postmetricsnapshot.saves),
    source = EXCLUDED.source,
    recorded_at = EXCLUDED.recorded_at
"""


def clean_numbers(numbers: Mapping[str, object]) -> dict[str, int | None]:
    """The six counts as ints ≥ 0 or None (unknown); anything else is refused."""
    cleaned: dict[str, int | None] = {}
    errors = {}
    for name in METRICS:
        value = numbers.get(name)
        if value is None or value == "":
            cleaned[name] = None
            continue
        try:
            number = int(str(value).replace(",", "").replace("_", "").strip())
        except ValueError:
            errors[name] = f"{name.capitalize()} must be a whole number."
            continue
        if number < 0:
            errors[name] = f"{name.capitalize()} cannot be negative."
        elif number > 2**63 - 1:
            errors[name] = f"{name.capitalize()} is too large to be a real count."
        cleaned[name] = number
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def post_metrics_record(
    *,
    post: DeliverablePost,
    date: dt.date,
    numbers: Mapping[str, object],
    source: str,
    now: dt.datetime | None = None,
) -> PostMetricSnapshot:
    """Upsert the post's numbers for `date` (one row per post per day; unknown numbers
    keep what the day already had) and copy the newest day's numbers onto the post."""
    now = now or timezone.now()
    if date > timezone.localdate(now):
        raise ValidationError({"date": "The date cannot be in the future."})
    cleaned = clean_numbers(numbers)
    if all(value is None for value in cleaned.values()):
        raise ValidationError("Enter at least one number.")
    with connection.cursor() as cursor:
        cursor.execute(
            UPSERT_SQL,
            {
                "post": post.pk,
                "campaign": post.campaign_id,
                "date": date,
                "source": source,
                "now": now,
                **cleaned,
            },
        )
    post_gains_refresh(post_ids=[post.pk])
    newest = post.snapshots.order_by("-date").first()
    if newest.date == date:
        for name in METRICS:
            setattr(post, name, getattr(newest, name))
        post.metrics_source = newest.source
        post.metrics_updated_at = now
        post.save(update_fields=[*METRICS, "metrics_source", "metrics_updated_at"])
    return post.snapshots.get(date=date)


# Views and engagements are running totals: a day's gain is its number minus the highest
# number of the post's earlier snapshots (MAX skips unknown days, and a recount that
# lowers a number gains nothing). A post's first snapshot gains everything so far.
GAINS_SQL = """
UPDATE reporting_postmetricsnapshot s
   SET views_gain = g.views_gain, engagements_gain = g.engagements_gain
  FROM (
    SELECT id,
           GREATEST(COALESCE(views, 0) - COALESCE(MAX(views) OVER earlier, 0), 0) AS views_gain,
           GREATEST(COALESCE(engagements, 0) - COALESCE(MAX(engagements) OVER earlier, 0), 0)
             AS engagements_gain
      FROM (
        SELECT id, post_id, date, views,
               CASE WHEN COALESCE(likes, comments, shares, saves) IS NULL THEN NULL
                    ELSE COALESCE(likes, 0) + COALESCE(comments, 0) + COALESCE(shares, 0)
                         + COALESCE(saves, 0) END AS engagements
          FROM reporting_postmetricsnapshot
         WHERE post_id = ANY(%(posts)s)
      ) numbers
    WINDOW earlier AS (PARTITION BY post_id ORDER BY date
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
  ) g
 WHERE s.id = g.id
   AND (s.views_gain <> g.views_gain OR s.engagements_gain <> g.engagements_gain)
"""


def post_gains_refresh(*, post_ids: list[int]) -> None:
    """Recompute the per-day gains of these posts' snapshots (after any write to them,
    including one for a past date, which changes the gain of the day after it)."""
    with connection.cursor() as cursor:
        cursor.execute(GAINS_SQL, {"posts": list(post_ids)})
