"""PortfolioExport moves here from the portfolio app: Django's state only, the table is kept."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import exports.models


def move_content_type(apps, schema_editor):
    """Keep the model's content type (and the permissions hanging on it) under its new app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    old = ContentType.objects.using(db).filter(app_label="portfolio", model="portfolioexport")
    if not ContentType.objects.using(db).filter(app_label="exports", model="portfolioexport"):
        old.update(app_label="exports")


def restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    new = ContentType.objects.using(db).filter(app_label="exports", model="portfolioexport")
    if not ContentType.objects.using(db).filter(app_label="portfolio", model="portfolioexport"):
        new.update(app_label="portfolio")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("portfolio", "0002_portfolio_exports"),
        ("qualifications", "0001_catalogue"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PortfolioExport",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("requested_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                        ("scope", models.CharField(choices=[("whole", "The whole portfolio"), ("unit", "One unit"), ("accepted", "Accepted evidence only")], default="whole", max_length=10)),
                        ("state", models.CharField(choices=[("queued", "Queued"), ("running", "Rendering"), ("done", "Ready"), ("failed", "Failed")], default="queued", max_length=10)),
                        ("progress", models.PositiveSmallIntegerField(default=0)),
                        ("stage", models.CharField(blank=True, max_length=200)),
                        ("verification_code", models.CharField(max_length=20, unique=True)),
                        ("file", models.FileField(blank=True, max_length=300, upload_to=exports.models.export_path)),
                        ("size", models.PositiveBigIntegerField(blank=True, null=True)),
                        ("pages", models.PositiveIntegerField(blank=True, null=True)),
                        ("sha256", models.CharField(blank=True, max_length=64, verbose_name="SHA-256")),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("error", models.TextField(blank=True)),
                        ("last_audit_id", models.BigIntegerField(blank=True, null=True)),
                        ("portfolio", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="exports", to="portfolio.portfolio")),
                        ("requested_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("unit", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="qualifications.unit")),
                    ],
                    options={
                        "db_table": "portfolio_portfolioexport",
                        "ordering": ["-requested_at", "-pk"],
                        "constraints": [
                            models.CheckConstraint(condition=models.Q(("scope__in", ["whole", "unit", "accepted"])), name="export_scope_known"),
                            models.CheckConstraint(condition=models.Q(("state__in", ["queued", "running", "done", "failed"])), name="export_state_known"),
                            models.CheckConstraint(condition=models.Q(models.Q(("scope", "unit"), _negated=True), ("unit__isnull", False), _connector="OR"), name="export_unit_scope_names_unit"),
                            models.CheckConstraint(condition=models.Q(("progress__lte", 100)), name="export_progress_percent"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, restore_content_type),
    ]
