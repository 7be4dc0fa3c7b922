"""CSV import: upload → preview (nothing written) → confirm → one transaction, with progress."""

import pytest
from django.contrib.postgres.search import SearchQuery
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.creators import importing, services
from apps.creators.models import AccountSnapshot, Creator, CreatorImport, Niche, SocialAccount
from apps.creators.tasks import run_import
from tests.factories import NicheFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("creator_import")

GOOD_CSV = """name,email,country,language,niches,platform,handle,profile_url,followers,following,posts
Jane Doe,jane@example.com,FR,fr,Beauty|lifestyle,instagram,jane.doe,,12.5k,850,320
Sam Lee,,GB,en,gaming,,,https://www.tiktok.com/@samplays,"1,200,000",10,900
Ana Ruiz,ana@example.com,ES,es,beauty,youtube,anacooks,,,,
"""


def _upload(client, text: str | bytes, name: str = "creators.csv"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, data, "text/csv")})


def _preview(client, text, name="creators.csv") -> CreatorImport:
    response = _upload(client, text, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    creator_import = CreatorImport.objects.get()
    assert response["Location"] == creator_import.get_absolute_url()
    return creator_import


def _confirm(client, creator_import, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("creator_import_confirm", args=[creator_import.pk]))
    assert response.status_code == 302
    return callbacks


def test_a_good_file_shows_a_preview_and_writes_nothing_until_confirmed(team, owner_client):
    creator_import = _preview(owner_client, GOOD_CSV)

    assert creator_import.status == CreatorImport.Status.PREVIEW
    assert (creator_import.total_rows, len(creator_import.rows)) == (3, 3)
    assert creator_import.errors == [] and creator_import.duplicates == []
    assert not Creator.objects.exists()
    page = owner_client.get(creator_import.get_absolute_url())
    html = page.content.decode()
    assert "Import 3 creators" in html
    assert "jane.doe" in html and "samplays" in html
    assert "1,200,000" in html


def test_confirming_queues_the_task_on_commit_and_the_task_imports_everything(
    team, owner_client, django_capture_on_commit_callbacks
):
    NicheFactory(workspace=team.workspace, name="Beauty", slug="beauty")
    creator_import = _preview(owner_client, GOOD_CSV)

    callbacks = _confirm(owner_client, creator_import, django_capture_on_commit_callbacks)
    creator_import.refresh_from_db()
    assert len(callbacks) == 1  # run_import.delay(pk), once the confirm has committed
    assert creator_import.status == CreatorImport.Status.QUEUED
    assert not Creator.objects.exists()

    result = run_import.apply(args=[creator_import.pk]).get()

    assert result == {
        "import": creator_import.pk,
        "status": "done",
        "creators": 3,
        "accounts": 3,
        "duplicates": 0,
    }
    creator_import.refresh_from_db()
    assert creator_import.status == CreatorImport.Status.DONE
    assert (creator_import.processed_rows, creator_import.created_accounts) == (3, 3)
    assert creator_import.finished_at is not None

    creators = {c.name: c for c in Creator.objects.for_workspace(team.workspace)}
    assert set(creators) == {"Jane Doe", "Sam Lee", "Ana Ruiz"}
    # Niches: one row per distinct name, the existing "Beauty" reused.
    niches = Niche.objects.for_workspace(team.workspace)
    assert sorted(n.slug for n in niches) == ["beauty", "gaming", "lifestyle"]
    assert sorted(n.slug for n in creators["Jane Doe"].niches.all()) == ["beauty", "lifestyle"]
    assert [n.slug for n in creators["Ana Ruiz"].niches.all()] == ["beauty"]

    jane = SocialAccount.objects.get(handle="jane.doe")
    assert (jane.followers, jane.following, jane.posts_count) == (12_500, 850, 320)
    assert (jane.country, jane.language) == ("FR", "fr")
    assert sorted(jane.niche_ids) == sorted(
        creators["Jane Doe"].niches.values_list("pk", flat=True)
    )
    assert jane.stats_source == "import" and jane.stats_updated_at is not None
    assert jane.refresh_status == SocialAccount.RefreshStatus.OK
    assert jane.tier == "micro"  # scored in the import, not left for later
    # The importer scores as the recompute service does.
    fields = ["tier", "engagement_rate", "authenticity_score", "growth_30d", "posts_per_week"]
    imported = list(SocialAccount.objects.order_by("pk").values_list(*fields))
    services.accounts_recompute(
        account_ids=list(SocialAccount.objects.values_list("pk", flat=True))
    )
    assert list(SocialAccount.objects.order_by("pk").values_list(*fields)) == imported
    sam = SocialAccount.objects.get(handle="samplays")
    assert (sam.platform, sam.followers, sam.tier) == ("tiktok", 1_200_000, "mega")
    ana = SocialAccount.objects.get(handle="anacooks")
    assert ana.followers is None and ana.refresh_status == SocialAccount.RefreshStatus.PENDING
    assert ana.stats_updated_at is None

    # Today's snapshot for each account that came with a follower count.
    snapshots = AccountSnapshot.objects.for_workspace(team.workspace)
    assert sorted(s.account.handle for s in snapshots) == ["jane.doe", "samplays"]
    assert {s.source for s in snapshots} == {"import"}

    # Full-text search finds the imported accounts by creator name and handle.
    found = SocialAccount.objects.filter(search_vector=SearchQuery("ruiz", config="simple"))
    assert [a.handle for a in found] == ["anacooks"]
    found = SocialAccount.objects.filter(search_vector=SearchQuery("samplays", config="simple"))
    assert [a.handle for a in found] == ["samplays"]


def test_the_done_page_says_what_was_imported_and_links_to_discovery(
    team, owner_client, django_capture_on_commit_callbacks
):
    SocialAccountFactory(creator__workspace=team.workspace, handle="jane.doe")
    creator_import = _preview(owner_client, GOOD_CSV)
    _confirm(owner_client, creator_import, django_capture_on_commit_callbacks)
    run_import.apply(args=[creator_import.pk])

    html = owner_client.get(creator_import.get_absolute_url()).content.decode()
    assert "Imported 2 creators (1 duplicate skipped)." in html
    assert f'href="{reverse("creator_list")}"' in html
    assert 'hx-trigger="every 1s"' not in html


def test_a_file_with_bad_rows_writes_nothing_and_reports_every_bad_row(
    team, owner_client, django_capture_on_commit_callbacks
):
    text = (
        "name,platform,handle,followers,country\n"
        "Jane,instagram,jane.doe,12k,FR\n"
        ",instagram,nobody,,\n"
        "Bad Count,tiktok,badcount,lots,\n"
        "Wrong Place,instagram,wrongplace,,XX\n"
        "Sam,myspace,sam,,\n"
    )
    creator_import = _preview(owner_client, text)

    rows_with_errors = sorted({e["row_number"] for e in creator_import.errors})
    assert rows_with_errors == [3, 4, 5, 6]
    html = owner_client.get(creator_import.get_absolute_url()).content.decode()
    assert "Fix these rows and upload again: nothing was written." in html
    for error in creator_import.errors:
        assert error["message"].replace("'", "&#x27;") in html
    assert "Import 1 creator" not in html

    callbacks = _confirm(owner_client, creator_import, django_capture_on_commit_callbacks)
    creator_import.refresh_from_db()
    assert callbacks == [] and creator_import.status == CreatorImport.Status.PREVIEW
    assert not Creator.objects.exists() and not SocialAccount.objects.exists()


def test_duplicates_in_the_file_are_errors_and_those_in_the_workspace_are_flagged(
    team, owner_client, django_capture_on_commit_callbacks
):
    existing = SocialAccountFactory(
        creator__workspace=team.workspace, creator__name="Old Jane", handle="jane.doe"
    )
    text = (
        "name,platform,handle\n"
        "Jane,instagram,jane.doe\n"
        "Sam,tiktok,samplays\n"
        "Sam again,tiktok,@SamPlays\n"
    )
    creator_import = _preview(owner_client, text)

    assert creator_import.errors == [
        {"row_number": 4, "column": "handle", "message": "Duplicate of row 3: TikTok @samplays"}
    ]
    assert creator_import.duplicates == [
        {
            "row_number": 2,
            "platform": "instagram",
            "handle": "jane.doe",
            "account_id": existing.pk,
            "creator_id": existing.creator_id,
            "creator_name": "Old Jane",
        }
    ]
    html = owner_client.get(creator_import.get_absolute_url()).content.decode()
    assert f'<a href="{existing.creator.get_absolute_url()}">Old Jane</a>' in html

    # Without the in-file duplicate the file is valid; the workspace duplicate is skipped.
    CreatorImport.objects.all().delete()
    creator_import = _preview(owner_client, text.rsplit("Sam again", 1)[0])
    html = owner_client.get(creator_import.get_absolute_url()).content.decode()
    assert "Import 1 creator" in html
    assert "1 row already in this workspace will be skipped." in html
    _confirm(owner_client, creator_import, django_capture_on_commit_callbacks)
    run_import.apply(args=[creator_import.pk])
    assert SocialAccount.objects.for_workspace(team.workspace).count() == 2
    assert SocialAccount.objects.get(handle="jane.doe").creator == existing.creator


def test_accounts_added_after_the_preview_are_skipped_at_import_time(
    team, owner_client, django_capture_on_commit_callbacks
):
    creator_import = _preview(owner_client, GOOD_CSV)
    _confirm(owner_client, creator_import, django_capture_on_commit_callbacks)
    SocialAccountFactory(creator__workspace=team.workspace, platform="tiktok", handle="samplays")

    result = run_import.apply(args=[creator_import.pk]).get()

    assert (result["creators"], result["duplicates"]) == (2, 1)
    creator_import.refresh_from_db()
    assert [d["row_number"] for d in creator_import.duplicates] == [3]
    assert SocialAccount.objects.filter(handle="samplays").count() == 1


def test_a_file_with_a_bom_and_semicolons_imports(
    team, owner_client, django_capture_on_commit_callbacks
):
    text = "\ufeffName;Platform;Handle;Followers\nJane Doe;Instagram;@Jane.Doe;1 234\n"
    creator_import = _preview(owner_client, text.encode("utf-8"), name="excel.csv")
    assert creator_import.errors == []
    _confirm(owner_client, creator_import, django_capture_on_commit_callbacks)
    run_import.apply(args=[creator_import.pk])
    account = SocialAccount.objects.get()
    assert (account.creator.name, account.handle, account.followers) == (
        "Jane Doe",
        "jane.doe",
        1234,
    )


def test_rows_of_one_person_become_one_creator_with_several_accounts(
    team, owner_client, django_capture_on_commit_callbacks
):
    text = (
        "name,email,platform,handle,niches\n"
        "Jane Doe,jane@example.com,instagram,jane.doe,beauty\n"
        "Jane Doe,jane@example.com,tiktok,janedoe,fitness\n"
        "Jane Doe,,youtube,janedoe,\n"
    )
    creator_import = _preview(owner_client, text)
    html = owner_client.get(creator_import.get_absolute_url()).content.decode()
    assert "Import 2 creators" in html and "with 3 accounts" in html
    _confirm(owner_client, creator_import, django_capture_on_commit_callbacks)
    run_import.apply(args=[creator_import.pk])

    jane = Creator.objects.get(email="jane@example.com")
    assert sorted(a.platform for a in jane.accounts.all()) == ["instagram", "tiktok"]
    assert sorted(n.slug for n in jane.niches.all()) == ["beauty", "fitness"]
    assert Creator.objects.count() == 2
    html = owner_client.get(creator_import.get_absolute_url()).content.decode()
    assert "Imported 2 creators with 3 accounts." in html


def test_confirming_twice_imports_once(team, owner_client, django_capture_on_commit_callbacks):
    creator_import = _preview(owner_client, GOOD_CSV)
    first = _confirm(owner_client, creator_import, django_capture_on_commit_callbacks)
    second = _confirm(owner_client, creator_import, django_capture_on_commit_callbacks)
    assert (len(first), len(second)) == (1, 0)

    # Even a message delivered twice runs the import once: the status claim.
    assert run_import.apply(args=[creator_import.pk]).get()["status"] == "done"
    assert run_import.apply(args=[creator_import.pk]).get()["status"] == "not claimed"
    assert Creator.objects.count() == 3
    assert SocialAccount.objects.count() == 3


def test_the_task_does_not_run_an_unconfirmed_preview_and_ignores_a_deleted_import(
    team, owner_client
):
    creator_import = _preview(owner_client, GOOD_CSV)
    assert run_import.apply(args=[creator_import.pk]).get()["status"] == "not claimed"
    assert not Creator.objects.exists()

    creator_import.delete()
    assert run_import.apply(args=[creator_import.pk]).get()["status"] == "gone"


def test_a_failing_import_rolls_back_everything_and_says_so(team, owner_client):
    rows = [
        {
            "row_number": n,
            "name": f"Creator {n}",
            "platform": "instagram",
            "handle": f"creator_{n}",
            "profile_url": "",
            "external_id": "",
            "email": "",
            "country": "",
            "language": "",
            "niches": [],
            "followers": 100,
            "following": None,
            "posts": None,
            "notes": "",
        }
        for n in range(2, 1002)
    ]
    rows[-1]["followers"] = -1  # breaks a check constraint in the last batch
    creator_import = CreatorImport.objects.create(
        workspace=team.workspace,
        filename="broken.csv",
        rows=rows,
        total_rows=len(rows),
        status=CreatorImport.Status.QUEUED,
    )

    assert run_import.apply(args=[creator_import.pk]).get()["status"] == "failed"

    creator_import.refresh_from_db()
    assert creator_import.status == CreatorImport.Status.FAILED
    assert "nothing was written" in creator_import.failure
    assert not Creator.objects.exists() and not Niche.objects.exists()
    html = owner_client.get(creator_import.get_absolute_url()).content.decode()
    assert "The import failed and nothing was written" in html


def test_the_progress_partial_polls_while_importing_and_reads_progress_from_the_cache(
    team, owner_client
):
    creator_import = CreatorImport.objects.create(
        workspace=team.workspace,
        filename="big.csv",
        total_rows=10_000,
        status=CreatorImport.Status.RUNNING,
    )
    cache.set(importing.progress_key(creator_import.pk), 2_500)
    url = creator_import.get_absolute_url()
    try:
        response = owner_client.get(url, headers={"HX-Request": "true"})
    finally:
        cache.delete(importing.progress_key(creator_import.pk))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # only the partial
    assert 'hx-trigger="every 1s"' in html and f'hx-get="{url}"' in html
    assert '<progress id="import-progress" max="10000" value="2500">' in html
    assert "2,500 of 10,000 rows" in html
    assert response["Vary"].count("HX-Request") == 1

    # Without the cache entry the row itself is the fallback.
    html = owner_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'value="0"' in html


def test_the_template_csv_downloads_as_an_attachment(team, viewer_client):
    response = viewer_client.get(reverse("creator_import_template"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="creators-template.csv"'
    assert response.content.decode().startswith("name,email,country,language,niches,platform")


def test_the_upload_page_links_the_template(team, owner_client):
    html = owner_client.get(IMPORT_URL).content.decode()
    assert reverse("creator_import_template") in html
    assert 'enctype="multipart/form-data"' in html


def test_a_file_over_5_mb_is_refused_with_a_message(team, owner_client):
    big = b"name,platform,handle\n" + b"x" * (11 * 1024 * 1024)
    response = _upload(owner_client, big)
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "The file is 11.0 MB: the limit is 5 MB (about 10,000 rows). Split it into smaller files."
    ]
    assert not CreatorImport.objects.exists()


def test_a_file_over_10000_rows_is_refused_with_a_message(team, owner_client):
    lines = ["name,platform,handle"] + [f"C{n},instagram,c{n}" for n in range(10_001)]
    response = _upload(owner_client, "\n".join(lines))
    assert response.status_code == 200
    [message] = response.context["form"].errors["file"]
    assert message.startswith("The file has more than 10,000 rows")
    assert not CreatorImport.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty"),
        (b"\n\n", "The file is empty"),
        (b"name,platform\nJane,instagram\n", "Missing column: handle"),
        (b"PK\x03\x04xlsx", "This is a spreadsheet file, not a CSV file"),
    ],
)
def test_an_unreadable_file_is_explained_on_the_upload_form(team, owner_client, content, message):
    response = _upload(owner_client, content)
    assert response.status_code == 200
    assert any(e.startswith(message) for e in response.context["form"].errors["file"])
    assert not CreatorImport.objects.exists()


def test_a_viewer_can_neither_upload_nor_confirm(team, viewer_client, owner_client):
    assert viewer_client.get(IMPORT_URL).status_code == 403
    assert _upload(viewer_client, GOOD_CSV).status_code == 403
    creator_import = _preview(owner_client, GOOD_CSV)
    response = viewer_client.post(reverse("creator_import_confirm", args=[creator_import.pk]))
    assert response.status_code == 403
    creator_import.refresh_from_db()
    assert creator_import.status == CreatorImport.Status.PREVIEW
    # Reading the preview is fine for a viewer.
    assert viewer_client.get(creator_import.get_absolute_url()).status_code == 200


def test_a_teammate_can_import(team, django_capture_on_commit_callbacks):
    client = team.client_for(team.teammate)
    creator_import = _preview(client, GOOD_CSV)
    assert len(_confirm(client, creator_import, django_capture_on_commit_callbacks)) == 1


def test_an_outsider_cannot_see_or_confirm_the_import(team, owner_client, outsider_client):
    creator_import = _preview(owner_client, GOOD_CSV)
    assert outsider_client.get(creator_import.get_absolute_url()).status_code == 404
    url = reverse("creator_import_confirm", args=[creator_import.pk])
    assert outsider_client.post(url).status_code == 404
    # The outsider's upload lands in their own workspace and sees no Acme duplicates.
    SocialAccountFactory(creator__workspace=team.workspace, handle="jane.doe")
    _upload(outsider_client, GOOD_CSV)
    theirs = CreatorImport.objects.for_workspace(team.other_workspace).get()
    assert theirs.duplicates == []
