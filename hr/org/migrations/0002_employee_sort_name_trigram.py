"""PostgreSQL only: a trigram index on the bare name, so the directory's "name contains" search (LIKE '%…%') uses an
index instead of reading every employee (a ministry has 50,000). SQLite keeps its sequential scan. pg_trgm is a
trusted extension (PostgreSQL 13+): the database owner may create it; where that is refused the index is skipped
with a warning and the search still works, only slower."""

import logging

from django.db import migrations, transaction

log = logging.getLogger(__name__)
INDEX = "employee_sort_name_trgm"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception as exc:  # noqa: BLE001 - no privilege: the search works without the index
        log.warning("pg_trgm unavailable (%s): the directory search runs without its trigram index", exc)
        return
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON org_employee USING gin (sort_name gin_trgm_ops)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
