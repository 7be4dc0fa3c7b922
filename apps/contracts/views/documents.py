"""The team's view of one contract version as a document: the printable page and its PDF."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from apps.accounts.scoping import HtmxHttpRequest, workspace_required

from .. import documents
from ..models import ContractVersion

DOCUMENT_TEMPLATE = "contracts/document/contract.html"
PDF_FAILED_TEMPLATE = "contracts/document/pdf_failed.html"


def _version(request: HtmxHttpRequest, pk: int, number: int) -> ContractVersion:
    versions = documents.versions_for_document(
        ContractVersion.objects.for_workspace(request.workspace)
    )
    return get_object_or_404(versions, contract_id=pk, number=number)


@require_http_methods(["GET"])
@workspace_required
def contract_document(request: HtmxHttpRequest, pk: int, number: int) -> HttpResponse:
    version = _version(request, pk, number)
    return TemplateResponse(request, DOCUMENT_TEMPLATE, documents.document_context(version))


@require_http_methods(["GET"])
@workspace_required
def contract_pdf(request: HtmxHttpRequest, pk: int, number: int) -> HttpResponse:
    version = _version(request, pk, number)
    try:
        pdf = documents.version_pdf(version)
    except documents.PdfError as exc:
        return pdf_failed(
            request, exc, document_url=reverse("contract_document", args=[pk, number])
        )
    return pdf_response(pdf, documents.pdf_filename(version))


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def pdf_failed(
    request, exc: documents.PdfError, *, document_url: str, template=PDF_FAILED_TEMPLATE
):
    context = {"message": exc.message, "document_url": document_url}
    return TemplateResponse(request, template, context, status=503)
