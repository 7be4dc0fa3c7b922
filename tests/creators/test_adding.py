"""The add-a-creator form: handles and URLs one per line, errors per line, duplicates refused."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from apps.creators.models import Creator, SocialAccount
from tests.factories import NicheFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db

URL = reverse("creator_add")


def _post(client, **overrides):
    data = {
        "name": "Jane Doe",
        "profiles": "https://www.instagram.com/Jane.Doe/?hl=en\n@janedoe_tt",
        "platform": "tiktok",
        "email": "jane@example.com",
        "country": "fr",
        "language": "FR",
        "niches": "Beauty, skincare",
        "notes": "Met at the fair",
    }
    data.update(overrides)
    return client.post(URL, data)


def test_it_adds_a_creator_with_a_url_and_a_bare_handle(team, owner_client):
    NicheFactory(workspace=team.workspace, name="Beauty", slug="beauty")
    response = _post(owner_client)

    creator = Creator.objects.for_workspace(team.workspace).get()
    assert response.status_code == 302
    assert response["Location"] == creator.get_absolute_url()
    assert (creator.name, creator.email, creator.country, creator.language) == (
        "Jane Doe",
        "jane@example.com",
        "FR",
        "fr",
    )
    assert sorted(n.name for n in creator.niches.all()) == ["Beauty", "skincare"]
    accounts = {(a.platform, a.handle): a for a in creator.accounts.all()}
    assert set(accounts) == {("instagram", "jane.doe"), ("tiktok", "janedoe_tt")}
    account = accounts[("instagram", "jane.doe")]
    assert account.profile_url == "https://www.instagram.com/jane.doe/"
    assert (account.country, account.language) == ("FR", "fr")
    assert sorted(account.niche_ids) == sorted(creator.niches.values_list("pk", flat=True))
    assert account.refresh_status == SocialAccount.RefreshStatus.PENDING
    assert account.search_vector is not None


def test_a_teammate_can_add_and_gets_a_toast(team):
    client = team.client_for(team.teammate)
    response = _post(client, profiles="https://www.youtube.com/@janecooks", platform="")
    assert response.status_code == 302
    assert Creator.objects.for_workspace(team.workspace).filter(name="Jane Doe").exists()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Jane Doe added with 1 account: their stats arrive with the next refresh."
    ]


def test_each_bad_line_is_reported_with_its_number_and_the_input_is_kept(team, owner_client):
    profiles = "https://www.instagram.com/jane.doe/\nhttps://example.com/jane\n\n@x!"
    response = _post(owner_client, profiles=profiles, platform="instagram")

    assert response.status_code == 200
    errors = response.context["form"].errors["profiles"]
    assert errors == [
        "Line 2: Not an Instagram, TikTok or YouTube profile URL",
        "Line 4: Instagram handles can only contain letters, numbers, periods and underscores",
    ]
    html = response.content.decode()
    assert "Line 2: Not an Instagram, TikTok or YouTube profile URL" in html
    assert "https://example.com/jane" in html  # what was typed stays in the textarea
    assert 'value="Jane Doe"' in html
    assert not Creator.objects.exists()


def test_a_bare_handle_needs_the_platform(team, owner_client):
    response = _post(owner_client, profiles="@janedoe", platform="")
    [error] = response.context["form"].errors["profiles"]
    assert error.startswith("Line 1: Choose the platform")
    assert not Creator.objects.exists()


def test_the_same_profile_twice_is_refused(team, owner_client):
    response = _post(
        owner_client,
        profiles="@jane.doe\nhttps://www.instagram.com/jane.doe/",
        platform="instagram",
    )
    assert response.context["form"].errors["profiles"] == ["Line 2: the same profile as line 1"]


def test_an_account_already_in_the_workspace_is_refused_with_a_link(team, owner_client):
    existing = SocialAccountFactory(
        creator__workspace=team.workspace, creator__name="Jane D", handle="jane.doe"
    )
    response = _post(owner_client)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Line 1: Instagram @jane.doe is already in this workspace" in html
    assert f'<a href="{existing.creator.get_absolute_url()}">Jane D</a>' in html
    assert Creator.objects.for_workspace(team.workspace).count() == 1


def test_the_same_handle_in_another_workspace_does_not_count(team, owner_client):
    SocialAccountFactory(creator__workspace=team.other_workspace, handle="jane.doe")
    response = _post(owner_client)
    assert response.status_code == 302
    assert Creator.objects.for_workspace(team.workspace).count() == 1


def test_bad_country_and_language_are_explained(team, owner_client):
    response = _post(owner_client, country="XX", language="zz")
    errors = response.context["form"].errors
    assert errors["country"] == ["Use the two-letter country code, e.g. GB or US."]
    assert errors["language"] == ["Use the two-letter language code, e.g. en or de."]


def test_a_viewer_can_neither_see_nor_submit_the_form(team, viewer_client):
    assert viewer_client.get(URL).status_code == 403
    assert _post(viewer_client).status_code == 403
    assert not Creator.objects.exists()


def test_the_form_page_renders_for_a_member(team):
    response = team.client_for(team.teammate).get(URL)
    assert response.status_code == 200
    assert "Handles or profile URLs" in response.content.decode()


def test_an_outsider_adds_to_their_own_workspace_only(team, outsider_client):
    assert _post(outsider_client).status_code == 302
    assert Creator.objects.for_workspace(team.other_workspace).count() == 1
    assert not Creator.objects.for_workspace(team.workspace).exists()


def test_two_youtube_channel_urls_without_handles_can_both_be_added(team, owner_client):
    for channel in ("UC" + "a" * 22, "UC" + "b" * 22):
        response = owner_client.post(
            reverse("creator_add"),
            {
                "name": f"Channel {channel[-1]}",
                "profiles": f"https://www.youtube.com/channel/{channel}",
            },
        )
        assert response.status_code == 302, response.content.decode()[:500]
    assert (
        SocialAccount.objects.for_workspace(team.workspace).filter(platform="youtube").count() == 2
    )
