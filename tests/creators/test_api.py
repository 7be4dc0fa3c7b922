"""The creators REST API: /api/v1/creators/, /social-accounts/ (+ snapshots), /posts/."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.creators.models import AccountSnapshot, Creator, SocialAccount
from tests.factories import (
    AccountSnapshotFactory,
    CreatorFactory,
    NicheFactory,
    PostFactory,
    SocialAccountFactory,
)

pytestmark = pytest.mark.django_db

CREATORS = reverse("creator-list")
ACCOUNTS = reverse("socialaccount-list")
POSTS = reverse("post-list")


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def owner_api(team):
    return _api(team.owner)


def _creator(workspace, name="Jane Doe", handle="jane.doe", **account):
    account.setdefault("creator__name", name)
    return SocialAccountFactory(creator__workspace=workspace, handle=handle, **account).creator


# --- creators -----------------------------------------------------------------


def test_it_lists_the_workspace_creators_with_their_accounts(team, owner_api):
    jane = _creator(team.workspace)
    jane.niches.add(NicheFactory(workspace=team.workspace, name="Beauty", slug="beauty"))
    _creator(team.other_workspace, name="Rival Creator", handle="rival")

    response = owner_api.get(CREATORS)

    assert response.status_code == 200
    assert response.data["count"] == 1
    [item] = response.data["results"]
    assert item["name"] == "Jane Doe" and item["niches"] == ["Beauty"]
    assert [a["handle"] for a in item["accounts"]] == ["jane.doe"]


def test_the_creator_list_runs_a_fixed_number_of_queries(
    team, owner_api, django_assert_max_num_queries
):
    for n in range(3):
        _creator(team.workspace, name=f"C{n}", handle=f"c{n}").niches.add(
            NicheFactory(workspace=team.workspace)
        )
    # Membership, count, page, accounts, niches: the same for 3 creators or 15.
    with django_assert_max_num_queries(5):
        first = owner_api.get(CREATORS)
    for n in range(3, 15):
        _creator(team.workspace, name=f"C{n}", handle=f"c{n}").niches.add(
            NicheFactory(workspace=team.workspace)
        )
    with django_assert_max_num_queries(5):
        second = owner_api.get(CREATORS)
    assert (first.data["count"], second.data["count"]) == (3, 15)
    with django_assert_max_num_queries(3):
        accounts = owner_api.get(ACCOUNTS)
    assert accounts.data["count"] == 15


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"name": "jane"}, ["Jane Doe"]),
        ({"country": "fr"}, ["Jean Dupont"]),
        ({"language": "FR"}, ["Jean Dupont"]),
        ({"niche": "Beauty"}, ["Jane Doe"]),
        ({}, ["Jane Doe", "Jean Dupont"]),
    ],
)
def test_creators_filter_by_name_country_language_and_niche(team, owner_api, query, expected):
    jane = _creator(team.workspace)
    jane.niches.add(NicheFactory(workspace=team.workspace, name="Beauty", slug="beauty"))
    CreatorFactory(workspace=team.workspace, name="Jean Dupont", country="FR", language="fr")
    response = owner_api.get(CREATORS, query)
    assert [c["name"] for c in response.data["results"]] == expected


def test_it_creates_a_creator_with_nested_accounts(team, owner_api):
    payload = {
        "name": "Ana Ruiz",
        "email": "ana@example.com",
        "country": "es",
        "language": "ES",
        "niches": ["Food", "travel"],
        "accounts": [
            {"platform": "instagram", "handle": "@Ana.Ruiz"},
            {"profile_url": "https://www.tiktok.com/@anacooks?lang=en"},
        ],
    }
    response = owner_api.post(CREATORS, payload, format="json")

    assert response.status_code == 201, response.data
    creator = Creator.objects.for_workspace(team.workspace).get()
    assert response.data["id"] == creator.pk
    assert (creator.country, creator.language) == ("ES", "es")
    assert sorted(response.data["niches"]) == ["Food", "travel"]
    handles = sorted((a["platform"], a["handle"]) for a in response.data["accounts"])
    assert handles == [("instagram", "ana.ruiz"), ("tiktok", "anacooks")]
    assert {a.country for a in creator.accounts.all()} == {"ES"}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "X", "accounts": []}, "accounts"),
        ({"name": "X", "accounts": [{"handle": "jane"}]}, "accounts"),
        ({"name": "X", "accounts": [{"profile_url": "https://example.com/x"}]}, "accounts"),
        (
            {"name": "X", "country": "XX", "accounts": [{"profile_url": "instagram.com/x"}]},
            "country",
        ),
        ({"accounts": [{"profile_url": "instagram.com/x"}]}, "name"),
    ],
)
def test_invalid_creators_are_refused_with_400_json(team, owner_api, payload, field):
    response = owner_api.post(CREATORS, payload, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert field in response.json()
    assert not Creator.objects.exists()


def test_an_account_already_in_the_workspace_is_refused(team, owner_api):
    existing = _creator(team.workspace)
    payload = {"name": "Jane", "accounts": [{"profile_url": "https://instagram.com/jane.doe"}]}
    response = owner_api.post(CREATORS, payload, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "accounts": [f"Instagram @jane.doe is already in this workspace (creator {existing.pk})."]
    }


def test_it_updates_and_partially_updates_a_creator(team, owner_api):
    creator = _creator(team.workspace)
    url = reverse("creator-detail", args=[creator.pk])

    response = owner_api.patch(url, {"country": "de", "niches": ["Gaming"]}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["country"] == "DE" and response.data["niches"] == ["Gaming"]
    account = creator.accounts.get()
    assert account.country == "DE" and len(account.niche_ids) == 1

    response = owner_api.put(url, {"name": "Jane Smith"}, format="json")
    assert response.status_code == 200
    creator.refresh_from_db()
    assert creator.name == "Jane Smith" and creator.country == "DE"

    assert owner_api.put(url, {"email": "x@example.com"}, format="json").status_code == 400


def test_an_outsider_gets_404_on_another_workspace_creator(team):
    creator = _creator(team.workspace)
    url = reverse("creator-detail", args=[creator.pk])
    client = _api(team.outsider)
    assert client.get(url).status_code == 404
    assert client.patch(url, {"name": "Hacked"}, format="json").status_code == 404
    creator.refresh_from_db()
    assert creator.name == "Jane Doe"


def test_a_viewer_reads_but_cannot_write(team):
    creator = _creator(team.workspace)
    client = _api(team.viewer)
    assert client.get(CREATORS).status_code == 200
    assert client.post(CREATORS, {"name": "X"}, format="json").status_code == 403
    url = reverse("creator-detail", args=[creator.pk])
    assert client.patch(url, {"name": "X"}, format="json").status_code == 403
    account_url = reverse("socialaccount-detail", args=[creator.accounts.get().pk])
    assert client.patch(account_url, {"followers": 1}, format="json").status_code == 403


def test_token_auth_works_and_anonymous_is_refused(team):
    _creator(team.workspace)
    token = Token.objects.create(user=team.teammate)
    client = APIClient()
    assert client.get(CREATORS).status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get(CREATORS)
    assert response.status_code == 200 and response.data["count"] == 1


def test_the_x_workspace_header_chooses_among_the_user_workspaces(team):
    from tests.conftest import add_member

    add_member(team.other_workspace, team.owner)
    _creator(team.other_workspace, name="Rival Creator", handle="rival")
    client = _api(team.owner)
    response = client.get(CREATORS, headers={"X-Workspace": str(team.other_workspace.pk)})
    assert [c["name"] for c in response.data["results"]] == ["Rival Creator"]
    stranger = _api(team.viewer)
    response = stranger.get(CREATORS, headers={"X-Workspace": str(team.other_workspace.pk)})
    assert response.status_code == 404


# --- social accounts ------------------------------------------------------------


def test_social_accounts_filter_like_discovery(team, owner_api):
    small = SocialAccountFactory(
        creator__workspace=team.workspace,
        handle="small",
        followers=5_000,
        tier="nano",
        engagement_rate=0.08,
        authenticity_score=90,
    )
    big = SocialAccountFactory(
        creator__workspace=team.workspace,
        creator__country="FR",
        platform="tiktok",
        handle="big",
        followers=250_000,
        tier="mid",
        engagement_rate=0.02,
        authenticity_score=60,
    )
    SocialAccountFactory(creator__workspace=team.other_workspace, handle="theirs")

    def handles(**query):
        response = owner_api.get(ACCOUNTS, query)
        assert response.status_code == 200, response.data
        return sorted(a["handle"] for a in response.data["results"])

    assert handles() == ["big", "small"]
    assert handles(platform="tiktok") == ["big"]
    assert handles(tier="nano") == ["small"]
    assert handles(followers_min=10_000) == ["big"]
    assert handles(followers_max=10_000) == ["small"]
    assert handles(er_min=0.05) == ["small"]
    assert handles(er_max=0.05) == ["big"]
    assert handles(auth_min=80) == ["small"]
    assert handles(country="fr") == ["big"]
    assert handles(language="en") == ["big", "small"]
    assert handles(creator=big.creator_id) == ["big"]
    assert handles(creator=small.creator_id, platform="tiktok") == []
    response = owner_api.get(ACCOUNTS, {"tier": "giant"})
    assert response.status_code == 400 and "tier" in response.json()


def test_it_adds_an_account_to_an_existing_creator(team, owner_api):
    creator = _creator(team.workspace)
    creator.niches.add(NicheFactory(workspace=team.workspace, name="Beauty", slug="beauty"))
    payload = {
        "creator": creator.pk,
        "platform": "youtube",
        "handle": "janecooks",
        "followers": 42_000,
    }

    response = owner_api.post(ACCOUNTS, payload, format="json")

    assert response.status_code == 201, response.data
    account = SocialAccount.objects.get(pk=response.data["id"])
    assert (account.creator, account.platform, account.handle) == (creator, "youtube", "janecooks")
    assert account.niche_ids == [creator.niches.get().pk]
    assert (account.followers, account.tier, account.stats_source) == (42_000, "micro", "import")
    assert AccountSnapshot.objects.filter(account=account, followers=42_000).exists()


def test_a_creator_of_another_workspace_is_an_invalid_pk(team, owner_api):
    theirs = _creator(team.other_workspace)
    payload = {"creator": theirs.pk, "platform": "youtube", "handle": "janecooks"}
    response = owner_api.post(ACCOUNTS, payload, format="json")
    assert response.status_code == 400
    assert response.json()["creator"] == [f'Invalid pk "{theirs.pk}" - object does not exist.']
    assert not theirs.accounts.filter(platform="youtube").exists()


def test_updating_stats_records_a_snapshot(team, owner_api):
    account = SocialAccountFactory(
        creator__workspace=team.workspace, followers=9_000, following=100, posts_count=50
    )
    url = reverse("socialaccount-detail", args=[account.pk])

    response = owner_api.patch(url, {"followers": 15_000}, format="json")

    assert response.status_code == 200, response.data
    assert (response.data["followers"], response.data["following"]) == (15_000, 100)
    assert response.data["tier"] == "micro" and response.data["stats_source"] == "import"
    snapshot = AccountSnapshot.objects.get(account=account)
    assert (snapshot.date, snapshot.followers, snapshot.source) == (
        timezone.now().date(),
        15_000,
        "import",
    )
    assert owner_api.patch(url, {"followers": -1}, format="json").status_code == 400
    assert owner_api.patch(url, {}, format="json").status_code == 400


def test_an_outsider_gets_404_on_accounts_snapshots_and_posts(team):
    account = SocialAccountFactory(creator__workspace=team.workspace)
    post = PostFactory(account=account)
    client = _api(team.outsider)
    for url in (
        reverse("socialaccount-detail", args=[account.pk]),
        reverse("socialaccount-snapshots", args=[account.pk]),
        reverse("post-detail", args=[post.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(POSTS).data["count"] == 0
    response = client.patch(
        reverse("socialaccount-detail", args=[account.pk]), {"followers": 1}, format="json"
    )
    assert response.status_code == 404


def test_snapshots_of_an_account_newest_first(team, owner_api):
    account = SocialAccountFactory(creator__workspace=team.workspace)
    today = timezone.now().date()
    for days, followers in ((2, 900), (1, 950), (0, 1_000)):
        AccountSnapshotFactory(
            account=account, date=today - dt.timedelta(days=days), followers=followers
        )
    AccountSnapshotFactory(account=SocialAccountFactory(creator__workspace=team.workspace))

    response = owner_api.get(reverse("socialaccount-snapshots", args=[account.pk]))

    assert response.status_code == 200
    assert [s["followers"] for s in response.data["results"]] == [1_000, 950, 900]


def test_posts_list_filters_by_account_and_sponsorship(team, owner_api):
    account = SocialAccountFactory(creator__workspace=team.workspace)
    ad = PostFactory(account=account, sponsored_markers=["#ad"])
    plain = PostFactory(account=account)
    PostFactory(account__creator__workspace=team.workspace)
    PostFactory(account__creator__workspace=team.other_workspace)

    def ids(**query):
        return sorted(p["id"] for p in owner_api.get(POSTS, query).data["results"])

    assert len(ids()) == 3
    assert ids(account=account.pk) == sorted([ad.pk, plain.pk])
    assert ids(account=account.pk, sponsored="true") == [ad.pk]
    assert ids(account=account.pk, sponsored="false") == [plain.pk]
    assert ids(creator=account.creator_id) == sorted([ad.pk, plain.pk])
    response = owner_api.get(reverse("post-detail", args=[ad.pk]))
    assert response.data["platform"] == "instagram" and response.data["sponsored_markers"] == [
        "#ad"
    ]


# --- schema ---------------------------------------------------------------------


def test_the_schema_has_every_path_and_generates_without_warnings(team, tmp_path):
    # --fail-on-warn makes any schema warning an error.
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    for path in (
        "/api/v1/creators/:",
        "/api/v1/creators/{id}/:",
        "/api/v1/social-accounts/:",
        "/api/v1/social-accounts/{id}/:",
        "/api/v1/social-accounts/{id}/snapshots/:",
        "/api/v1/posts/:",
        "/api/v1/posts/{id}/:",
    ):
        assert path in schema, path
    client = _api(team.owner)
    assert client.get(reverse("api-schema")).status_code == 200
