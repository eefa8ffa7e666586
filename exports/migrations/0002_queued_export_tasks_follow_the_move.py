"""Export tasks queued before the move still name the old task path; point them at the new one.

Without this, an export requested just before an upgrade would fail in the worker with an
import error instead of being built.
"""

from django.db import migrations

OLD_PATH = "portfolio.tasks.build_export"
NEW_PATH = "exports.tasks.build_export"


def forwards(apps, schema_editor):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    DBTaskResult.objects.using(schema_editor.connection.alias).filter(
        task_path=OLD_PATH, status="READY"
    ).update(task_path=NEW_PATH)


def backwards(apps, schema_editor):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    DBTaskResult.objects.using(schema_editor.connection.alias).filter(
        task_path=NEW_PATH, status="READY"
    ).update(task_path=OLD_PATH)


class Migration(migrations.Migration):
    dependencies = [
        ("exports", "0001_portfolio_export_moved_from_portfolio"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
