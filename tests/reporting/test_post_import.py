"""Post metrics CSV import: preview with per-row errors, nothing written until confirmed."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.reporting.models import PostMetricSnapshot
from tests.factories import DeliverablePostFactory, active_contract

pytestmark = pytest.mark.django_db
IG = "https://www.instagram.com/p/DCb9x8y7z6W/"


@pytest.fixture
def post(team):
    contract = active_contract(workspace=team.workspace)
    return DeliverablePostFactory(
        deliverable=contract.accepted_version.deliverables.get(),
        platform_post_id="DCb9x8y7z6W",
        url=IG,
        views=None,
        metrics_source="manual",
    )


def upload(text: str, name="metrics.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def url_for(post):
    return reverse("post_metrics_import", args=[post.campaign_id])


def test_a_valid_file_is_previewed_then_imported_on_confirm(team, owner_client, post):
    today = timezone.localdate()
    text = (
        "post_url,date,views,likes,comments,shares,saves,reach\n"
        f"instagram.com/reel/DCb9x8y7z6W/,{today - dt.timedelta(days=1)},1000,50,3,,,900\n"
        f"{IG},{today},1.2k,60,4,1,2,\n"
    )
    response = owner_client.post(url_for(post), {"file": upload(text)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing has been written yet" in html
    assert "Import 2 rows" in html
    assert not PostMetricSnapshot.objects.exists()

    response = owner_client.post(url_for(post), {"confirm": "1", "data": text})
    assert response.status_code == 302
    assert PostMetricSnapshot.objects.filter(post=post, source="import").count() == 2
    post.refresh_from_db()
    assert (post.views, post.likes, post.metrics_source) == (1200, 60, "import")


def test_errors_are_shown_per_row_and_nothing_is_written(team, owner_client, post):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    text = (
        "post_url,date,views,likes\n"
        f"{IG},2026-13-01,10,1\n"
        f"https://www.instagram.com/p/UNKNOWN1234/,{timezone.localdate()},10,1\n"
        f"{IG},{tomorrow},10,1\n"
        f"{IG},{timezone.localdate()},-4,1\n"
        "javascript:alert(1),2026-01-01,1,1\n"
        f"{IG},{timezone.localdate()},,\n"
    )
    response = owner_client.post(url_for(post), {"file": upload(text)})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Row 2: date: use the form 2026-11-25" in html
    assert "Row 3: post_url: no post with this link is attached in this campaign." in html
    assert "Row 4: date: the date is in the future." in html
    assert "Row 5: views:" in html and "negative" in html
    assert "Row 6: post_url: Only http" in html
    assert "Row 7: No numbers in this row." in html
    assert 'name="confirm"' not in html  # no confirm button
    # A confirm with the same data is refused too.
    response = owner_client.post(url_for(post), {"confirm": "1", "data": text})
    assert response.status_code == 400
    assert not PostMetricSnapshot.objects.exists()


def test_a_missing_column_and_a_duplicate_row_are_errors(team, owner_client, post):
    response = owner_client.post(url_for(post), {"file": upload("url,views\nx,1\n")})
    assert "Missing column(s): post_url, date." in response.content.decode()
    today = timezone.localdate()
    text = f"post_url,date,views\n{IG},{today},1\n{IG},{today},2\n"
    response = owner_client.post(url_for(post), {"file": upload(text)})
    assert "Row 3: Same post and date as row 2" in response.content.decode()


def test_a_post_of_another_campaign_is_not_matched(team, owner_client, post):
    other = active_contract(workspace=team.workspace).accepted_version.deliverables.get()
    DeliverablePostFactory(deliverable=other, platform_post_id="OTHERcamp11")
    text = (
        f"post_url,date,views\nhttps://www.instagram.com/p/OTHERcamp11/,{timezone.localdate()},1\n"
    )
    response = owner_client.post(url_for(post), {"file": upload(text)})
    assert "no post with this link is attached in this campaign" in response.content.decode()


def test_an_oversized_file_is_refused(team, owner_client, post):
    big = "post_url,date,views\n" + "x" * (2 * 1024 * 1024 + 1)
    response = owner_client.post(url_for(post), {"file": upload(big)})
    assert response.status_code == 400
    assert "larger than 2 MB" in response.content.decode()


def test_a_spreadsheet_file_is_refused_with_advice(team, owner_client, post):
    response = owner_client.post(
        url_for(post), {"file": SimpleUploadedFile("m.xlsx", b"PK\x03\x04rest")}
    )
    assert "not a CSV file" in response.content.decode()


def test_teammate_sees_the_page_outsider_404_viewer_403(team, outsider_client, viewer_client, post):
    response = team.client_for(team.teammate).get(url_for(post))
    assert response.status_code == 200
    assert "post_url,date,views,likes,comments,shares,saves,reach" in response.content.decode()
    assert outsider_client.get(url_for(post)).status_code == 404
    text = f"post_url,date,views\n{IG},{timezone.localdate()},1\n"
    assert outsider_client.post(url_for(post), {"confirm": "1", "data": text}).status_code == 404
    assert viewer_client.post(url_for(post), {"confirm": "1", "data": text}).status_code == 403
    assert not PostMetricSnapshot.objects.exists()
