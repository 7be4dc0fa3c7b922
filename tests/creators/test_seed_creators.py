from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.postgres.search import SearchQuery
from django.core.management import call_command
from django.db.models import Count, Max, Min

from apps.accounts.models import User, Workspace
from apps.creators import metrics, services, synthetic
from apps.creators.models import AccountSnapshot, Creator, Niche, Post, SocialAccount
from apps.creators.scoring import SCORE_FIELDS
from tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db
ACCOUNTS, DAYS, POSTS = 200, 90, 12


def seed(workspace: Workspace, accounts: int = ACCOUNTS, seed: int = 42) -> str:
    out = StringIO()
    call_command("seed_creators", accounts=accounts, workspace=workspace.pk, seed=seed, stdout=out)
    return out.getvalue()


def creators_in_plan(accounts: int, seed: int = 42) -> int:
    total = index = 0
    while total < accounts:
        total += synthetic.account_count(seed, index)
        index += 1
    return index


def accounts_of(workspace: Workspace):
    return SocialAccount.objects.for_workspace(workspace)


def test_it_seeds_the_expected_rows():
    workspace = WorkspaceFactory()

    output = seed(workspace)

    assert "200 accounts" in output
    assert accounts_of(workspace).count() == ACCOUNTS
    assert Creator.objects.for_workspace(workspace).count() == creators_in_plan(ACCOUNTS)
    assert Post.objects.for_workspace(workspace).count() == ACCOUNTS * POSTS
    assert AccountSnapshot.objects.for_workspace(workspace).count() == ACCOUNTS * DAYS
    assert Niche.objects.for_workspace(workspace).count() == len(synthetic.NICHES)
    platforms = set(accounts_of(workspace).values_list("platform", flat=True))
    assert platforms == {"instagram", "tiktok", "youtube"}


def test_every_account_has_one_snapshot_per_day_up_to_today():
    workspace = WorkspaceFactory()
    seed(workspace)
    today = accounts_of(workspace).first().scores_updated_at.date()

    per_account = (
        AccountSnapshot.objects.for_workspace(workspace)
        .values("account")
        .annotate(
            n=Count("id"), days=Count("date", distinct=True), first=Min("date"), last=Max("date")
        )
    )

    assert len(per_account) == ACCOUNTS
    for row in per_account:
        assert row["n"] == row["days"] == DAYS
        assert (row["first"], row["last"]) == (today - timedelta(days=DAYS - 1), today)


def test_the_same_seed_gives_the_same_creators():
    first, second, other = WorkspaceFactory(), WorkspaceFactory(), WorkspaceFactory()
    seed(first)
    seed(second)
    seed(other, seed=7)

    def fingerprint(workspace):
        rows = accounts_of(workspace).values_list("platform", "handle", "followers", "following")
        return sorted(rows)

    assert fingerprint(first) == fingerprint(second)
    assert fingerprint(first) != fingerprint(other)


def test_stored_scores_equal_what_recompute_derives_from_the_stored_rows():
    workspace = WorkspaceFactory()
    seed(workspace)
    accounts = list(accounts_of(workspace).order_by("id"))
    seeded = {a.pk: {field: getattr(a, field) for field in SCORE_FIELDS} for a in accounts}
    assert all(a.tier and a.authenticity_score is not None for a in accounts)
    assert all(a.growth_30d is not None and a.engagement_sample > 0 for a in accounts)

    services.accounts_recompute(account_ids=list(seeded), now=accounts[0].scores_updated_at)

    for account in accounts_of(workspace):
        assert {field: getattr(account, field) for field in SCORE_FIELDS} == seeded[account.pk]


def test_stored_follower_history_is_the_generators_series():
    workspace = WorkspaceFactory()
    seed(workspace, accounts=20)
    now = accounts_of(workspace).first().scores_updated_at

    for index in range(creators_in_plan(20)):
        creator = synthetic.generate_creator(42, index, now=now, days=DAYS, posts=POSTS)
        for generated in creator.accounts[:1]:
            stored = accounts_of(workspace).get(
                platform=generated.platform, handle=generated.handle
            )
            followers = list(stored.snapshots.order_by("date").values_list("followers", flat=True))
            assert followers == synthetic.follower_series(generated.history, DAYS)
            assert followers[-1] == stored.followers


def test_posts_carry_the_disclosure_markers_of_their_captions():
    workspace = WorkspaceFactory()
    seed(workspace)
    posts = Post.objects.for_workspace(workspace)

    for post in posts:
        assert post.sponsored_markers == metrics.find_disclosure_markers(post.caption)
    assert posts.sponsored().exists()
    assert accounts_of(workspace).filter(has_sponsored=True).exists()
    assert posts.filter(likes_hidden=True, likes=0).exists()


def test_bots_score_low_on_authenticity():
    workspace = WorkspaceFactory()
    seed(workspace, accounts=600)
    now = accounts_of(workspace).first().scores_updated_at
    bot_handles = [
        (account.platform, account.handle)
        for index in range(creators_in_plan(600))
        for account in synthetic.generate_creator(
            42, index, now=now, days=DAYS, posts=POSTS
        ).accounts
        if account.bot
    ]
    scores = dict(
        ((platform, handle), score)
        for platform, handle, score in accounts_of(workspace).values_list(
            "platform", "handle", "authenticity_score"
        )
    )
    bots = [scores.pop(key) for key in bot_handles if key in scores]

    assert len(bots) >= 5
    assert max(bots) < 60
    assert sorted(scores.values())[len(scores) // 2] >= 90  # the median genuine account


def test_search_vectors_are_filled():
    workspace = WorkspaceFactory()
    seed(workspace, accounts=20)
    account = accounts_of(workspace).select_related("creator").first()

    found = accounts_of(workspace).filter(
        search_vector=SearchQuery(account.creator.name.split()[-1], config="simple")
    )

    assert account in found
    assert not accounts_of(workspace).filter(search_vector__isnull=True).exists()


def test_a_second_run_adds_new_creators_to_the_same_workspace():
    workspace = WorkspaceFactory()
    seed(workspace)

    seed(workspace)

    assert accounts_of(workspace).count() == 2 * ACCOUNTS
    assert Niche.objects.for_workspace(workspace).count() == len(synthetic.NICHES)


def test_workspace_name_creates_the_workspace_when_missing():
    call_command("seed_creators", accounts=5, workspace_name="Seeded", stdout=StringIO())

    workspace = Workspace.objects.get(name="Seeded")
    assert accounts_of(workspace).count() == 5


def test_seeded_accounts_list_in_the_admin_with_filters_and_search(
    client, django_assert_max_num_queries
):
    workspace = WorkspaceFactory()
    seed(workspace, accounts=30)
    account = accounts_of(workspace).select_related("creator").first()
    staff = User.objects.create_superuser("staff@microreach.test", "pw")
    client.force_login(staff)
    url = "/admin/creators/socialaccount/"

    with django_assert_max_num_queries(10):
        listing = client.get(
            url, {"workspace__id__exact": workspace.pk, "country": account.country}
        )
    by_name = client.get(url, {"q": account.creator.name.split()[-1]})
    by_handle_part = client.get(url, {"q": account.handle[2:-1]})

    assert listing.status_code == by_name.status_code == by_handle_part.status_code == 200
    assert account.handle in listing.content.decode()
    assert account.handle in by_name.content.decode()
    assert account.handle in by_handle_part.content.decode()
