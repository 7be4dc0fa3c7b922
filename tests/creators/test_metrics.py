"""Hand-checked tests for apps.creators.metrics (pure Python, no Django needed)."""

from datetime import UTC, datetime, timedelta

import pytest

from apps.creators.metrics import (
    _ANY_DISCLOSURE,
    _DISCLOSURE_PATTERNS,
    DEFAULT_BENCHMARKS,
    DISCLOSURE_HASHTAGS,
    DISCLOSURE_PHRASES,
    EXCLUDED_HIDDEN_LIKES,
    EXCLUDED_NO_FOLLOWERS,
    EXCLUDED_NO_VIEWS,
    EXCLUDED_TOO_RECENT,
    SIGNAL_WEIGHTS,
    TIER_BOUNDS,
    TIER_CHOICES,
    BenchmarkBand,
    PostSample,
    Snapshot,
    Tier,
    authenticity,
    average_views,
    benchmark_audience,
    benchmark_band,
    brand_safety_hits,
    compare_to_band,
    engagement_rate,
    find_disclosure_markers,
    follower_growth,
    format_percent,
    niche_relevance,
    posting_frequency,
    sponsorship_summary,
    tier_for,
)

DISCLOSURE_HASHTAGS_TAGGED = [f"#{tag}" for tag in DISCLOSURE_HASHTAGS]

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


def post(post_id: str, days_ago: float = 2, **fields) -> PostSample:
    return PostSample(post_id, NOW - timedelta(days=days_ago), **fields)


def snap(days_ago: int, followers: int | None, **fields) -> Snapshot:
    return Snapshot(TODAY - timedelta(days=days_ago), followers, **fields)


def signals_by_key(result) -> dict:
    return {s.key: s for s in result.signals}


# --- Tiers -------------------------------------------------------------------


def test_tier_boundaries_are_half_open_at_each_threshold():
    assert tier_for(0) is Tier.NANO
    assert tier_for(9_999) is Tier.NANO
    assert tier_for(10_000) is Tier.MICRO
    assert tier_for(99_999) is Tier.MICRO
    assert tier_for(100_000) is Tier.MID
    assert tier_for(499_999) is Tier.MID
    assert tier_for(500_000) is Tier.MACRO
    assert tier_for(999_999) is Tier.MACRO
    assert tier_for(1_000_000) is Tier.MEGA
    assert tier_for(250_000_000) is Tier.MEGA


def test_tier_bounds_are_contiguous_and_usable_as_choices():
    bounds = [TIER_BOUNDS[t] for t in Tier]
    assert bounds[0][0] == 0 and bounds[-1][1] is None
    assert all(prev[1] == nxt[0] for prev, nxt in zip(bounds, bounds[1:], strict=False))
    assert Tier.MICRO == "micro"
    assert Tier.MICRO.label == "Micro (10k–100k)"
    assert TIER_CHOICES[0] == ("nano", "Nano (<10k)")
    assert TIER_CHOICES[-1] == ("mega", "Mega (≥1M)")


# --- Engagement rate ---------------------------------------------------------


def test_instagram_rate_is_median_of_likes_plus_comments_over_followers():
    posts = [
        post("a", 3, likes=300, comments=20),  # 320 / 10,000 = 0.032
        post("b", 2, likes=400, comments=10),  # 410 / 10,000 = 0.041
        post("c", 4, likes=500, comments=50),  # 550 / 10,000 = 0.055
    ]
    er = engagement_rate("instagram", posts, 10_000, NOW)
    assert er.median == pytest.approx(0.041)
    assert er.mean == pytest.approx((0.032 + 0.041 + 0.055) / 3)  # 0.04267
    assert er.sample_size == 3
    assert er.outlier_skewed is False
    assert [p.post_id for p in er.posts] == ["b", "a", "c"]  # newest first
    assert er.formula.startswith("(likes + comments) / followers per post")


def test_tiktok_rate_adds_shares_and_divides_by_views():
    posts = [
        post("a", views=10_000, likes=800, comments=50, shares=150),  # 1000 / 10,000 = 0.10
        post("b", views=20_000, likes=1_000, comments=100, shares=100),  # 1200 / 20,000 = 0.06
    ]
    er = engagement_rate("TikTok", posts, followers=None, now=NOW)
    assert er.median == pytest.approx(0.08)  # (0.10 + 0.06) / 2
    assert er.platform == "tiktok"
    assert "(likes + comments + shares) / views" in er.formula


def test_youtube_rate_is_likes_plus_comments_over_views_without_shares():
    posts = [post("v", views=5_000, likes=200, comments=50, shares=999)]  # 250 / 5,000
    er = engagement_rate("youtube", posts, 1_000_000, NOW)
    assert er.median == pytest.approx(0.05)


def test_missing_comments_count_as_zero():
    er = engagement_rate("instagram", [post("a", likes=150, comments=None)], 1_000, NOW)
    assert er.median == pytest.approx(0.15)  # 150 / 1,000


def test_no_posts_gives_no_rate():
    er = engagement_rate("instagram", [], 10_000, NOW)
    assert er.median is None and er.mean is None
    assert er.sample_size == 0
    assert er.excluded == ()
    assert er.outlier_skewed is False


def test_instagram_hidden_likes_and_zero_like_count_are_excluded_not_zero():
    posts = [
        post("hidden", 2, likes=120, comments=3, likes_hidden=True),
        post("zero", 3, likes=0, comments=4),  # Graph API reports hidden likes as 0
        post("missing", 4, likes=None, comments=4),
        post("ok", 5, likes=100, comments=0),  # 100 / 1,000 = 0.1
    ]
    er = engagement_rate("instagram", posts, 1_000, NOW)
    assert er.median == pytest.approx(0.1)
    assert er.sample_size == 1
    assert [(e.post_id, e.reason) for e in er.excluded] == [
        ("hidden", EXCLUDED_HIDDEN_LIKES),
        ("zero", EXCLUDED_HIDDEN_LIKES),
        ("missing", EXCLUDED_HIDDEN_LIKES),
    ]


def test_zero_like_count_is_a_real_zero_on_youtube():
    er = engagement_rate("youtube", [post("v", views=1_000, likes=0, comments=5)], None, NOW)
    assert er.median == pytest.approx(0.005)  # (0 + 5) / 1,000


@pytest.mark.parametrize("followers", [0, None])
def test_zero_followers_excludes_every_instagram_post(followers):
    posts = [post("a", likes=10, comments=1), post("b", 3, likes=20, comments=2)]
    er = engagement_rate("instagram", posts, followers, NOW)
    assert er.median is None
    assert {e.reason for e in er.excluded} == {EXCLUDED_NO_FOLLOWERS}


def test_video_posts_without_views_are_excluded():
    posts = [
        post("none", 2, views=None, likes=10),
        post("zero", 3, views=0, likes=10),
        post("ok", 4, views=100, likes=10),  # 10 / 100 = 0.1
    ]
    er = engagement_rate("tiktok", posts, 5_000, NOW)
    assert er.median == pytest.approx(0.1)
    assert [(e.post_id, e.reason) for e in er.excluded] == [
        ("none", EXCLUDED_NO_VIEWS),
        ("zero", EXCLUDED_NO_VIEWS),
    ]


def test_posts_under_24_hours_old_are_excluded():
    posts = [
        post("fresh", timedelta(hours=23) / timedelta(days=1), likes=900),
        post("day_old", timedelta(hours=25) / timedelta(days=1), likes=100),  # 100 / 1,000
    ]
    er = engagement_rate("instagram", posts, 1_000, NOW)
    assert er.median == pytest.approx(0.1)
    assert [(e.post_id, e.reason) for e in er.excluded] == [("fresh", EXCLUDED_TOO_RECENT)]


def test_one_post_is_its_own_median_and_mean():
    er = engagement_rate("instagram", [post("a", likes=250, comments=50)], 10_000, NOW)
    assert er.median == er.mean == pytest.approx(0.03)  # 300 / 10,000
    assert er.sample_size == 1
    assert er.outlier_skewed is False


def test_viral_outlier_pulls_mean_above_median_and_sets_outlier_flag():
    posts = [
        post("a", 2, likes=100),  # 0.010
        post("b", 3, likes=100),  # 0.010
        post("c", 4, likes=120),  # 0.012
        post("viral", 5, likes=2_000),  # 0.200
    ]
    er = engagement_rate("instagram", posts, 10_000, NOW)
    assert er.median == pytest.approx(0.011)  # (0.010 + 0.012) / 2
    assert er.mean == pytest.approx(0.058)  # 0.232 / 4, more than 1.5 × 0.011
    assert er.outlier_skewed is True


def test_sample_is_limited_to_the_12_newest_eligible_posts():
    # Post d days old has 100·d likes: rate 0.01·d at 10,000 followers.
    posts = [post(f"p{d}", d, likes=100 * d) for d in range(1, 16)]
    er = engagement_rate("instagram", posts, 10_000, NOW)
    assert er.sample_size == 12
    assert [p.post_id for p in er.posts] == [f"p{d}" for d in range(1, 13)]
    assert er.median == pytest.approx(0.065)  # (0.06 + 0.07) / 2; all 15 would give 0.08
    assert "last 12 eligible posts" in er.formula


def test_ineligible_posts_do_not_use_up_the_sample_and_older_ones_are_not_listed():
    posts = [
        post("hidden", 1.5, likes=5, likes_hidden=True),
        post("a", 2, likes=10),
        post("b", 3, likes=30),
        post("older_hidden", 4, likes=0),
    ]
    er = engagement_rate("instagram", posts, 100, NOW, sample_size=2)
    assert [p.post_id for p in er.posts] == ["a", "b"]
    assert er.median == pytest.approx(0.2)  # (0.1 + 0.3) / 2
    assert [e.post_id for e in er.excluded] == ["hidden"]


def test_unknown_platform_is_rejected():
    with pytest.raises(ValueError, match="unknown platform"):
        engagement_rate("myspace", [], 10, NOW)


def test_average_views_skips_fresh_posts_and_audience_depends_on_platform():
    posts = [post("a", 2, views=1_000), post("b", 3, views=3_000), post("new", 0.5, views=900_000)]
    assert average_views(posts, NOW) == pytest.approx(2_000)  # (1,000 + 3,000) / 2
    assert benchmark_audience("tiktok", 50, posts, NOW) == pytest.approx(2_000)
    assert benchmark_audience("instagram", 50, posts, NOW) == 50
    assert average_views([], NOW) is None


# --- Benchmarks --------------------------------------------------------------


def test_default_benchmarks_follow_providers_md_and_have_no_youtube_band():
    ig_micro = benchmark_band("instagram", 20_000, DEFAULT_BENCHMARKS)
    assert (ig_micro.low, ig_micro.high) == (0.008, 0.011)
    tt_top = benchmark_band("tiktok", 5_000_000, DEFAULT_BENCHMARKS)
    assert (tt_top.low, tt_top.high, tt_top.max_audience) == (0.062, 0.068, None)
    assert {b.platform for b in DEFAULT_BENCHMARKS} == {"instagram", "tiktok"}
    assert benchmark_band("youtube", 20_000, DEFAULT_BENCHMARKS) is None


def test_benchmark_band_is_chosen_by_platform_and_half_open_audience():
    assert benchmark_band("instagram", 10_000, DEFAULT_BENCHMARKS).min_audience == 10_000
    assert benchmark_band("instagram", 9_999, DEFAULT_BENCHMARKS).min_audience == 5_000
    assert benchmark_band("instagram", 999, DEFAULT_BENCHMARKS) is None
    assert benchmark_band("TikTok", 50_000, DEFAULT_BENCHMARKS).low == 0.072
    assert benchmark_band("tiktok", None, DEFAULT_BENCHMARKS) is None


def test_compare_to_band_reads_at_a_glance():
    band = benchmark_band("instagram", 20_000, DEFAULT_BENCHMARKS)
    result = compare_to_band(0.041, band)
    assert result.verdict == "above"
    assert result.text == "4.1% — above the micro-tier median band (0.8–1.1%)"


def test_band_edges_count_as_within_and_video_bands_name_views():
    ig = benchmark_band("instagram", 20_000, DEFAULT_BENCHMARKS)
    assert compare_to_band(0.008, ig).verdict == "within"
    assert compare_to_band(0.011, ig).verdict == "within"
    assert compare_to_band(0.005, ig).text == "0.5% — below the micro-tier median band (0.8–1.1%)"
    tiktok = benchmark_band("tiktok", 20_000, DEFAULT_BENCHMARKS)
    assert compare_to_band(0.08, tiktok).text == (
        "8% — below the 10k–50k views median band (8.4–9.4%)"
    )


def test_missing_band_gives_no_benchmark():
    result = compare_to_band(0.041, None)
    assert result.verdict is None
    assert result.text == "4.1% — no benchmark"


def test_operator_edited_bands_replace_the_defaults():
    bands = [BenchmarkBand("youtube", 10_000, None, 0.02, 0.03)]
    result = compare_to_band(0.025, benchmark_band("YouTube", 40_000, bands))
    assert result.verdict == "within"
    assert result.text == "2.5% — within the 10k+ views median band (2–3%)"
    assert benchmark_band("instagram", 40_000, bands) is None


def test_format_percent_trims_trailing_zeros():
    assert format_percent(0.041) == "4.1%"
    assert format_percent(0.0075) == "0.75%"
    assert format_percent(0.12) == "12%"


# --- Follower growth ---------------------------------------------------------


def test_growth_for_7_30_90_days_from_daily_snapshots():
    # followers d days ago = 10,000 − 10·d
    growth = follower_growth([snap(d, 10_000 - 10 * d) for d in range(101)], TODAY)
    assert (growth[7].start_followers, growth[7].delta) == (9_930, 70)
    assert growth[7].percent == pytest.approx(70 / 9_930)  # 0.70%
    assert (growth[30].delta, growth[30].percent) == (300, pytest.approx(300 / 9_700))
    assert (growth[90].delta, growth[90].percent) == (900, pytest.approx(900 / 9_100))
    assert growth[90].end_date == TODAY


def test_growth_with_gaps_uses_nearest_snapshot_on_or_before_the_target():
    snapshots = [
        snap(0, 12_000),
        snap(5, 11_500),
        snap(6, None),  # a failed refresh: ignored
        snap(10, 11_000),
        snap(40, 10_000),
        snap(-1, 99_999),  # future date: ignored
    ]
    growth = follower_growth(snapshots, TODAY)
    # 7 days: target is 7 days ago, nearest on or before is 10 days ago (11,000).
    assert growth[7].start_date == TODAY - timedelta(days=10)
    assert growth[7].delta == 1_000
    assert growth[7].percent == pytest.approx(1_000 / 11_000)  # 9.09%
    # 30 days: nearest on or before is 40 days ago (10,000): +2,000 = +20%.
    assert (growth[30].delta, growth[30].percent) == (2_000, pytest.approx(0.2))
    assert growth[90] is None


def test_growth_is_none_when_history_is_too_short():
    growth = follower_growth([snap(d, 500) for d in range(4)], TODAY)
    assert growth == {7: None, 30: None, 90: None}
    assert follower_growth([], TODAY) == {7: None, 30: None, 90: None}


def test_growth_is_none_when_latest_snapshot_is_older_than_the_window_start():
    growth = follower_growth([snap(20, 1_500), snap(60, 1_000)], TODAY)
    assert growth[7] is None  # latest snapshot (20 days ago) predates the 7-day window
    assert growth[30].delta == 500  # 1,000 → 1,500
    assert growth[90] is None


def test_growth_percent_is_none_from_zero_followers():
    growth = follower_growth([snap(0, 50), snap(8, 0)], TODAY)
    assert (growth[7].delta, growth[7].percent) == (50, None)


# --- Posting frequency -------------------------------------------------------


def test_posting_frequency_counts_posts_per_week_and_format_mix():
    posts = [post(f"r{i}", 1 + i * 7, format="Reel") for i in range(12)]
    posts += [post(f"i{i}", 2 + i * 14, format="image") for i in range(6)]
    posts += [post("old", 100, format="image"), post("future", -1, format="image")]
    freq = posting_frequency(posts, NOW)
    assert freq.post_count == 18
    assert freq.posts_per_week == pytest.approx(1.4)  # 18 / (90 / 7)
    assert freq.format_counts == {"reel": 12, "image": 6}
    assert list(freq.format_counts) == ["reel", "image"]
    assert freq.format_shares == {"reel": pytest.approx(2 / 3), "image": pytest.approx(1 / 3)}


def test_posting_frequency_without_posts_is_zero_and_blank_format_is_unknown():
    empty = posting_frequency([], NOW, days=30)
    assert (empty.post_count, empty.posts_per_week, empty.format_counts) == (0, 0.0, {})
    freq = posting_frequency([post("a", 3, format=" ")], NOW, days=7)
    assert freq.posts_per_week == pytest.approx(1.0)  # 1 / (7 / 7)
    assert freq.format_shares == {"unknown": 1.0}


# --- Disclosure markers and sponsorship --------------------------------------


def test_disclosure_hashtags_match_case_insensitively_in_order():
    caption = "Loving this serum! #Sponsored by nobody… #AD #skincare"
    assert find_disclosure_markers(caption) == ["#sponsored", "#ad"]


def test_adventure_is_not_an_ad_disclosure():
    assert find_disclosure_markers("#adventure #adidas #ad_campaign #partners #collabs") == []
    assert find_disclosure_markers("an ad-free life, not sponsored") == []
    assert find_disclosure_markers("") == []


@pytest.mark.parametrize(
    "caption",
    [
        *(f"nice {marker} day" for marker in (*DISCLOSURE_HASHTAGS_TAGGED, *DISCLOSURE_PHRASES)),
        *(f"{marker.upper()}!" for marker in (*DISCLOSURE_HASHTAGS_TAGGED, *DISCLOSURE_PHRASES)),
        "#adventure #ad_campaign ##ad x#ad sponsoredby paid-partnership",
        "#Ads", "in\tpartnership\n with", "pre#ad", "#ad#ad", "Ad #AD_ #ad1 #ad.",
    ],
)  # fmt: skip
def test_the_quick_disclosure_check_agrees_with_the_marker_by_marker_search(caption):
    """find_disclosure_markers() skips captions the one combined pattern rules out."""
    one_pass = bool(_ANY_DISCLOSURE.search(caption))
    assert one_pass == any(pattern.search(caption) for _, pattern in _DISCLOSURE_PATTERNS)


def test_disclosure_phrases_and_other_markers_are_found():
    assert find_disclosure_markers("Paid  Partnership with Acme") == ["paid partnership"]
    assert find_disclosure_markers("sponsored\nby Acme") == ["sponsored by"]
    caption = "#Werbung #anzeige #gifted #collab #partner #paidpartnership #ad."
    assert find_disclosure_markers(caption) == [
        "#werbung",
        "#anzeige",
        "#gifted",
        "#collab",
        "#partner",
        "#paidpartnership",
        "#ad",
    ]


def test_sponsorship_summary_compares_sponsored_median_to_organic():
    posts = [
        post("s1", 2, likes=100, caption="New drop #ad"),  # 100 / 10,000 = 0.01
        post("s2", 9, likes=200, caption="paid partnership with Acme"),  # 0.02
        post("o1", 3, likes=300, caption="#adventure day"),  # 0.03
        post("o2", 4, likes=400),  # 0.04
        post("o3", 5, likes=500),  # 0.05
    ]
    summary = sponsorship_summary("instagram", posts, 10_000, NOW)
    assert summary.sponsored_count == 2
    assert summary.sponsored_post_ids == ("s1", "s2")
    assert summary.markers == {"s1": ["#ad"], "s2": ["paid partnership"]}
    assert summary.sponsored.median == pytest.approx(0.015)  # (0.01 + 0.02) / 2
    assert summary.organic.median == pytest.approx(0.04)
    assert summary.overall.median == pytest.approx(0.03)  # median of all five
    assert summary.ratio == pytest.approx(0.375)  # 0.015 / 0.04


def test_sponsorship_summary_without_sponsored_posts_has_no_ratio():
    summary = sponsorship_summary("instagram", [post("o", likes=10)], 1_000, NOW)
    assert summary.sponsored_count == 0
    assert summary.sponsored.median is None
    assert summary.ratio is None


# --- Brand safety ------------------------------------------------------------


def test_brand_safety_matches_whole_words_and_phrases_case_insensitively():
    posts = [
        post("a", 2, caption="Big win at the CASINO tonight"),
        post("b", 3, caption="casinos and scasino do not count"),
        post("c", 4, caption="No Hate\n  Speech here"),
    ]
    hits = brand_safety_hits(posts, ["casino", "hate speech", "  "])
    assert [(h.post_id, h.keyword) for h in hits] == [("a", "casino"), ("c", "hate speech")]
    assert hits[0].excerpt == "Big win at the CASINO tonight"
    assert hits[1].excerpt == "No Hate Speech here"


def test_brand_safety_excerpt_is_trimmed_around_the_hit():
    caption = "x" * 100 + " gambling " + "y" * 100
    (hit,) = brand_safety_hits([post("a", caption=caption)], ["Gambling"])
    assert hit.keyword == "Gambling"
    assert hit.excerpt.startswith("…") and hit.excerpt.endswith("…")
    assert "gambling" in hit.excerpt
    assert len(hit.excerpt) == 2 + 40 + len("gambling") + 40  # ellipses + 40 chars each side


# --- Niche relevance ---------------------------------------------------------


def test_relevance_weights_tags_over_bio_over_captions():
    relevance = niche_relevance(
        target_niches=["Fitness", "Vegan", "Yoga"],
        keywords=["crypto", "golf"],
        creator_tags=["fitness"],
        bio="Vegan cook in Berlin",
        captions=["morning #yoga flow"],
    )
    # (tags 1.0 + bio 0.7 + captions 0.4 + 0 + 0) / 5 terms = 0.42
    assert relevance.score == 42
    assert relevance.matched_words == ("fitness", "vegan", "yoga")
    assert [m.found_in for m in relevance.matches] == ["tags", "bio", "captions"]


def test_relevance_takes_the_best_place_a_term_appears():
    relevance = niche_relevance(["travel"], [], ["Travel"], "travel", ["#travel"])
    assert relevance.score == 100
    assert relevance.matches[0].found_in == "tags"


def test_relevance_treats_hashtags_and_plurals_as_words_but_not_substrings():
    relevance = niche_relevance(
        ["home workout"], ["#art"], [], "", ["New #home workouts every day", "party time"]
    )
    # "home workout" found in captions (0.4); "art" is not in "party": 0.4 / 2 = 0.2
    assert relevance.score == 20
    assert relevance.matched_words == ("home workout",)


def test_relevance_counts_duplicate_terms_once_and_scores_zero_without_terms():
    assert niche_relevance(["Fitness"], ["#fitness"], ["fitness"], "", []).score == 100
    assert niche_relevance([], [], ["fitness"], "fitness", []).score == 0


# --- Authenticity ------------------------------------------------------------

GENUINE_COMMENTS = [
    "Where did you buy that jacket?",
    "Tried the recipe last night, the kids loved it",
    "How long did the dough rest?",
    "Your light in this shot is unreal",
    "Is the cafe open on Sundays?",
    "I laughed way too hard at the second slide",
    "Can you do a vegan version next?",
    "That view from the bridge, wow, which city is it?",
    "Saving this for my trip in May",
    "The colour grading got so much better this year",
    "Which lens is this?",
    "Finally someone explains it properly",
]
BOT_COMMENTS = ["Nice pic", "🔥🔥🔥", "nice pic!", "Great post", "Follow me", "❤️", "wow"] * 2 + [
    "Which lens is this?",
    "love it",
]


def steady_history(days: int, end_followers: int, jumps: dict[int, int] | None = None):
    """Daily snapshots alternating +15/+25 a day, plus the given {days_ago: extra} jumps."""
    followers, history = end_followers, []
    for d in range(days + 1):
        history.append(snap(d, followers))
        followers -= (15 if d % 2 else 25) + (jumps or {}).get(d, 0)
    return history


def test_healthy_account_scores_high():
    posts = [post(f"p{d}", d * 3, likes=200, comments=8) for d in range(1, 13)]
    result = authenticity(
        "instagram",
        followers=20_000,
        following=800,
        posts_count=400,
        posts=posts,
        snapshots=steady_history(30, 20_000),
        now=NOW,
        bands=DEFAULT_BENCHMARKS,
        comments=GENUINE_COMMENTS,
    )
    signals = signals_by_key(result)
    assert result.score == 100
    assert result.flagged == ()
    # ER 208 / 20,000 = 1.04%, inside the micro band 0.8–1.1%
    assert signals["engagement_rate"].value == pytest.approx(0.0104)
    assert signals["engagement_rate"].verdict == "ok"
    assert signals["comments_to_likes"].value == pytest.approx(0.04)  # 8 / 200
    assert signals["likes_to_views"].verdict == "unknown"  # Instagram: no views
    for signal in result.signals:
        assert signal.weight == SIGNAL_WEIGHTS[signal.key]
        assert signal.normal_range and signal.explanation and signal.label


def test_bot_like_account_scores_low_with_the_right_signals_flagged():
    posts = [post(f"p{d}", d * 2, likes=50, comments=0) for d in range(1, 13)]
    result = authenticity(
        "instagram",
        followers=50_000,
        following=60_000,
        posts_count=12,
        posts=posts,
        snapshots=steady_history(30, 50_000, jumps={10: 5_000, 20: 5_000}),
        now=NOW,
        bands=DEFAULT_BENCHMARKS,
        comments=BOT_COMMENTS,
    )
    signals = signals_by_key(result)
    verdicts = {key: s.verdict for key, s in signals.items()}
    assert verdicts == {
        "engagement_rate": "bad",  # 50 / 50,000 = 0.1% < 0.3 × 0.75% = 0.225%
        "comments_to_likes": "bad",  # 0 / 50 = 0 < 0.1%
        "likes_to_views": "unknown",
        "follower_jumps": "bad",  # two +5,000 days, no viral post
        "following_ratio": "bad",  # 60,000 / 50,000 = 1.2 > 1
        "post_count": "ok",  # 50,000 / 12 ≈ 4,167 followers per post
        "comment_quality": "bad",  # 15 of 16 generic/repeated/emoji-only
    }
    # measured weight 25+15+20+10+10+15 = 95, penalties 25+15+20+10+0+15 = 85
    # score = 100 × (1 − 85/95) = 10.53 → 11
    assert result.score == 11
    assert signals["follower_jumps"].value == 2.0
    assert (TODAY - timedelta(days=10)).isoformat() in signals["follower_jumps"].explanation
    assert signals["comment_quality"].value == pytest.approx(15 / 16)
    assert signals["following_ratio"].value == pytest.approx(1.2)
    assert signals["engagement_rate"].explanation.startswith(
        "0.1% — below the micro-tier median band (0.75–1%)"
    )


def test_single_unexplained_follower_jump_is_a_warning():
    result = authenticity(
        "instagram", 50_000, None, None, [], steady_history(30, 50_000, {10: 5_000}), NOW, []
    )
    jumps = signals_by_key(result)["follower_jumps"]
    assert (jumps.value, jumps.verdict) == (1.0, "warning")
    assert result.score == 50  # only measured signal: 20 × 0.5 penalty out of 20


def test_follower_jump_matched_by_a_viral_post_is_not_flagged():
    posts = [post(f"p{d}", d * 3, likes=200) for d in range(1, 10)]
    posts.append(post("viral", 11, likes=9_000))  # 45× the median reach, a day before the jump
    history = steady_history(30, 50_000, {10: 5_000})
    jumps = signals_by_key(authenticity("instagram", 50_000, None, None, posts, history, NOW, []))
    assert jumps["follower_jumps"].verdict == "ok"
    assert "1 jump(s) matched by a viral post" in jumps["follower_jumps"].explanation


def test_short_follower_history_leaves_jumps_unknown():
    result = authenticity("instagram", 1_000, None, None, [], steady_history(5, 1_000), NOW, [])
    assert signals_by_key(result)["follower_jumps"].verdict == "unknown"
    assert result.score is None  # nothing measurable at all


@pytest.mark.parametrize(
    ("following", "verdict", "score"),
    [(500, "ok", 100), (750, "warning", 50), (1_200, "bad", 0)],
)
def test_unknown_signals_do_not_penalise_and_leave_the_weight_total(following, verdict, score):
    # Only following/followers is measurable: its verdict alone sets the score.
    result = authenticity("instagram", 1_000, following, None, [], [], NOW, DEFAULT_BENCHMARKS)
    assert signals_by_key(result)["following_ratio"].verdict == verdict
    assert result.score == score
    assert sum(s.verdict != "unknown" for s in result.signals) == 1


@pytest.mark.parametrize(
    ("followers", "posts_count", "verdict"),
    [(50_000, 10, "ok"), (50_000, 1, "warning"), (500_000, 0, "bad")],
)
def test_post_count_very_low_for_follower_count_is_flagged(followers, posts_count, verdict):
    # 50,000/10 = 5,000 ok; 50,000/1 = 50,000 > 20,000; 500,000/max(0, 1) > 100,000
    result = authenticity("instagram", followers, None, posts_count, [], [], NOW, [])
    assert signals_by_key(result)["post_count"].verdict == verdict


def test_tiktok_likes_to_views_far_too_low_is_flagged():
    posts = [post(f"v{d}", d, views=100_000, likes=100, comments=5, shares=5) for d in range(2, 8)]
    result = authenticity("tiktok", 30_000, 100, 50, posts, [], NOW, DEFAULT_BENCHMARKS)
    signals = signals_by_key(result)
    assert signals["likes_to_views"].value == pytest.approx(0.001)  # 100 / 100,000
    assert signals["likes_to_views"].verdict == "bad"  # < 0.3%
    # ER 110 / 100,000 = 0.11% vs the 100k–500k-views band 6.7–7.4%: far below
    assert signals["engagement_rate"].verdict == "bad"
    assert signals["comments_to_likes"].value == pytest.approx(0.05)  # 5 / 100


def test_engagement_far_above_the_band_is_flagged_and_missing_band_is_unknown():
    posts = [post(f"p{d}", d + 1, likes=2_000, comments=100) for d in range(5)]
    result = authenticity("instagram", 20_000, None, None, posts, [], NOW, DEFAULT_BENCHMARKS)
    # 2,100 / 20,000 = 10.5% > 6 × 1.1% = 6.6%
    assert signals_by_key(result)["engagement_rate"].verdict == "bad"
    no_band = authenticity("youtube", 20_000, None, None, posts, [], NOW, DEFAULT_BENCHMARKS)
    assert signals_by_key(no_band)["engagement_rate"].verdict == "unknown"


def test_comment_quality_needs_enough_comments():
    few = authenticity("instagram", None, None, None, [], [], NOW, [], comments=["nice"] * 3)
    assert signals_by_key(few)["comment_quality"].verdict == "unknown"


def test_format_percent_keeps_whole_numbers_at_zero_decimals():
    from apps.creators.metrics import format_percent

    assert format_percent(0.5, 0) == "50%"
    assert format_percent(0.041) == "4.1%"
