from django.urls import path

from .views import actions, clauses, contracts, deliverables

urlpatterns = [
    path("contracts/", contracts.contract_list, name="contract_list"),
    path(
        "campaigns/<int:campaign_pk>/creators/<int:pk>/contract/new/",
        contracts.contract_create,
        name="contract_create",
    ),
    path("contracts/<int:pk>/", contracts.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/edit/", contracts.contract_edit, name="contract_edit"),
    path("contracts/<int:pk>/compare/", contracts.contract_compare, name="contract_compare"),
    path("contracts/<int:pk>/history/", contracts.contract_history, name="contract_history"),
    # The lifecycle buttons of the contract page.
    path("contracts/<int:pk>/send/", actions.contract_send, name="contract_send"),
    path("contracts/<int:pk>/approve/", actions.contract_approve, name="contract_approve"),
    path("contracts/<int:pk>/activate/", actions.contract_activate, name="contract_activate"),
    path("contracts/<int:pk>/complete/", actions.contract_complete, name="contract_complete"),
    path("contracts/<int:pk>/cancel/", actions.contract_cancel, name="contract_cancel"),
    path(
        "contracts/links/<int:pk>/revoke/",
        actions.contract_link_revoke,
        name="contract_link_revoke",
    ),
    # Clause library, templates, settings.
    path("contracts/clauses/", clauses.clause_list, name="clause_list"),
    path("contracts/clauses/new/", clauses.clause_create, name="clause_create"),
    path("contracts/clauses/preview/", clauses.clause_preview, name="clause_preview"),
    path("contracts/clauses/<int:pk>/edit/", clauses.clause_edit, name="clause_edit"),
    path("contracts/templates/", clauses.contract_template_list, name="contract_template_list"),
    path(
        "contracts/templates/new/",
        clauses.contract_template_create,
        name="contract_template_create",
    ),
    path(
        "contracts/templates/<int:pk>/edit/",
        clauses.contract_template_edit,
        name="contract_template_edit",
    ),
    path("contracts/settings/", clauses.contract_settings, name="contract_settings"),
    # Deliverables to-do.
    path("deliverables/", deliverables.deliverable_list, name="deliverable_list"),
    path("deliverables/<int:pk>/done/", deliverables.deliverable_done, name="deliverable_done"),
]
