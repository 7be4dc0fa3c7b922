import django.db.models.deletion
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


def follower_tier():
    """models.follower_tier() as it stands in this migration (a migration keeps its own copy)."""
    return models.Case(
        models.When(followers__gte=1000000, then=models.Value("mega")),
        models.When(followers__gte=500000, then=models.Value("macro")),
        models.When(followers__gte=100000, then=models.Value("mid")),
        models.When(followers__gte=10000, then=models.Value("micro")),
        models.When(followers__gte=0, then=models.Value("nano")),
        output_field=models.CharField(),
    )


class Migration(migrations.Migration):
    # CONCURRENTLY: a workspace of a million accounts keeps taking writes while they build.
    atomic = False

    dependencies = [
        ("accounts", "0001_initial"),
        ("creators", "0005_platform_engagement_index"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="socialaccount",
            index=models.Index(
                models.F("workspace"),
                follower_tier(),
                models.OrderBy(models.F("engagement_rate"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                name="acct_ws_tier_engagement",
            ),
        ),
        AddIndexConcurrently(
            model_name="socialaccount",
            index=models.Index(
                models.F("workspace"),
                follower_tier(),
                models.OrderBy(models.F("growth_30d"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                name="acct_ws_tier_growth",
            ),
        ),
        # The workspace's own index goes: every index above starts with the workspace. Only the
        # index: AlterField would also drop and re-validate the foreign key over every row.
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX CONCURRENTLY IF EXISTS creators_socialaccount_workspace_id_cb6e1408",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS "
                    "creators_socialaccount_workspace_id_cb6e1408 "
                    "ON creators_socialaccount (workspace_id)",
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="socialaccount",
                    name="workspace",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.workspace",
                    ),
                )
            ],
        ),
    ]
