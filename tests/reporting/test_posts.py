"""The deliverable page: attaching posts, numbers by hand, detaching, disclosure."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.accounts.attention import items_for
from apps.reporting import services
from apps.reporting.models import DeliverablePost, PostMetricSnapshot
from tests.factories import DeliverablePostFactory, PostMetricSnapshotFactory, active_contract

pytestmark = pytest.mark.django_db

IG_URL = "https://www.instagram.com/p/DCb9x8y7z6W/"


@pytest.fixture
def deliverable(team):
    contract = active_contract(workspace=team.workspace, disclosure_label="#ad")
    return contract.accepted_version.deliverables.get()


def attach_url(deliverable):
    return reverse("deliverable_post_attach", args=[deliverable.pk])


def detail_url(deliverable):
    return reverse("deliverable_detail", args=[deliverable.pk])


# -- the page ------------------------------------------------------------------------


def test_owner_sees_posts_with_numbers_source_and_disclosure(
    team, owner_client, deliverable, django_assert_max_num_queries
):
    post = DeliverablePostFactory(
        deliverable=deliverable,
        views=12345,
        metrics_source="import",
        disclosure_status="failed",
        disclosure_detail="#ad is not in the first line.",
    )
    PostMetricSnapshotFactory(post=post, date=timezone.localdate() - dt.timedelta(days=1))
    with django_assert_max_num_queries(12):
        response = owner_client.get(detail_url(deliverable))
    html = response.content.decode()
    assert response.status_code == 200
    assert post.url in html
    assert "12345" in html
    assert "CSV import" in html  # where the numbers came from
    assert "#ad is not in the first line." in html
    assert "Attach a published post" in html


def test_teammate_can_open_the_page(team, deliverable):
    response = team.client_for(team.teammate).get(detail_url(deliverable))
    assert response.status_code == 200
    assert str(deliverable) in response.content.decode()


def test_outsider_gets_404(outsider_client, deliverable):
    assert outsider_client.get(detail_url(deliverable)).status_code == 404
    assert outsider_client.post(attach_url(deliverable), {"url": IG_URL}).status_code == 404
    assert not DeliverablePost.objects.exists()


def test_viewer_sees_no_forms_and_gets_403_on_post(viewer_client, deliverable):
    html = viewer_client.get(detail_url(deliverable)).content.decode()
    assert "Attach a published post" not in html
    assert viewer_client.post(attach_url(deliverable), {"url": IG_URL}).status_code == 403
    assert not DeliverablePost.objects.exists()


def test_the_page_refuses_attaching_to_a_contract_not_accepted(team, owner_client):
    contract = active_contract(workspace=team.workspace, status="sent")
    deliverable = contract.accepted_version.deliverables.get()
    html = owner_client.get(detail_url(deliverable)).content.decode()
    assert "only to deliverables of an accepted or active contract" in html
    response = owner_client.post(attach_url(deliverable), {"url": IG_URL})
    assert response.status_code == 400
    assert not DeliverablePost.objects.exists()


# -- attaching -----------------------------------------------------------------------


def test_it_attaches_a_post_with_denormalised_fields(team, owner_client, deliverable):
    response = owner_client.post(
        attach_url(deliverable),
        {"url": "instagram.com/p/DCb9x8y7z6W/?igsh=x", "caption": "#ad new shoes"},
    )
    assert response.status_code == 302
    post = DeliverablePost.objects.get()
    contract = deliverable.version.contract
    assert post.url == IG_URL
    assert post.platform_post_id == "DCb9x8y7z6W"
    assert (post.workspace, post.contract, post.campaign, post.campaign_creator) == (
        team.workspace,
        contract,
        contract.campaign,
        contract.campaign_creator,
    )
    assert post.attached_by == team.owner
    assert post.next_refresh_at is not None and post.next_refresh_at <= timezone.now()
    assert post.disclosure_status == "passed"


def test_teammate_can_attach(team, deliverable):
    client = team.client_for(team.teammate)
    assert client.post(attach_url(deliverable), {"url": IG_URL}).status_code == 302
    post = DeliverablePost.objects.get()
    assert post.disclosure_status == "unchecked"  # no caption yet


def test_it_refuses_a_link_of_another_platform_and_keeps_the_input(owner_client, deliverable):
    url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    response = owner_client.post(attach_url(deliverable), {"url": url})
    html = response.content.decode()
    assert response.status_code == 400
    assert "This is a YouTube link, but the deliverable is on Instagram." in html
    assert f'value="{url}"' in html
    assert not DeliverablePost.objects.exists()


def test_it_refuses_a_tiktok_short_link(team, owner_client):
    contract = active_contract(workspace=team.workspace, deliverables=[("tiktok", "video")])
    deliverable = contract.accepted_version.deliverables.get()
    response = owner_client.post(attach_url(deliverable), {"url": "https://vm.tiktok.com/ZMabc/"})
    assert response.status_code == 400
    assert "paste the full link" in response.content.decode()


def test_it_refuses_a_post_already_attached(team, owner_client, deliverable):
    other = active_contract(workspace=team.workspace).accepted_version.deliverables.get()
    DeliverablePostFactory(deliverable=other, platform_post_id="DCb9x8y7z6W", url=IG_URL)
    response = owner_client.post(
        attach_url(deliverable), {"url": "https://www.instagram.com/reel/DCb9x8y7z6W/"}
    )
    assert response.status_code == 400
    assert "This post is already attached to a deliverable of" in response.content.decode()
    assert DeliverablePost.objects.count() == 1


def test_the_same_post_may_be_attached_in_another_workspace(team, deliverable):
    theirs = active_contract(workspace=team.other_workspace).accepted_version.deliverables.get()
    DeliverablePostFactory(deliverable=theirs, platform_post_id="DCb9x8y7z6W", url=IG_URL)
    post = services.deliverable_post_attach(deliverable=deliverable, url=IG_URL, by=team.owner)
    assert post.workspace == team.workspace


def test_it_refuses_a_deliverable_of_a_superseded_version(team):
    contract = active_contract(workspace=team.workspace)
    from tests.factories import ContractVersionFactory, DeliverableFactory

    old = DeliverableFactory(version=ContractVersionFactory(contract=contract))
    with pytest.raises(ValidationError, match="not part of the version the creator accepted"):
        services.deliverable_post_attach(deliverable=old, url=IG_URL, by=team.owner)


# -- numbers by hand -----------------------------------------------------------------


def metrics_url(post):
    return reverse("deliverable_post_metrics", args=[post.pk])


def test_it_records_numbers_by_hand_once_per_day(team, owner_client, deliverable):
    post = DeliverablePostFactory(deliverable=deliverable, views=None, metrics_source="manual")
    prefix = f"post{post.pk}-"
    today = timezone.localdate().isoformat()
    for views in (100, 250):
        response = owner_client.post(
            metrics_url(post),
            {prefix + "date": today, prefix + "views": views, prefix + "likes": 9},
        )
        assert response.status_code == 302
    snapshot = PostMetricSnapshot.objects.get(post=post)
    assert (snapshot.views, snapshot.likes, snapshot.source) == (250, 9, "manual")
    post.refresh_from_db()
    assert (post.views, post.likes, post.metrics_source) == (250, 9, "manual")
    assert post.metrics_updated_at is not None


def test_an_older_day_does_not_replace_the_newest_numbers(team, deliverable):
    post = DeliverablePostFactory(deliverable=deliverable, views=500)
    today = timezone.localdate()
    services.post_metrics_record(post=post, date=today, numbers={"views": 500}, source="api")
    services.post_metrics_record(
        post=post, date=today - dt.timedelta(days=3), numbers={"views": 40}, source="manual"
    )
    post.refresh_from_db()
    assert (post.views, post.metrics_source) == (500, "api")
    assert post.snapshots.count() == 2


def test_it_refuses_negative_numbers_and_keeps_the_input(team, owner_client, deliverable):
    post = DeliverablePostFactory(deliverable=deliverable)
    prefix = f"post{post.pk}-"
    response = owner_client.post(
        metrics_url(post),
        {
            prefix + "date": timezone.localdate().isoformat(),
            prefix + "views": "-5",
            prefix + "likes": "77",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "greater than or equal to 0" in html
    assert 'value="77"' in html
    assert not PostMetricSnapshot.objects.exists()


def test_it_refuses_a_count_too_large_to_store_and_keeps_the_input(team, owner_client, deliverable):
    post = DeliverablePostFactory(deliverable=deliverable)
    prefix = f"post{post.pk}-"
    response = owner_client.post(
        metrics_url(post),
        {prefix + "date": timezone.localdate().isoformat(), prefix + "views": "1" + "0" * 19},
    )
    assert response.status_code == 400
    assert 'value="10000000000000000000"' in response.content.decode()
    assert not PostMetricSnapshot.objects.exists()
    with pytest.raises(ValidationError, match="too large"):
        services.clean_numbers({"views": 2**63})


def test_it_refuses_a_future_date_and_an_empty_form(team, owner_client, deliverable):
    post = DeliverablePostFactory(deliverable=deliverable)
    prefix = f"post{post.pk}-"
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = owner_client.post(
        metrics_url(post), {prefix + "date": tomorrow, prefix + "views": 1}
    )
    assert "cannot be in the future" in response.content.decode()
    response = owner_client.post(metrics_url(post), {prefix + "date": timezone.localdate()})
    assert "Enter at least one number." in response.content.decode()
    assert not PostMetricSnapshot.objects.exists()


def test_outsider_and_viewer_cannot_enter_numbers(
    team, outsider_client, viewer_client, deliverable
):
    post = DeliverablePostFactory(deliverable=deliverable)
    data = {f"post{post.pk}-date": timezone.localdate(), f"post{post.pk}-views": 1}
    assert outsider_client.post(metrics_url(post), data).status_code == 404
    assert viewer_client.post(metrics_url(post), data).status_code == 403
    assert not PostMetricSnapshot.objects.exists()


# -- detaching -----------------------------------------------------------------------


def test_teammate_detaches_a_post_with_its_history(team, deliverable):
    post = PostMetricSnapshotFactory(post__deliverable=deliverable).post
    url = reverse("deliverable_post_detach", args=[post.pk])
    response = team.client_for(team.teammate).post(url)
    assert response.status_code == 302
    assert not DeliverablePost.objects.exists()
    assert not PostMetricSnapshot.objects.exists()


def test_outsider_and_viewer_cannot_detach(outsider_client, viewer_client, deliverable):
    post = DeliverablePostFactory(deliverable=deliverable)
    url = reverse("deliverable_post_detach", args=[post.pk])
    assert outsider_client.post(url).status_code == 404
    assert viewer_client.post(url).status_code == 403
    assert outsider_client.get(url).status_code in (404, 405)
    assert DeliverablePost.objects.filter(pk=post.pk).exists()


# -- needs attention -----------------------------------------------------------------


def test_failed_disclosures_are_on_needs_attention_in_one_query(
    team, deliverable, django_assert_num_queries
):
    DeliverablePostFactory(
        deliverable=deliverable,
        disclosure_status="failed",
        disclosure_detail="#ad is not in the first line.",
    )
    DeliverablePostFactory(deliverable=deliverable, disclosure_status="passed")
    theirs = active_contract(workspace=team.other_workspace).accepted_version.deliverables.get()
    DeliverablePostFactory(deliverable=theirs, disclosure_status="failed")
    from apps.reporting.post_attention import failed_disclosures

    with django_assert_num_queries(1):
        items = failed_disclosures(team.workspace)
    assert len(items) == 1
    assert items[0].kind == "Disclosure missing"
    assert items[0].detail == "#ad is not in the first line."
    assert items[0].url.startswith(detail_url(deliverable))
    assert any(i.kind == "Disclosure missing" for i in items_for(team.workspace))


def test_the_contracts_to_do_row_links_to_the_deliverable_page(team, deliverable):
    from django.template.loader import render_to_string

    html = render_to_string(
        "contracts/_deliverable_row.html", {"deliverable": deliverable, "can_edit": False}
    )
    assert detail_url(deliverable) in html
