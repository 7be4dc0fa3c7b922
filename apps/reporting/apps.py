from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "apps.reporting"
    label = "reporting"

    def ready(self) -> None:
        # --- posts: failed disclosure checks on the home page's "needs attention" list.
        from apps.accounts import attention

        from .post_attention import failed_disclosures

        attention.register(failed_disclosures)
