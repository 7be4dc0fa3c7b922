"""Adding creators: one by one with the form, or many from a CSV file (preview, confirm, progress)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.accounts.models import Role
from apps.accounts.scoping import HtmxHttpRequest, workspace_required

from .. import csv_import, importing, services
from ..forms import CreatorAddForm, CreatorImportForm
from ..models import CreatorImport, Platform

PREVIEW_ROWS = 50
ERRORS_SHOWN = 1000
DETAIL_TEMPLATE = "creators/adding/import_detail.html"


@require_http_methods(["GET", "POST"])
@workspace_required(role=Role.MEMBER)
def creator_add(request: HtmxHttpRequest) -> HttpResponse:
    form = CreatorAddForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        creator = services.creator_create(
            workspace=request.workspace,
            name=data["name"],
            profiles=data["profiles"],
            email=data["email"],
            country=data["country"],
            language=data["language"],
            niche_names=data["niches"],
            notes=data["notes"],
        )
        count = len(data["profiles"])
        messages.success(
            request,
            f"{creator.name} added with {count} account{'s' if count > 1 else ''}: "
            "their stats arrive with the next refresh.",
        )
        return redirect(creator)
    return TemplateResponse(request, "creators/adding/add.html", {"form": form})


@require_http_methods(["GET", "POST"])
@workspace_required(role=Role.MEMBER)
def creator_import(request: HtmxHttpRequest) -> HttpResponse:
    form = CreatorImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            creator_import = importing.import_preview_create(
                workspace=request.workspace,
                created_by=request.user,
                filename=upload.name,
                data=upload.read(),
            )
        except importing.ImportRejected as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            return redirect(creator_import)
    recent = CreatorImport.objects.for_workspace(request.workspace).defer(
        "rows", "errors", "duplicates"
    )[:5]
    return TemplateResponse(
        request,
        "creators/adding/import.html",
        {"form": form, "recent_imports": recent, "max_rows": csv_import.MAX_ROWS},
    )


@require_http_methods(["GET"])
@workspace_required
def creator_import_template(request: HtmxHttpRequest) -> HttpResponse:
    response = HttpResponse(csv_import.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="creators-template.csv"'
    return response


def _progress_context(creator_import: CreatorImport) -> dict:
    context = {
        "creator_import": creator_import,
        "processed": importing.import_progress(creator_import),
        "in_progress": creator_import.status
        in (CreatorImport.Status.QUEUED, CreatorImport.Status.RUNNING),
    }
    if creator_import.status in (CreatorImport.Status.PREVIEW, CreatorImport.Status.DONE):
        context["summary"] = importing.import_summary(creator_import)
    return context


def _with_platform_label(rows: list[dict]) -> list[dict]:
    return [{**row, "platform_label": Platform(row["platform"]).label} for row in rows]


@require_http_methods(["GET"])
@workspace_required
@vary_on_headers("HX-Request")
def creator_import_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    imports = CreatorImport.objects.for_workspace(request.workspace)
    if request.htmx:
        # Polled every second while importing: leave the big JSON columns in the database.
        creator_import = get_object_or_404(imports.defer("rows", "errors"), pk=pk)
        return TemplateResponse(
            request, f"{DETAIL_TEMPLATE}#progress", _progress_context(creator_import)
        )
    creator_import = get_object_or_404(imports, pk=pk)
    context = {
        **_progress_context(creator_import),
        "errors": creator_import.errors[:ERRORS_SHOWN],
        "errors_hidden": max(0, len(creator_import.errors) - ERRORS_SHOWN),
        "error_rows": len({e["row_number"] for e in creator_import.errors}),
        "preview_rows": _with_platform_label(creator_import.rows[:PREVIEW_ROWS]),
        "duplicates": _with_platform_label(creator_import.duplicates),
    }
    return TemplateResponse(request, DETAIL_TEMPLATE, context)


@require_POST
@workspace_required
def creator_import_confirm(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    creator_import = get_object_or_404(
        CreatorImport.objects.for_workspace(request.workspace), pk=pk
    )
    if creator_import.errors:
        messages.error(request, "This file has errors: fix those rows and upload it again.")
    elif importing.import_confirm(creator_import=creator_import):
        messages.success(request, "Import started.")
    else:
        messages.info(request, "This import was already confirmed.")
    return redirect(creator_import)
