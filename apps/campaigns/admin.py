from django.contrib import admin

from .models import Campaign, CampaignCreator, StageChange


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
