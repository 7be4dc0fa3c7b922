from django.urls import path

from .views import adding, detail, discovery
from .views import refresh as refresh_views
from .views import tiktok_connect as tiktok_views

urlpatterns = [
    # Discovery: the filtered list, its export and saved searches.
    path("creators/", discovery.creator_list, name="creator_list"),
    path("creators/export.csv", discovery.creator_export, name="creator_export"),
    path("creators/searches/", discovery.saved_search_create, name="saved_search_create"),
    path(
        "creators/searches/<int:pk>/delete/",
        discovery.saved_search_delete,
        name="saved_search_delete",
    ),
    # Adding creators: by form and by CSV import.
    path("creators/add/", adding.creator_add, name="creator_add"),
    path("creators/import/", adding.creator_import, name="creator_import"),
    path(
        "creators/import/template.csv",
        adding.creator_import_template,
        name="creator_import_template",
    ),
    path("creators/import/<int:pk>/", adding.creator_import_detail, name="creator_import_detail"),
    path(
        "creators/import/<int:pk>/confirm/",
        adding.creator_import_confirm,
        name="creator_import_confirm",
    ),
    # The creator page and what can be done on it.
    path("creators/blocklist/", detail.blocklist, name="blocklist"),
    path("creators/<int:pk>/", detail.creator_detail, name="creator_detail"),
    path("creators/<int:pk>/edit/", detail.creator_edit, name="creator_edit"),
    path("creators/<int:pk>/flags/", detail.creator_flag, name="creator_flag"),
    path("creators/<int:pk>/notes/", detail.creator_note_add, name="creator_note_add"),
    path("creators/accounts/<int:pk>/stats/", detail.account_stats_edit, name="account_stats_edit"),
    # Stats refresh
    path("creators/connections/", refresh_views.connections, name="connections"),
    path("creators/connections/add/", refresh_views.connection_add, name="connection_add"),
    path(
        "creators/connections/<int:pk>/edit/",
        refresh_views.connection_edit,
        name="connection_edit",
    ),
    path(
        "creators/connections/<int:pk>/test/",
        refresh_views.connection_test,
        name="connection_test",
    ),
    path(
        "creators/connections/<int:pk>/delete/",
        refresh_views.connection_delete,
        name="connection_delete",
    ),
    path("creators/refresh/", refresh_views.refresh_status, name="refresh_status"),
    path("creators/refresh/now/", refresh_views.refresh_now, name="refresh_now"),
    path("creators/refresh/progress/", refresh_views.refresh_progress, name="refresh_progress"),
    # TikTok connect: a member's link, then the creator's public pages (no login).
    path("creators/accounts/<int:pk>/tiktok-link/", tiktok_views.tiktok_link, name="tiktok_link"),
    path(
        "connect/tiktok/callback/",
        tiktok_views.tiktok_connect_callback,
        name="tiktok_connect_callback",
    ),
    path("connect/tiktok/<str:signed>/", tiktok_views.tiktok_connect, name="tiktok_connect"),
]
