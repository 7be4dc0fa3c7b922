from django.db import migrations

from apps.creators import metrics


def seed_benchmarks(apps, schema_editor):
    BenchmarkBand = apps.get_model("creators", "BenchmarkBand")
    for band in metrics.DEFAULT_BENCHMARKS:
        BenchmarkBand.objects.get_or_create(
            platform=band.platform,
            min_audience=band.min_audience,
            defaults={
                "max_audience": band.max_audience,
                "low": band.low,
                "high": band.high,
                "source": "Modash 2025 medians (providers.md)",
            },
        )


def add_trigram_index(apps, schema_editor):
    # pg_trgm lets "jonh" find "john". The embedded pgserver build ships without
    # it, so the index is created only where the extension exists; discovery
    # falls back to prefix matching on handles without it (creators.search).
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone() is None:
            return
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS acct_handle_trgm ON creators_socialaccount USING gin (handle gin_trgm_ops)"
        )


def drop_trigram_index(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS acct_handle_trgm")


class Migration(migrations.Migration):
    dependencies = [("creators", "0001_initial")]

    operations = [
        migrations.RunPython(seed_benchmarks, migrations.RunPython.noop),
        migrations.RunPython(add_trigram_index, drop_trigram_index),
    ]
