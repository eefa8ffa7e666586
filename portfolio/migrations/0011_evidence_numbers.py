"""Evidence numbers (E1, E2 …) stored per portfolio, in the order the evidence was added."""

from django.db import migrations, models


def number_existing(apps, schema_editor):
    Evidence = apps.get_model("portfolio", "Evidence")
    portfolio_id, number = None, 0
    for evidence in Evidence.objects.order_by("portfolio_id", "created_at", "pk").only(
        "pk", "portfolio_id"
    ):
        if evidence.portfolio_id != portfolio_id:
            portfolio_id, number = evidence.portfolio_id, 0
        number += 1
        Evidence.objects.filter(pk=evidence.pk).update(number=number)


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0010_registration_and_designated_iqa"),
    ]

    operations = [
        migrations.AddField(
            model_name="evidence",
            name="number",
            field=models.PositiveIntegerField(editable=False, null=True),
        ),
        migrations.RunPython(number_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="evidence",
            name="number",
            field=models.PositiveIntegerField(editable=False),
        ),
        migrations.AddConstraint(
            model_name="evidence",
            constraint=models.UniqueConstraint(
                fields=("portfolio", "number"), name="evidence_number_once"
            ),
        ),
    ]
