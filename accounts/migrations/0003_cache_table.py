"""Make the database cache's table (CACHES in settings), so `migrate` is all a new site needs."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # createcachetable skips a table that already exists and any cache that is not a
    # database cache (Redis, when CACHE_URL names it).
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_notifications")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
