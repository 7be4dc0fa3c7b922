from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "apps.campaigns"
    label = "campaigns"

    def ready(self) -> None:
        # Creators know nothing of campaigns: we tell the refresher which accounts matter.
        from apps.creators import refresh_priority

        from .services import refresh_intervals

        refresh_priority.register(refresh_intervals)

        # The home page's "needs attention" list shows due follow-ups.
        from apps.accounts import attention

        from .reminders import attention_items

        attention.register(attention_items)
