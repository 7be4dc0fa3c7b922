"""The creator page: every section with hand-checked numbers, and the actions on it."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.creators import metrics, services
from apps.creators.models import (
    AccountSnapshot,
    BenchmarkBand,
    BlockedKeyword,
    Creator,
    CreatorFlag,
    CreatorNote,
    SocialAccount,
)
from tests.factories import (
    AccountSnapshotFactory,
    CreatorFactory,
    NicheFactory,
    PostFactory,
    SocialAccountFactory,
)

FOLLOWERS = 20_000
ORGANIC = {"likes": 660, "comments": 20}  # 680 / 20,000 = 3.4%
SPONSORED = {"likes": 400, "comments": 20}  # 420 / 20,000 = 2.1%


def ensure_benchmark_bands() -> None:
    """The bands are migration data, which a transactional (browser) test's flush removes."""
    for band in metrics.DEFAULT_BENCHMARKS:
        BenchmarkBand.objects.get_or_create(
            platform=band.platform,
            min_audience=band.min_audience,
            defaults={"max_audience": band.max_audience, "low": band.low, "high": band.high},
        )


@pytest.fixture(autouse=True)
def benchmark_bands(db):
    ensure_benchmark_bands()


@dataclass
class Seeded:
    creator: Creator
    account: SocialAccount
    casino_post_url: str


def seed_vetted_creator(workspace, *, blocklist=("casino",)) -> Seeded:
    """Maya: an Instagram micro account with 91 daily snapshots and 14 recent posts.

    Followers grow by 20 a day to 20,000 today. Of the 14 posts, the newest is 2 hours
    old and the next has hidden likes (both left out of the rate); the other 12 are
    9 organic posts at 3.4% and 3 sponsored (#ad) at 2.1%. One caption mentions a casino.
    """
    now = timezone.now()
    creator = CreatorFactory(workspace=workspace, name="Maya Lopez", email="maya@mail.test")
    creator.niches.set(
        [
            NicheFactory(workspace=workspace, name="Beauty"),
            NicheFactory(workspace=workspace, name="Skincare"),
        ]
    )
    account = SocialAccountFactory(
        creator=creator,
        handle="maya.glow",
        followers=FOLLOWERS,
        following=400,
        posts_count=300,
        stats_updated_at=now - timedelta(days=3, hours=1),
    )
    for days_ago in range(91):
        AccountSnapshotFactory(
            account=account,
            date=now.date() - timedelta(days=days_ago),
            followers=FOLLOWERS - 20 * days_ago,
            avg_views=5_000 + 10 * (90 - days_ago),
            engagement_rate=0.034,
        )
    PostFactory(account=account, published_at=now - timedelta(hours=2), caption="Fresh", **ORGANIC)
    PostFactory(
        account=account,
        published_at=now - timedelta(days=1, hours=6),
        likes_hidden=True,
        caption="Hidden likes",
        **ORGANIC,
    )
    formats = ["reel", "photo", "photo", "carousel"]
    casino_url = ""
    for i in range(12):
        sponsored = i in (2, 5, 8)
        caption = "Glow serum #ad" if sponsored else f"Morning routine {i}"
        if i == 4:
            caption = "Big night at the casino with friends"
        post = PostFactory(
            account=account,
            published_at=now - timedelta(days=2 + 5 * i),
            caption=caption,
            format=formats[i % 4],
            **(SPONSORED if sponsored else ORGANIC),
        )
        if i == 4:
            casino_url = post.url
    for keyword in blocklist:
        BlockedKeyword.objects.create(workspace=workspace, keyword=keyword)
    services.accounts_recompute(account_ids=[account.pk], now=now)
    account.refresh_from_db()
    return Seeded(creator, account, casino_url)


def page_url(creator) -> str:
    return reverse("creator_detail", args=[creator.pk])


def text_of(response) -> str:
    return " ".join(response.content.decode().split())


# --- What the page shows ------------------------------------------------------------


def test_header_shows_name_country_language_niches_email_and_edit_link(team, owner_client):
    seeded = seed_vetted_creator(team.workspace)
    response = owner_client.get(page_url(seeded.creator))
    assert response.status_code == 200
    html = text_of(response)
    assert "<h1>Maya Lopez</h1>" in html
    assert "<dd>GB</dd>" in html and "<dd>en</dd>" in html
    assert '<span class="badge">Beauty</span>' in html
    assert '<span class="badge">Skincare</span>' in html
    assert 'href="mailto:maya@mail.test"' in html
    assert f'href="{reverse("creator_edit", args=[seeded.creator.pk])}"' in html


def test_account_shows_its_numbers_source_and_age(team, owner_client):
    seeded = seed_vetted_creator(team.workspace)
    html = text_of(owner_client.get(page_url(seeded.creator)))
    assert 'href="https://www.instagram.com/maya.glow/"' in html
    assert "<dt>Followers</dt><dd>20,000</dd>" in html
    assert "<dt>Following</dt><dd>400</dd>" in html
    assert "<dt>Posts</dt><dd>300</dd>" in html
    assert "Source: <strong>Platform API</strong>" in html
    assert "updated 3 days ago" in html
    assert "stale" not in html.split("updated 3 days ago")[1][:40]
    assert reverse("account_stats_edit", args=[seeded.account.pk]) in html


def test_stats_older_than_a_week_are_marked_stale_and_missing_ones_never_refreshed(
    team, owner_client
):
    creator = CreatorFactory(workspace=team.workspace)
    old = SocialAccountFactory(
        creator=creator, platform="tiktok", stats_updated_at=timezone.now() - timedelta(days=10)
    )
    SocialAccountFactory(
        creator=creator,
        platform="youtube",
        stats_updated_at=None,
        stats_source="manual",
        refresh_status=SocialAccount.RefreshStatus.UNREACHABLE,
        followers=None,
    )
    html = text_of(owner_client.get(page_url(creator)))
    assert "updated 1 week ago (stale: older than 7 days)" in html
    assert "never refreshed" in html
    assert "No API can reach this account: numbers come from import or manual entry" in html
    assert f'id="account-{old.pk}"' in html


def test_growth_deltas_and_charts_come_from_the_snapshots(team, owner_client):
    seeded = seed_vetted_creator(team.workspace)
    html = text_of(owner_client.get(page_url(seeded.creator)))
    # 20 followers a day: 19,860 a week ago, 19,400 a month ago, 18,200 90 days ago.
    assert '<dt>7 days</dt><dd class="up">+140 (+0.7%)</dd>' in html  # 140 / 19,860
    assert '<dt>30 days</dt><dd class="up">+600 (+3.1%)</dd>' in html  # 600 / 19,400
    assert '<dt>90 days</dt><dd class="up">+1,800 (+9.9%)</dd>' in html  # 1,800 / 18,200
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 3
    assert "Followers, last 90 days (@maya.glow)" in html
    assert "Average views, last 90 days" in html and "Engagement rate, last 90 days" in html
    # The chart window is 90 days, so the snapshot of 90 days ago (18,200) is not drawn.
    assert "lowest 18,220" in html and "highest 20,000" in html


def test_engagement_rate_reads_against_the_tier_band_with_its_sample(team, owner_client):
    seeded = seed_vetted_creator(team.workspace)
    html = text_of(owner_client.get(page_url(seeded.creator)))
    # Median of nine posts at 3.4% and three at 2.1%; the micro band is 0.8–1.1%.
    assert "3.4% — above the micro-tier median band (0.8–1.1%)" in html
    assert "(likes + comments) / followers per post, median over the last 12 eligible posts" in html
    assert "<dt>Median</dt><dd>3.4%</dd>" in html
    mean = metrics.format_percent((9 * 680 + 3 * 420) / 12 / FOLLOWERS)
    assert f"<dt>Mean</dt><dd>{mean}</dd>" in html
    assert "Viral outlier" not in html
    assert "<dt>Sample</dt><dd>12 posts</dd>" in html
    assert "Band chosen by followers: 20,000" in html
    assert ": under 24 hours old</li>" in html
    assert ": hidden likes</li>" in html


def test_a_viral_post_flags_the_mean_as_skewed(team, owner_client):
    account = SocialAccountFactory(creator__workspace=team.workspace, followers=10_000)
    now = timezone.now()
    for i, likes in enumerate([100, 100, 3_000]):  # 1%, 1%, 30%: mean 10.7% vs median 1%
        PostFactory(
            account=account, published_at=now - timedelta(days=2 + i), likes=likes, comments=0
        )
    html = text_of(owner_client.get(page_url(account.creator)))
    assert "Viral outlier" in html


def test_posting_frequency_and_format_mix_cover_ninety_days(team, owner_client):
    seeded = seed_vetted_creator(team.workspace)
    html = text_of(owner_client.get(page_url(seeded.creator)))
    # 14 posts in 90 days = 14 / (90 / 7) = 1.09 a week.
    assert "1.1 posts/week over the last 90 days (14 posts)" in html
    # Formats: 2 fixture photos + 6 photos, 3 reels, 3 carousels.
    assert "<li>Photo: 8 (57.1%)</li>" in html
    assert "<li>Carousel: 3 (21.4%)</li>" in html
    assert "<li>Reel: 3 (21.4%)</li>" in html


def test_authenticity_table_lists_every_signal_with_range_weight_and_verdict(team, owner_client):
    seeded = seed_vetted_creator(team.workspace)
    html = text_of(owner_client.get(page_url(seeded.creator)))
    rows = {
        # 3.4% is above 3 × 1.1% = 3.3%: engagement higher than the tier explains.
        "engagement_rate": ("Engagement rate for the tier", "3.4%", "0.48%–3.3%", "25", "warning"),
        # 20 comments per 660 likes.
        "comments_to_likes": ("Comments per like", "3.03%", "0.3%–15%", "15", "ok"),
        "likes_to_views": ("Likes per view", "—", "1%–25%", "15", "unknown"),
        "follower_jumps": ("Unexplained follower jumps", "0", "≤ 0", "20", "ok"),
        "following_ratio": ("Following / followers", "0.02", "≤ 0.5", "10", "ok"),
        "post_count": ("Followers per post", "67", "≤ 20,000", "10", "ok"),
        "comment_quality": ("Generic or repeated comments", "—", "≤ 30%", "15", "unknown"),
    }
    for key, (label, value, normal, weight, verdict) in rows.items():
        row = html.split(f'<tr class="signal-{key}">')[1].split("</tr>")[0]
        cells = [label, value, normal, weight]
        assert f'<th scope="row">{label}</th>' in row
        assert all(f"<td>{cell}</td>" in row for cell in cells[1:]), (key, row)
        assert f">{verdict}</span>" in row, (key, row)
    # Measured weights 25 + 15 + 20 + 10 + 10 = 80; the warning costs 12.5.
    assert "Authenticity: 84/100" in html
    assert "= 100 × (1 − 12.5 ÷ 80) = 84" in html
    assert "Score = 100 × (1 − Σ weight × penalty ÷ Σ weight of the measured signals)" in html
    assert seeded.account.authenticity_score == 84  # the list shows the same score


def test_recent_posts_show_counts_hidden_likes_and_sponsorship_markers(team, owner_client):
    seeded = seed_vetted_creator(team.workspace)
    html = text_of(owner_client.get(page_url(seeded.creator)))
    table = html.split('<table class="posts">')[1].split("</table>")[0]
    assert table.count("<tr id=") == 12  # the last 12 of 14
    assert "Likes hidden" in table
    assert table.count("Sponsored: #ad") == 3
    assert "<td>660</td> <td>20</td>" in table
    assert "left out: under 24 hours old" in table
    assert "Sponsored posts: 3, median ER 2.1% vs 3.4% organic (0.6×)" in html


def test_blocklist_hits_link_to_the_post(team, owner_client):
    seeded = seed_vetted_creator(team.workspace, blocklist=("casino", "vape"))
    html = text_of(owner_client.get(page_url(seeded.creator)))
    hits = html.split('<ul class="safety-hits">')[1].split("</ul>")[0]
    assert '<span class="badge bad">casino</span>' in hits
    assert f'href="{seeded.casino_post_url}"' in hits
    assert "<q>Big night at the casino with friends</q>" in hits
    assert "vape" not in hits
    assert "2 keywords" in html
    assert f'href="{reverse("blocklist")}"' in html


def test_page_without_accounts_still_renders(team, owner_client):
    creator = CreatorFactory(workspace=team.workspace)
    response = owner_client.get(page_url(creator))
    assert response.status_code == 200
    assert "No social accounts yet." in response.content.decode()


def test_query_count_does_not_grow_with_posts_and_snapshots(
    team, owner_client, django_assert_max_num_queries
):
    creator = CreatorFactory(workspace=team.workspace)
    today = timezone.now()
    for platform in ("instagram", "tiktok", "youtube"):
        account = SocialAccountFactory(creator=creator, platform=platform)
        AccountSnapshot.objects.bulk_create(
            AccountSnapshot(
                account=account,
                date=today.date() - timedelta(days=d),
                followers=25_000 - d,
                avg_views=4_000,
                engagement_rate=0.02,
            )
            for d in range(90)
        )
        for i in range(20):
            PostFactory(
                account=account,
                published_at=today - timedelta(days=1 + i * 3),
                views=5_000,
                caption="#ad casino" if i % 5 == 0 else "Hello",
            )
    BlockedKeyword.objects.create(workspace=team.workspace, keyword="casino")
    CreatorNote.objects.create(
        workspace=team.workspace, creator=creator, body="Hi", author=team.owner
    )
    CreatorFlag.objects.create(
        workspace=team.workspace, creator=creator, kind="tone", created_by=team.owner
    )
    small = SocialAccountFactory(creator__workspace=team.workspace).creator
    with django_assert_max_num_queries(12) as baseline:
        owner_client.get(page_url(small))
    with django_assert_max_num_queries(12) as captured:
        response = owner_client.get(page_url(creator))
    assert response.status_code == 200
    assert len(captured) == len(
        baseline
    )  # 3 accounts × (90 snapshots + 20 posts) cost nothing extra


# --- Manual stats ------------------------------------------------------------------


def test_manual_stats_entry_upserts_todays_snapshot_and_rescores(team, owner_client):
    account = SocialAccountFactory(
        creator__workspace=team.workspace,
        followers=9_000,
        refresh_status=SocialAccount.RefreshStatus.PENDING,
        stats_source="import",
    )
    url = reverse("account_stats_edit", args=[account.pk])
    form = owner_client.get(url)
    assert form.status_code == 200 and 'value="9000"' in form.content.decode()

    response = owner_client.post(
        url, {"followers": "21000", "following": "300", "posts_count": "120"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{page_url(account.creator)}#account-{account.pk}"
    account.refresh_from_db()
    assert (account.followers, account.following, account.posts_count) == (21_000, 300, 120)
    assert account.stats_source == "manual"
    assert account.tier == "micro"  # was scored as nano before: rescored on save
    assert account.scores_updated_at is not None
    assert account.refresh_status == SocialAccount.RefreshStatus.UNREACHABLE

    owner_client.post(url, {"followers": "21500"})
    snapshots = AccountSnapshot.objects.filter(account=account)
    assert snapshots.count() == 1  # one per day: the second entry replaced the first
    snapshot = snapshots.get()
    assert (snapshot.date, snapshot.followers, snapshot.source) == (
        timezone.now().date(),
        21_500,
        "manual",
    )

    html = text_of(owner_client.get(page_url(account.creator)))
    assert "Source: <strong>Entered by hand</strong>" in html
    assert "updated just now" in html


def test_manual_stats_refuse_negative_numbers_and_keep_input(team, owner_client):
    account = SocialAccountFactory(creator__workspace=team.workspace)
    response = owner_client.post(
        reverse("account_stats_edit", args=[account.pk]), {"followers": "-5", "following": "12"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "greater than or equal to 0" in html
    assert 'value="-5"' in html and 'value="12"' in html
    assert not AccountSnapshot.objects.filter(account=account).exists()


# --- Flags ---------------------------------------------------------------------------


def test_flag_toggles_with_a_plain_post(team, owner_client):
    creator = CreatorFactory(workspace=team.workspace)
    url = reverse("creator_flag", args=[creator.pk])
    response = owner_client.post(url, {"kind": "controversial", "note": "Old tweets"})
    assert response.status_code == 302
    assert response["Location"] == f"{page_url(creator)}#flags"
    flag = CreatorFlag.objects.get(creator=creator)
    assert (flag.kind, flag.note, flag.created_by, flag.workspace) == (
        "controversial",
        "Old tweets",
        team.owner,
        team.workspace,
    )
    html = text_of(owner_client.get(page_url(creator)))
    assert '<span class="badge bad" title="Old tweets">Controversial</span>' in html
    assert "Flagged: Controversial." in html
    assert "Old tweets" in html.split('id="flags"')[1]

    owner_client.post(url, {"kind": "controversial"})
    assert not CreatorFlag.objects.filter(creator=creator).exists()


def test_flag_toggle_over_htmx_returns_the_flags_fragment(team):
    creator = CreatorFactory(workspace=team.workspace)
    client = team.client_for(team.teammate)
    url = reverse("creator_flag", args=[creator.pk])
    response = client.post(url, {"kind": "do_not_contact"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = text_of(response)
    assert html.startswith('<section id="flags"')
    assert "<html" not in html
    assert "Remove: Do not contact" in html
    assert 'id="flag-badges" class="flag-badges" hx-swap-oob="true"' in html
    assert ">Do not contact</span>" in html.split('id="flag-badges"')[1]
    assert response["Vary"].count("HX-Request")
    assert CreatorFlag.objects.get(creator=creator).created_by == team.teammate

    response = client.post(url, {"kind": "do_not_contact"}, HTTP_HX_REQUEST="true")
    assert "Flag: Do not contact" in text_of(response)
    assert not CreatorFlag.objects.exists()


def test_unknown_flag_kind_is_refused(team, owner_client):
    creator = CreatorFactory(workspace=team.workspace)
    url = reverse("creator_flag", args=[creator.pk])
    response = owner_client.post(url, {"kind": "spicy"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert not CreatorFlag.objects.exists()


# --- Notes ---------------------------------------------------------------------------


def test_teammate_adds_a_note_shown_with_author_and_time(team):
    creator = CreatorFactory(workspace=team.workspace)
    client = team.client_for(team.teammate)
    response = client.post(
        reverse("creator_note_add", args=[creator.pk]), {"body": "Replied fast."}
    )
    assert response.status_code == 302
    note = CreatorNote.objects.get()
    assert (note.author, note.workspace, note.creator) == (team.teammate, team.workspace, creator)
    html = text_of(client.get(page_url(creator)))
    notes = html.split('id="notes"')[1]
    assert "<p>Replied fast.</p>" in notes
    assert team.teammate.get_short_name() in notes


def test_empty_note_shows_an_error_on_the_page(team, owner_client):
    creator = CreatorFactory(workspace=team.workspace)
    response = owner_client.post(reverse("creator_note_add", args=[creator.pk]), {"body": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not CreatorNote.objects.exists()


# --- Edit ----------------------------------------------------------------------------


def test_edit_saves_fields_niches_and_syncs_accounts(team, owner_client):
    seeded = seed_vetted_creator(team.workspace)
    url = reverse("creator_edit", args=[seeded.creator.pk])
    form = owner_client.get(url).content.decode()
    assert 'value="Beauty, Skincare"' in form
    response = owner_client.post(
        url,
        {
            "name": "Maya L.",
            "email": "maya@new.test",
            "country": "fr",
            "language": "FR",
            "niches": "Skincare, Travel , travel",
            "notes": "Prefers email.",
        },
    )
    assert response.status_code == 302
    creator = Creator.objects.get(pk=seeded.creator.pk)
    assert (creator.name, creator.email, creator.country, creator.language) == (
        "Maya L.",
        "maya@new.test",
        "FR",
        "fr",
    )
    assert sorted(creator.niches.values_list("name", flat=True)) == ["Skincare", "Travel"]
    account = SocialAccount.objects.get(pk=seeded.account.pk)
    assert (account.country, account.language) == ("FR", "fr")
    assert sorted(account.niche_ids) == sorted(creator.niches.values_list("pk", flat=True))


def test_edit_with_a_bad_email_keeps_the_input(team, owner_client):
    creator = CreatorFactory(workspace=team.workspace, name="Sam")
    response = owner_client.post(
        reverse("creator_edit", args=[creator.pk]),
        {"name": "Sam Lee", "email": "not-an-email", "country": "GB", "niches": "Gaming"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a valid email address." in html
    assert 'value="not-an-email"' in html and 'value="Sam Lee"' in html and 'value="Gaming"' in html
    creator.refresh_from_db()
    assert creator.name == "Sam"


def test_edit_refuses_a_country_that_is_not_two_letters(team, owner_client):
    creator = CreatorFactory(workspace=team.workspace)
    response = owner_client.post(
        reverse("creator_edit", args=[creator.pk]), {"name": "X", "country": "1A"}
    )
    assert response.status_code == 200
    assert "two-letter country code" in response.content.decode()


# --- Blocklist -----------------------------------------------------------------------


def test_owner_adds_and_removes_blocked_keywords(team, owner_client):
    url = reverse("blocklist")
    response = owner_client.post(url, {"keyword": "  Online   Casino "})
    assert response.status_code == 302
    keyword = BlockedKeyword.objects.get(workspace=team.workspace)
    assert keyword.keyword == "online casino"

    duplicate = owner_client.post(url, {"keyword": "ONLINE casino"})
    assert duplicate.status_code == 200
    assert "already on the blocklist" in duplicate.content.decode()

    owner_client.post(url, {"remove": str(keyword.pk)})
    assert not BlockedKeyword.objects.exists()


def test_members_and_viewers_read_the_blocklist_but_cannot_change_it(team):
    BlockedKeyword.objects.create(workspace=team.workspace, keyword="vape")
    for user in (team.teammate, team.viewer):
        client = team.client_for(user)
        page = client.get(reverse("blocklist"))
        assert page.status_code == 200
        assert "vape" in page.content.decode()
        assert 'name="keyword"' not in page.content.decode()
        assert client.post(reverse("blocklist"), {"keyword": "casino"}).status_code == 403
    assert list(BlockedKeyword.objects.values_list("keyword", flat=True)) == ["vape"]


def test_blocklist_of_another_workspace_stays_out_of_reach(team):
    theirs = BlockedKeyword.objects.create(workspace=team.other_workspace, keyword="rival")
    owner = team.client_for(team.owner)
    assert "rival" not in owner.get(reverse("blocklist")).content.decode()
    assert owner.post(reverse("blocklist"), {"remove": str(theirs.pk)}).status_code == 404
    assert owner.post(reverse("blocklist"), {"remove": "abc"}).status_code == 404
    assert BlockedKeyword.objects.filter(pk=theirs.pk).exists()


# --- Roles and isolation ------------------------------------------------------------------


def test_viewer_reads_the_page_without_any_write_controls(team, viewer_client):
    seeded = seed_vetted_creator(team.workspace)
    response = viewer_client.get(page_url(seeded.creator))
    assert response.status_code == 200
    html = response.content.decode()
    assert "3.4% — above the micro-tier median band" in html
    assert reverse("creator_edit", args=[seeded.creator.pk]) not in html
    assert reverse("creator_flag", args=[seeded.creator.pk]) not in html
    assert reverse("creator_note_add", args=[seeded.creator.pk]) not in html
    assert reverse("account_stats_edit", args=[seeded.account.pk]) not in html
    assert "See the blocklist" in html


@pytest.mark.parametrize(
    "name, data",
    [
        ("creator_flag", {"kind": "tone"}),
        ("creator_note_add", {"body": "hi"}),
        ("creator_edit", {"name": "X"}),
    ],
)
def test_viewer_cannot_post(team, viewer_client, name, data):
    creator = CreatorFactory(workspace=team.workspace, name="Kept")
    response = viewer_client.post(reverse(name, args=[creator.pk]), data)
    assert response.status_code == 403
    assert not CreatorFlag.objects.exists() and not CreatorNote.objects.exists()
    assert Creator.objects.get(pk=creator.pk).name == "Kept"


def test_viewer_cannot_enter_stats(team, viewer_client):
    account = SocialAccountFactory(creator__workspace=team.workspace, followers=100)
    url = reverse("account_stats_edit", args=[account.pk])
    assert viewer_client.get(url).status_code == 200  # reading the form is harmless
    assert viewer_client.post(url, {"followers": "5"}).status_code == 403
    account.refresh_from_db()
    assert account.followers == 100


def test_outsider_gets_404_on_every_creator_page_route(team, outsider_client):
    seeded = seed_vetted_creator(team.workspace)
    creator_pk, account_pk = seeded.creator.pk, seeded.account.pk
    for name, pk in [
        ("creator_detail", creator_pk),
        ("creator_edit", creator_pk),
        ("account_stats_edit", account_pk),
    ]:
        assert outsider_client.get(reverse(name, args=[pk])).status_code == 404
    for name, pk, data in [
        ("creator_edit", creator_pk, {"name": "Stolen"}),
        ("creator_flag", creator_pk, {"kind": "tone"}),
        ("creator_note_add", creator_pk, {"body": "x"}),
        ("account_stats_edit", account_pk, {"followers": "1"}),
    ]:
        assert outsider_client.post(reverse(name, args=[pk]), data).status_code == 404
    assert not CreatorFlag.objects.exists() and not CreatorNote.objects.exists()
    # The outsider's own blocklist page does not show this workspace's keywords.
    assert "casino" not in outsider_client.get(reverse("blocklist")).content.decode()
