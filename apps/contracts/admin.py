"""Operators' view of contracts. Read-mostly: lifecycle changes go through the services
(the team pages), so the admin cannot bypass the guarded transitions or edit a frozen
version."""

from django.contrib import admin

from .models import (
    Clause,
    Contract,
    ContractDecision,
    ContractLink,
    ContractSettings,
    ContractTemplate,
    ContractVersion,
    Deliverable,
    TemplateClause,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ("title", "workspace", "campaign", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("title",)
    list_select_related = ("workspace", "campaign")


class DeliverableInline(admin.TabularInline):
    model = Deliverable
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ContractVersion)
class ContractVersionAdmin(ReadOnlyAdmin):
    list_display = ("contract", "number", "currency", "cash_amount", "frozen_at", "content_hash")
    list_select_related = ("contract",)
    inlines = [DeliverableInline]


@admin.register(ContractLink)
class ContractLinkAdmin(ReadOnlyAdmin):
    list_display = ("version", "sent_to", "created_at", "expires_at", "revoked_at")
    list_select_related = ("version__contract",)
    exclude = ("token_hash",)


@admin.register(ContractDecision)
class ContractDecisionAdmin(ReadOnlyAdmin):
    list_display = ("version", "decision", "full_name", "decided_at", "ip_address")
    list_select_related = ("version__contract",)


class TemplateClauseInline(admin.TabularInline):
    model = TemplateClause
    extra = 0
    raw_id_fields = ("clause",)


@admin.register(ContractTemplate)
class ContractTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "workspace", "updated_at")
    inlines = [TemplateClauseInline]


@admin.register(Clause)
class ClauseAdmin(admin.ModelAdmin):
    list_display = ("title", "category", "workspace", "updated_at")
    list_filter = ("category",)


@admin.register(ContractSettings)
class ContractSettingsAdmin(admin.ModelAdmin):
    list_display = ("workspace", "approval_threshold", "approval_currency", "link_valid_days")
