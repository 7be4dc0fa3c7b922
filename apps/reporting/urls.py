"""Reporting pages. Each helper keeps its routes in its own section."""

from django.urls import path

from .views import posts as post_views

urlpatterns = [
    # --- posts (published posts and their metrics)
    path("deliverables/<int:pk>/", post_views.deliverable_detail, name="deliverable_detail"),
    path(
        "deliverables/<int:pk>/posts/",
        post_views.deliverable_post_attach,
        name="deliverable_post_attach",
    ),
    path(
        "deliverable-posts/<int:pk>/metrics/",
        post_views.deliverable_post_metrics,
        name="deliverable_post_metrics",
    ),
    path(
        "deliverable-posts/<int:pk>/detach/",
        post_views.deliverable_post_detach,
        name="deliverable_post_detach",
    ),
    path(
        "campaigns/<int:pk>/post-metrics/import/",
        post_views.post_metrics_import,
        name="post_metrics_import",
    ),
]

# --- conversions (tracked links, promo codes, conversions, exchange rates)
from .views import conversions as conversion_views  # noqa: E402
from .views import links as link_views  # noqa: E402

urlpatterns += [
    # Public: the short link pasted in creators' posts (no login; see views/links.py).
    path("r/<slug:code>", link_views.tracked_link_redirect, name="tracked_link_redirect"),
    path(
        "campaigns/<int:pk>/conversions/",
        conversion_views.campaign_conversions,
        name="campaign_conversions",
    ),
    path(
        "campaigns/<int:pk>/conversions/links/",
        conversion_views.tracked_link_create,
        name="tracked_link_create",
    ),
    path(
        "campaigns/<int:pk>/conversions/links/<int:link_pk>/archive/",
        conversion_views.tracked_link_archive,
        name="tracked_link_archive",
    ),
    path(
        "campaigns/<int:pk>/conversions/promo-codes/",
        conversion_views.promo_code_create,
        name="promo_code_create",
    ),
    path(
        "campaigns/<int:pk>/conversions/add/",
        conversion_views.conversion_add,
        name="conversion_add",
    ),
    path(
        "campaigns/<int:pk>/conversions/import/",
        conversion_views.conversions_import,
        name="conversions_import",
    ),
    path(
        "campaigns/<int:pk>/conversions/import/template.csv",
        conversion_views.conversions_import_template,
        name="conversions_import_template",
    ),
    path("exchange-rates/", conversion_views.exchange_rates, name="exchange_rates"),
    path(
        "exchange-rates/<int:pk>/delete/",
        conversion_views.exchange_rate_delete,
        name="exchange_rate_delete",
    ),
]

# --- report (dashboard, overview, exports, share links, scheduled emails)
from .views import report as report_views  # noqa: E402
from .views import schedules as schedule_views  # noqa: E402
from .views import share as share_views  # noqa: E402

urlpatterns += [
    path("reports/", report_views.report_overview, name="report_overview"),
    path("campaigns/<int:pk>/report/", report_views.campaign_report, name="campaign_report"),
    path(
        "campaigns/<int:pk>/report/export.csv",
        report_views.campaign_report_csv,
        name="campaign_report_csv",
    ),
    path(
        "campaigns/<int:pk>/report/export.pdf",
        report_views.campaign_report_pdf,
        name="campaign_report_pdf",
    ),
    path("campaigns/<int:pk>/report/share/", share_views.share_link_list, name="share_link_list"),
    path(
        "campaigns/<int:pk>/report/share/new/",
        share_views.share_link_create,
        name="share_link_create",
    ),
    path(
        "campaigns/<int:pk>/report/share/<int:link_pk>/revoke/",
        share_views.share_link_revoke,
        name="share_link_revoke",
    ),
    path("s/<str:token>/", share_views.shared_report, name="shared_report"),
    path(
        "campaigns/<int:pk>/report/emails/",
        schedule_views.report_schedule_list,
        name="report_schedule_list",
    ),
    path(
        "campaigns/<int:pk>/report/emails/new/",
        schedule_views.report_schedule_create,
        name="report_schedule_create",
    ),
    path(
        "campaigns/<int:pk>/report/emails/<int:schedule_pk>/pause/",
        schedule_views.report_schedule_pause,
        name="report_schedule_pause",
    ),
    path(
        "campaigns/<int:pk>/report/emails/<int:schedule_pk>/delete/",
        schedule_views.report_schedule_delete,
        name="report_schedule_delete",
    ),
]
