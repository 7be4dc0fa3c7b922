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
