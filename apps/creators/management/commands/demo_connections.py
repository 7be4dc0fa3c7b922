from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import Workspace
from apps.creators.connections import demo_connections_ensure


class Command(BaseCommand):
    help = (
        "Give a workspace the simulated (demo) platform for each platform that has no real "
        "connection, so the local demo's numbers move. Does nothing unless DEMO_PROVIDER is on."
    )

    def add_arguments(self, parser):
        parser.add_argument("--workspace", type=int, required=True, help="Workspace id")

    def handle(self, *args, workspace: int, **options):
        target = Workspace.objects.filter(pk=workspace).first()
        if target is None:
            raise CommandError(f"No workspace with id {workspace}.")
        created = demo_connections_ensure(workspace=target)
        names = ", ".join(c.get_platform_display() for c in created) or "none"
        self.stdout.write(f"Simulated connections added to {target.name}: {names}")
