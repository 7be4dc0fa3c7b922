from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "apps.contracts"
    label = "contracts"

    def ready(self) -> None:
        # The pipeline guard ("content live needs an accepted contract") and the home
        # page's overdue deliverables / approvals: registries of the lower apps.
        from apps.accounts.signals import demo_workspace_ready

        from . import attention, library

        attention.register()
        # The demo workspace starts with a clause library and a standard template.
        demo_workspace_ready.connect(library.seed_demo_workspace, dispatch_uid="contracts-demo")
