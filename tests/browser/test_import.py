"""A member imports a small CSV through the pages: upload, preview, confirm, progress, result."""

import re

import pytest
from playwright.sync_api import expect

from apps.creators.models import Creator
from config.celery import app as celery_app
from tests.browser.conftest import screenshot
from tests.factories import PASSWORD

CSV = """name,email,country,language,niches,platform,handle,followers
Jane Doe,jane@example.com,FR,fr,beauty|lifestyle,instagram,jane.doe,12.5k
Sam Lee,,GB,en,gaming,tiktok,samplays,1.2M
Ana Ruiz,ana@example.com,ES,es,food,youtube,anacooks,
"""


@pytest.fixture
def tasks_run_in_request():
    """No Celery worker runs here: the confirmed import runs inside the request.

    Celery reads Django settings once, so its own config is what must change.
    """
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def test_a_member_uploads_previews_confirms_and_sees_the_imported_creators(
    page, team, tasks_run_in_request, tmp_path
):
    upload = tmp_path / "creators.csv"
    upload.write_text(CSV, encoding="utf-8")

    page.goto("/creators/import/")  # signing in leads back here
    page.get_by_label("Email").fill(team.teammate.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import creators from a CSV file")

    page.get_by_label("CSV file").set_input_files(str(upload))
    page.get_by_role("button", name="Upload and preview").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Import of creators.csv")
    expect(page).to_have_url(re.compile(r"/creators/import/\d+/$"))
    rows = page.locator("table.import-rows tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("@jane.doe")
    expect(page.get_by_text("1,200,000")).to_be_visible()
    assert not Creator.objects.exists()  # nothing written before the confirm
    screenshot(page, "import_preview")

    page.get_by_role("button", name="Import 3 creators").click()

    expect(page.get_by_text("Imported 3 creators.")).to_be_visible()
    expect(page.locator("#import-status progress")).to_have_count(0)
    assert Creator.objects.for_workspace(team.workspace).count() == 3
    screenshot(page, "import_done")

    page.get_by_role("link", name="See them in discovery").click()
    for name in ("Jane Doe", "Sam Lee", "Ana Ruiz"):
        expect(page.get_by_text(name).first).to_be_visible()
