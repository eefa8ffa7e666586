"""Invitations queued before enrolment left the cohorts app still name the old task path;
point them at the new one, so a learner enrolled just before an upgrade still gets their mail."""

from django.db import migrations

OLD_PATH = "cohorts.enrolment.send_invitations"
NEW_PATH = "enrolment.tasks.send_invitations"


def repoint(old: str, new: str):
    def run(apps, schema_editor):
        DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
        DBTaskResult.objects.using(schema_editor.connection.alias).filter(
            task_path=old, status="READY"
        ).update(task_path=new)

    return run


class Migration(migrations.Migration):
    dependencies = [("django_tasks_database", "0021_conditional_partial_index_ordering")]

    operations = [migrations.RunPython(repoint(OLD_PATH, NEW_PATH), repoint(NEW_PATH, OLD_PATH))]
