"""Routes of the contract document (team, signed in) and of the creator's pages (by link).

Kept apart from apps/contracts/urls.py (the team's contract pages) so the two can be
worked on side by side; config/urls.py includes both.
"""

from django.urls import path

from .views import documents, public

urlpatterns = [
    path(
        "contracts/<int:pk>/versions/<int:number>/",
        documents.contract_document,
        name="contract_document",
    ),
    path(
        "contracts/<int:pk>/versions/<int:number>/pdf/",
        documents.contract_pdf,
        name="contract_pdf",
    ),
    # The creator's side: no login, the token is the credential.
    path("c/<str:token>/", public.contract_public, name="contract_public"),
    path("c/<str:token>/accept/", public.contract_public_accept, name="contract_public_accept"),
    path("c/<str:token>/decline/", public.contract_public_decline, name="contract_public_decline"),
    path("c/<str:token>/pdf/", public.contract_public_pdf, name="contract_public_pdf"),
]
