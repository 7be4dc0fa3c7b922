import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from honcho.manager import Manager

from .seed_demo import DEMO_EMAIL, DEMO_PASSWORD


class Command(BaseCommand):
    help = (
        "Migrate, seed the demo workspace, then run web + Celery worker + Celery beat until Ctrl-C."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--no-seed", action="store_true", help="Skip the demo seed.")

    def handle(self, *args, port: int, host: str, no_seed: bool, **options):
        call_command("migrate", interactive=False, verbosity=1)
        if not no_seed:
            call_command("seed_demo")
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)

        # Children inherit DATABASE_URL/REDIS_URL (set by settings when embedded),
        # so all three use the servers this process started.
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        python = sys.executable
        manager = Manager()
        manager.add_process(
            "web", f"{python} manage.py runserver {host}:{port} --noreload", env=env
        )
        manager.add_process(
            "worker",
            f"{python} -m celery -A config worker --loglevel=INFO --concurrency=2",
            env=env,
        )
        manager.add_process(
            "beat",
            f"{python} -m celery -A config beat --loglevel=INFO --schedule {settings.CELERY_BEAT_SCHEDULE_FILENAME}",
            env=env,
        )
        url = f"http://{host}:{port}/"
        self.stdout.write(self.style.SUCCESS(f"\nMicroreach is starting at {url}"))
        self.stdout.write(f"Demo login: {DEMO_EMAIL} / {DEMO_PASSWORD}")
        self.stdout.write("Press Ctrl-C to stop the web server, the worker and beat.\n")
        manager.loop()
        sys.exit(manager.returncode)
