from django.contrib import admin

from .models import Campaign, CampaignCreator, MessageTemplate, OutreachMessage, StageChange


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "brand", "workspace", "status", "start_date", "end_date"]
    list_filter = ["status", "goal"]
    search_fields = ["name", "brand"]
    raw_id_fields = ["workspace", "owner"]
    filter_horizontal = ["niches", "team"]


@admin.register(CampaignCreator)
class CampaignCreatorAdmin(admin.ModelAdmin):
    list_display = ["creator", "campaign", "stage", "added_at", "removed_at"]
    list_filter = ["stage"]
    raw_id_fields = ["workspace", "campaign", "creator", "added_by"]


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    list_display = ["campaign_creator", "from_stage", "to_stage", "by", "at"]
    raw_id_fields = ["campaign_creator", "by"]


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "offer_type", "updated_at"]
    search_fields = ["name", "subject", "workspace__name"]
    list_select_related = ["workspace"]


@admin.register(OutreachMessage)
class OutreachMessageAdmin(admin.ModelAdmin):
    list_display = [
        "to_email",
        "subject",
        "direction",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "direction"]
    search_fields = ["to_email", "subject"]
    readonly_fields = ["body", "error"]
