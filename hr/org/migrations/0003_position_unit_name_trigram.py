"""PostgreSQL only: trigram indexes on position and unit names, on exactly the expression Django's `icontains` emits
there (`UPPER(name::text) LIKE UPPER('%…%')`), so the directory search finds the positions and units a word names
without reading every row (12,000 positions, 2,500 units in a ministry); it then looks their holders up by foreign
key. SQLite keeps its sequential scans. Without pg_trgm (see 0002) the indexes are skipped with a warning."""

import logging

from django.db import migrations, transaction

log = logging.getLogger(__name__)
INDEXES = {
    "position_name_id_trgm": ("org_position", "name_id"),
    "position_name_en_trgm": ("org_position", "name_en"),
    "orgunit_name_id_trgm": ("org_orgunit", "name_id"),
    "orgunit_name_en_trgm": ("org_orgunit", "name_en"),
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception as exc:  # noqa: BLE001 - no privilege: the search works without the indexes
        log.warning("pg_trgm unavailable (%s): position and unit names are searched without trigram indexes", exc)
        return
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("org", "0002_employee_sort_name_trigram")]

    operations = [migrations.RunPython(forwards, backwards)]
