from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.models import Membership, Role, User, Workspace
from apps.accounts.signals import demo_workspace_ready

DEMO_EMAIL = "demo@microreach.local"
DEMO_PASSWORD = "microreach-demo"  # noqa: S105 - a documented demo login for local runs
DEMO_WORKSPACES = ["Demo Brand", "Demo Agency"]


class Command(BaseCommand):
    help = "Create (or refresh) the demo user and workspaces. Safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        user, created = User.objects.get_or_create(
            email=DEMO_EMAIL, defaults={"full_name": "Demo Marketer"}
        )
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        for number, name in enumerate(DEMO_WORKSPACES):
            workspace = Workspace.objects.filter(name=name, memberships__user=user).first()
            if workspace is None:
                workspace = Workspace.objects.create(name=name)
            Membership.objects.update_or_create(
                workspace=workspace, user=user, defaults={"role": Role.OWNER}
            )
            # Each app fills its part of the demo (creators, campaigns, ...), idempotently.
            demo_workspace_ready.send(sender=self.__class__, workspace=workspace, seed=42 + number)
        self.stdout.write(f"Demo login: {DEMO_EMAIL} / {DEMO_PASSWORD}")
