from django.urls import path

from .views import campaigns as views

urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path(
        "campaigns/shortlist/",
        views.shortlist_add_from_discovery,
        name="shortlist_add_from_discovery",
    ),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/archive/", views.campaign_archive, name="campaign_archive"),
    path("campaigns/<int:pk>/shortlist/", views.shortlist_add, name="shortlist_add"),
    path(
        "campaigns/<int:pk>/shortlist/<int:cc_pk>/remove/",
        views.shortlist_remove,
        name="shortlist_remove",
    ),
    path(
        "campaigns/<int:pk>/shortlist/<int:cc_pk>/restore/",
        views.shortlist_restore,
        name="shortlist_restore",
    ),
]

# Outreach
from .views import outreach as outreach_views  # noqa: E402

urlpatterns += [
    path("campaigns/templates/", outreach_views.template_list, name="outreach_template_list"),
    path(
        "campaigns/templates/new/", outreach_views.template_create, name="outreach_template_create"
    ),
    path(
        "campaigns/templates/<int:pk>/edit/",
        outreach_views.template_edit,
        name="outreach_template_edit",
    ),
    path(
        "campaigns/templates/preview/",
        outreach_views.template_preview,
        name="outreach_template_preview",
    ),
    path("campaigns/<int:pk>/outreach/", outreach_views.outreach_send, name="outreach_send"),
    path(
        "campaigns/<int:pk>/outreach/<int:cc_pk>/",
        outreach_views.outreach_timeline,
        name="outreach_timeline",
    ),
    path(
        "campaigns/<int:pk>/outreach/<int:cc_pk>/reply/",
        outreach_views.outreach_reply,
        name="outreach_reply",
    ),
]

# Pipeline
from .views import board as board_views  # noqa: E402

urlpatterns += [
    path("campaigns/<int:pk>/board/", board_views.campaign_board, name="campaign_board"),
    path("campaigns/<int:pk>/table/", board_views.campaign_table, name="campaign_table"),
    path(
        "campaigns/<int:pk>/creators/<int:cc_pk>/move/",
        board_views.campaign_creator_move,
        name="campaign_creator_move",
    ),
]

# Follow-up reminders
from .views import reminders as reminder_views  # noqa: E402

urlpatterns += [
    path(
        "campaigns/<int:pk>/creators/<int:cc_pk>/snooze/",
        reminder_views.follow_up_snooze,
        name="follow_up_snooze",
    ),
]
