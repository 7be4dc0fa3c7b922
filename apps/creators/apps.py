from django.apps import AppConfig


class CreatorsConfig(AppConfig):
    name = "apps.creators"
    label = "creators"

    def ready(self) -> None:
        from apps.accounts import attention, health
        from apps.accounts.signals import demo_workspace_ready

        # Celery's autodiscovery imports only `tasks` modules; the refresh tasks live apart.
        from . import connections, demo, refresh_tasks  # noqa: F401

        health.register_check("connections", connections.health_check, critical=False)
        attention.register(connections.attention_items)
        demo_workspace_ready.connect(demo.seed_demo_workspace, dispatch_uid="creators-demo")
