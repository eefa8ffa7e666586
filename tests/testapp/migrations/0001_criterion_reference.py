# A migration (rather than syncdb) so the table is created after the catalogue's on PostgreSQL.
from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("qualifications", "0001_catalogue")]

    operations = [
        migrations.CreateModel(
            name="CriterionReference",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "criterion",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="test_references",
                        to="qualifications.assessmentcriterion",
                    ),
                ),
            ],
        ),
    ]
