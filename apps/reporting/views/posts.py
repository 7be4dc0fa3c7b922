"""Published-post pages: a deliverable with its posts, attaching and detaching posts,
numbers entered by hand, and the campaign's post metrics CSV import."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from apps.accounts.models import Role
from apps.accounts.scoping import HtmxHttpRequest, workspace_required
from apps.campaigns.models import Campaign
from apps.contracts.models import Deliverable
from apps.creators.models import StatsSource

from .. import post_import, services
from ..forms_posts import MAX_IMPORT_BYTES, PostAttachForm, PostMetricsForm, PostMetricsImportForm
from ..models import DeliverablePost, PostMetricSnapshot

RECENT_SNAPSHOTS = 7


def _deliverables(request: HtmxHttpRequest):
    return Deliverable.objects.for_workspace(request.workspace).select_related(
        "version__contract__campaign", "version__contract__campaign_creator__creator"
    )


def _posts(request: HtmxHttpRequest):
    return DeliverablePost.objects.for_workspace(request.workspace)


def _detail_response(
    request: HtmxHttpRequest,
    deliverable: Deliverable,
    *,
    attach_form: PostAttachForm | None = None,
    metrics_forms: dict[int, PostMetricsForm] | None = None,
    status: int = 200,
) -> TemplateResponse:
    posts = list(
        deliverable.published_posts.prefetch_related(
            Prefetch(
                "snapshots",
                queryset=PostMetricSnapshot.objects.order_by("-date"),
                to_attr="history",
            )
        )
    )
    metrics_forms = metrics_forms or {}
    for post in posts:
        post.history = post.history[:RECENT_SNAPSHOTS]
        post.metrics_form = metrics_forms.get(post.pk) or PostMetricsForm(prefix=f"post{post.pk}")
    contract = deliverable.version.contract
    return TemplateResponse(
        request,
        "reporting/posts/deliverable_detail.html",
        {
            "deliverable": deliverable,
            "version": deliverable.version,
            "contract": contract,
            "campaign": contract.campaign,
            "creator": contract.campaign_creator.creator,
            "posts": posts,
            "refusal": services.deliverable_refusal(deliverable),
            "attach_form": attach_form or PostAttachForm(),
            "can_edit": request.membership.has_role(Role.MEMBER),
        },
        status=status,
    )


@require_http_methods(["GET"])
@workspace_required
def deliverable_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    deliverable = get_object_or_404(_deliverables(request), pk=pk)
    return _detail_response(request, deliverable)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


@require_http_methods(["POST"])
@workspace_required
def deliverable_post_attach(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    deliverable = get_object_or_404(_deliverables(request), pk=pk)
    form = PostAttachForm(request.POST)
    if form.is_valid():
        try:
            post = services.deliverable_post_attach(
                deliverable=deliverable,
                url=form.cleaned_data["url"],
                caption=form.cleaned_data["caption"] or None,
                by=request.user,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Attached {post.url}: its numbers are being fetched.")
            return redirect("deliverable_detail", pk=deliverable.pk)
    return _detail_response(request, deliverable, attach_form=form, status=400)


@require_http_methods(["POST"])
@workspace_required
def deliverable_post_metrics(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(_posts(request).select_related("deliverable"), pk=pk)
    form = PostMetricsForm(request.POST, prefix=f"post{post.pk}")
    if form.is_valid():
        numbers = {name: form.cleaned_data.get(name) for name in services.METRICS}
        try:
            services.post_metrics_record(
                post=post,
                date=form.cleaned_data["date"],
                numbers=numbers,
                source=StatsSource.MANUAL,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Saved the numbers of {form.cleaned_data['date']:%d %b %Y}.")
            return redirect("deliverable_detail", pk=post.deliverable_id)
    deliverable = get_object_or_404(_deliverables(request), pk=post.deliverable_id)
    return _detail_response(request, deliverable, metrics_forms={post.pk: form}, status=400)


@require_http_methods(["POST"])
@workspace_required
def deliverable_post_detach(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(_posts(request), pk=pk)
    deliverable_id = post.deliverable_id
    services.deliverable_post_detach(post=post)
    messages.success(request, f"Detached {post.url} and its numbers.")
    return redirect("deliverable_detail", pk=deliverable_id)


@require_http_methods(["GET", "POST"])
@workspace_required
def post_metrics_import(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Upload → preview (per-row errors, nothing written) → confirm (all rows or none).

    The preview carries the file's text in a hidden field; confirming parses it again
    against the campaign's posts, so nothing is trusted from the first request."""
    campaign = get_object_or_404(Campaign.objects.for_workspace(request.workspace), pk=pk)
    form = PostMetricsImportForm()
    preview, data = None, ""
    if request.method == "POST" and "confirm" in request.POST:
        data = request.POST.get("data", "")
        if len(data.encode()) > MAX_IMPORT_BYTES:
            messages.error(request, "The file is larger than 2 MB: split it into smaller files.")
            return redirect("post_metrics_import", pk=campaign.pk)
        preview = post_import.parse_post_metrics_csv(data.encode(), campaign=campaign)
        if preview.is_valid:
            count = post_import.post_metrics_import(preview=preview)
            messages.success(
                request, f"Imported {count} row{'' if count == 1 else 's'} of numbers."
            )
            return redirect("post_metrics_import", pk=campaign.pk)
    elif request.method == "POST":
        form = PostMetricsImportForm(request.POST, request.FILES)
        if form.is_valid():
            raw = form.cleaned_data["file"].read()
            preview = post_import.parse_post_metrics_csv(raw, campaign=campaign)
            data = post_import.file_text(raw) if preview.is_valid else ""
    status = 400 if request.method == "POST" and (preview is None or not preview.is_valid) else 200
    return TemplateResponse(
        request,
        "reporting/posts/post_metrics_import.html",
        {
            "campaign": campaign,
            "form": form,
            "preview": preview,
            "data": data,
            "columns": post_import.COLUMNS,
            "max_rows": post_import.MAX_ROWS,
            "confirm_url": reverse("post_metrics_import", args=[campaign.pk]),
        },
        status=status,
    )
