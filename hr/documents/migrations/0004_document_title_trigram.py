"""PostgreSQL only: a trigram index on UPPER(title), the exact expression Django compares for `title__icontains`
(`UPPER("documents_document"."title"::text) LIKE UPPER('%word%')`), so the global search's document title match
reads the matching rows from the index instead of all 100,000 documents. SQLite keeps its sequential scan. pg_trgm is
a trusted extension (PostgreSQL 13+): the database owner may create it; where that is refused the index is skipped
with a warning and the search still works, only slower."""

import logging

from django.db import migrations, transaction

log = logging.getLogger(__name__)
INDEX = "document_title_upper_trgm"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception as exc:  # noqa: BLE001 - no privilege: the search works without the index
        log.warning("pg_trgm unavailable (%s): the document title search runs without its trigram index", exc)
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON documents_document USING gin ((UPPER(title::text)) gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("documents", "0003_list_order_index")]

    operations = [migrations.RunPython(forwards, backwards)]
