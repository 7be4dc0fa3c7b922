from django.core.management.base import BaseCommand, CommandError

from apps.accounts import doctor


class Command(BaseCommand):
    help = (
        "Check the database, migrations, Redis, Celery worker and beat, and the production "
        "settings; print OK/WARN/FAIL with a fix for each. Exits 1 when anything FAILs."
    )
    # The doctor reports Django's own system checks as findings instead of stopping at them.
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--production",
            action="store_true",
            help="Apply the production checks even when DEBUG or MICROREACH_DEV is on.",
        )

    def handle(self, *args, production: bool, **options):
        mode = doctor.detect_mode(force_production=production)
        self.stdout.write(f"Microreach doctor: {mode.reason}")
        findings = doctor.run(mode)
        style = {doctor.OK: self.style.SUCCESS, doctor.WARN: self.style.WARNING}
        for finding in findings:
            self.stdout.write(style.get(finding.level, self.style.ERROR)(finding.line()))
        counts = doctor.summary(findings)
        self.stdout.write(
            f"{counts[doctor.OK]} OK, {counts[doctor.WARN]} WARN, {counts[doctor.FAIL]} FAIL"
        )
        if counts[doctor.FAIL]:
            raise CommandError(f"{counts[doctor.FAIL]} check(s) failed", returncode=1)
