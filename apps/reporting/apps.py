from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "apps.reporting"
    label = "reporting"

    def ready(self) -> None:
        # --- posts: failed disclosure checks on the home page's "needs attention" list.
        from apps.accounts import attention

        from .post_attention import failed_disclosures

        attention.register(failed_disclosures)

        # --- demo: the contracts of the demo's active campaign and what they brought
        # (reporting.demo seeds the contracts first, through apps.contracts.demo).
        from apps.accounts.signals import demo_workspace_ready

        from . import demo

        demo_workspace_ready.connect(demo.seed_demo_workspace, dispatch_uid="reporting-demo")
