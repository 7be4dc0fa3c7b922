from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # CONCURRENTLY: a workspace of a million accounts keeps taking writes while it builds.
    atomic = False

    dependencies = [
        ("creators", "0006_tier_indexes"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="socialaccount",
            index=models.Index(
                fields=["workspace", "country", "language"], name="acct_ws_country_language"
            ),
        ),
    ]
