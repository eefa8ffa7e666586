"""PortfolioExport now lives in the exports app; its table stays where it is."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0002_portfolio_exports"),
        ("exports", "0001_portfolio_export_moved_from_portfolio"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PortfolioExport")],
            database_operations=[],
        ),
    ]
