"""The creators part of the demo workspace: synthetic creators and a demo stats connection."""

from django.core.management import call_command

from .models import Creator

DEMO_ACCOUNTS = 300  # synthetic social accounts per demo workspace


def seed_demo_workspace(sender, *, workspace, seed: int, **kwargs) -> None:
    if Creator.objects.for_workspace(workspace).exists():
        return
    call_command(
        "seed_creators", accounts=DEMO_ACCOUNTS, workspace=workspace.pk, seed=seed, verbosity=0
    )
    call_command("demo_connections", workspace=workspace.pk, verbosity=0)
