"""API: published posts and their daily numbers (read only, workspace-scoped)."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import DeliverablePostFactory, PostMetricSnapshotFactory, active_contract

pytestmark = pytest.mark.django_db


def post_in(workspace, **kwargs):
    contract = active_contract(workspace=workspace)
    return DeliverablePostFactory(
        deliverable=contract.accepted_version.deliverables.get(), **kwargs
    )


def test_it_lists_the_workspace_posts_with_numbers_filtered_by_campaign(team, owner_client):
    mine = post_in(team.workspace, views=4321, metrics_source="import")
    other_campaign = post_in(team.workspace)
    post_in(team.other_workspace)
    response = owner_client.get("/api/v1/deliverable-posts/")
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {mine.pk, other_campaign.pk}

    response = owner_client.get(f"/api/v1/deliverable-posts/?campaign={mine.campaign_id}")
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]
    assert rows[0]["views"] == 4321
    assert rows[0]["metrics_source"] == "import"
    assert rows[0]["disclosure_status"] == "passed"
    assert rows[0]["url"] == mine.url


def test_snapshots_come_newest_first(team, viewer_client):
    post = post_in(team.workspace)
    today = timezone.localdate()
    PostMetricSnapshotFactory(post=post, date=today - dt.timedelta(days=1), views=10)
    PostMetricSnapshotFactory(post=post, date=today, views=20, source="manual")
    response = viewer_client.get(f"/api/v1/deliverable-posts/{post.pk}/snapshots/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["date"], r["views"], r["source"]) for r in rows] == [
        (today.isoformat(), 20, "manual"),
        ((today - dt.timedelta(days=1)).isoformat(), 10, "api"),
    ]


def test_outsider_gets_404_and_writes_are_not_allowed(team, outsider_client, owner_client):
    post = post_in(team.workspace)
    assert outsider_client.get(f"/api/v1/deliverable-posts/{post.pk}/").status_code == 404
    assert outsider_client.get(f"/api/v1/deliverable-posts/{post.pk}/snapshots/").status_code == 404
    assert owner_client.delete(f"/api/v1/deliverable-posts/{post.pk}/").status_code == 405
    assert owner_client.get("/api/v1/deliverable-posts/?platform=nope").status_code == 400
