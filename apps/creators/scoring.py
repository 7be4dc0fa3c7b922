"""Turn an account's raw numbers into the denormalised scores discovery filters on.

`account_scores()` is the one place that maps metrics.py results onto
SocialAccount fields: the recompute service, the importer and the synthetic
seeder all call it, so the list and the creator page always agree.
"""

from collections.abc import Sequence
from datetime import datetime

from . import metrics

SCORE_FIELDS = (
    "tier",
    "engagement_rate",
    "engagement_sample",
    "avg_views",
    "authenticity_score",
    "growth_30d",
    "posts_per_week",
    "has_sponsored",
)


def account_scores(
    *,
    platform: str,
    followers: int | None,
    following: int | None,
    posts_count: int | None,
    posts: Sequence[metrics.PostSample],
    snapshots: Sequence[metrics.Snapshot],
    bands: Sequence[metrics.BenchmarkBand],
    now: datetime,
) -> dict:
    rate = metrics.engagement_rate(platform, posts, followers, now)
    growth = metrics.follower_growth(snapshots, now.date()).get(30)
    authenticity = metrics.authenticity(
        platform, followers, following, posts_count, posts, snapshots, now, bands
    )
    frequency = metrics.posting_frequency(posts, now)
    avg_views = metrics.average_views(posts, now)
    return {
        "tier": metrics.tier_for(followers).value if followers is not None else "",
        "engagement_rate": rate.median,
        "engagement_sample": rate.sample_size,
        "avg_views": round(avg_views) if avg_views is not None else None,
        "authenticity_score": authenticity.score,
        "growth_30d": growth.percent if growth is not None else None,
        "posts_per_week": frequency.posts_per_week if frequency.post_count else None,
        "has_sponsored": any(metrics.find_disclosure_markers(post.caption) for post in posts),
    }
