"""Bulk writes for the jobs that touch tens of thousands of rows (the directory sync, the leave year-end job, the
demo seeder). `bulk_update_fast`: one `UPDATE … FROM unnest(arrays)` (PostgreSQL) or `UPDATE … FROM (VALUES …)`
(SQLite) statement per batch. `insert_rows`: plain tuples in, no model instances.

Django's `bulk_update` builds a `CASE WHEN pk=… THEN …` expression per row and resolves it in Python, which costs
seconds per ten thousand rows; a joined VALUES list lets the database do the work (PostgreSQL, and SQLite ≥ 3.33).
Falls back to `bulk_update` on other databases.
"""

from __future__ import annotations

import sqlite3

from django.db import connection, models

BATCH = 2000


def chunks(items, size: int = BATCH):
    """`items` in lists of at most `size` (IN lists and statements of a bounded size)."""
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _supported() -> bool:
    if connection.vendor == "postgresql":
        return True
    if connection.vendor == "sqlite":
        return sqlite3.sqlite_version_info >= (3, 33, 0)
    return False


def bulk_update_fast(objs: list, field_names: list[str], batch_size: int = BATCH, model=None) -> None:
    """`objs` are model instances, or any objects with `pk` and the fields' attribute names (pass `model`)."""
    if not objs or not field_names:
        return
    model = model or type(objs[0])
    if not _supported():
        if not isinstance(objs[0], models.Model):
            attnames = [model._meta.get_field(f).attname for f in field_names]
            objs = [model(pk=o.pk, **{a: getattr(o, a) for a in attnames}) for o in objs]
        model._base_manager.bulk_update(objs, field_names, batch_size=batch_size)
        return
    meta = model._meta
    pk = meta.pk
    fields = [meta.get_field(name) for name in field_names]
    table = connection.ops.quote_name(meta.db_table)
    pk_col = connection.ops.quote_name(pk.column)
    cols = [connection.ops.quote_name(f.column) for f in fields]
    per_row = len(fields) + 1
    batch_size = max(1, min(batch_size, 30000 // per_row))
    postgres = connection.vendor == "postgresql"
    if postgres and all(f.get_internal_type() not in _NOT_ARRAYABLE for f in fields):
        _update_from_arrays(objs, pk, fields, table, pk_col, cols)
        return
    for start in range(0, len(objs), batch_size):
        chunk = objs[start : start + batch_size]
        params: list = []
        for obj in chunk:
            params.append(pk.get_db_prep_value(obj.pk, connection))
            for f in fields:
                params.append(f.get_db_prep_save(getattr(obj, f.attname), connection))
        if postgres:
            types = [pk.db_type(connection)] + [f.db_type(connection) for f in fields]
            first = "(" + ", ".join(f"%s::{t}" for t in types) + ")"
            rest = ", ".join(["(" + ", ".join(["%s"] * per_row) + ")"] * (len(chunk) - 1))
            values = first + (", " + rest if rest else "")
            names = ", ".join(["_pk", *[f"_c{i}" for i in range(len(fields))]])
            assignments = ", ".join(f"{c} = v._c{i}" for i, c in enumerate(cols))
            sql = (
                f"UPDATE {table} SET {assignments} FROM (VALUES {values}) AS v({names}) WHERE {table}.{pk_col} = v._pk"  # noqa: S608 - identifiers from model meta, values bound
            )
        else:
            values = ", ".join(["(" + ", ".join(["%s"] * per_row) + ")"] * len(chunk))
            assignments = ", ".join(f"{c} = v.column{i + 2}" for i, c in enumerate(cols))
            sql = f"UPDATE {table} SET {assignments} FROM (VALUES {values}) AS v WHERE {table}.{pk_col} = v.column1"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


# Values psycopg cannot send as one typed array parameter (adapted wrappers): these keep the VALUES path.
_NOT_ARRAYABLE = {"JSONField", "BinaryField"}


def _update_from_arrays(objs, pk, fields, table, pk_col, cols) -> None:
    """PostgreSQL: `UPDATE … FROM unnest(%s::type[], …)`, one array parameter per column. The statement text stays
    short whatever the batch, so psycopg does not re-parse a query of tens of thousands of placeholders per batch."""
    types = [pk.db_type(connection)] + [f.db_type(connection) for f in fields]
    arrays = ", ".join(f"%s::{t}[]" for t in types)
    names = ", ".join(["_pk", *[f"_c{i}" for i in range(len(fields))]])
    assignments = ", ".join(f"{c} = v._c{i}" for i, c in enumerate(cols))
    sql = f"UPDATE {table} SET {assignments} FROM unnest({arrays}) AS v({names}) WHERE {table}.{pk_col} = v._pk"  # noqa: S608 - identifiers from model meta, values bound
    with connection.cursor() as cursor:
        for start in range(0, len(objs), 10 * BATCH):
            chunk = objs[start : start + 10 * BATCH]
            columns = [[pk.get_db_prep_value(o.pk, connection) for o in chunk]]
            columns += [[f.get_db_prep_save(getattr(o, f.attname), connection) for o in chunk] for f in fields]
            cursor.execute(sql, columns)


def insert_rows(model, field_names: list[str], rows: list[tuple], *, ignore_conflicts: bool = False) -> None:
    """INSERT plain tuples (no model instances, no RETURNING): for the sync's link rows, where building tens of
    thousands of model instances for `bulk_create` cost more than the database's work. PostgreSQL gets one
    `INSERT … SELECT FROM unnest(…)` per batch (one array parameter per column); other databases `executemany`."""
    if not rows:
        return
    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    table = connection.ops.quote_name(meta.db_table)
    cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    if connection.vendor not in ("postgresql", "sqlite"):
        objs = [model(**dict(zip([f.attname for f in fields], row, strict=True))) for row in rows]
        model._base_manager.bulk_create(objs, batch_size=BATCH, ignore_conflicts=ignore_conflicts)
        return
    conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
            sql = f"INSERT INTO {table} ({cols}) SELECT * FROM unnest({arrays}){conflict}"  # noqa: S608 - identifiers from model meta
            for start in range(0, len(rows), 10 * BATCH):
                chunk = rows[start : start + 10 * BATCH]
                columns = [[f.get_db_prep_save(row[i], connection) for row in chunk] for i, f in enumerate(fields)]
                cursor.execute(sql, columns)
            return
        verb = "INSERT OR IGNORE" if ignore_conflicts else "INSERT"
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"{verb} INTO {table} ({cols}) VALUES ({placeholders})"  # noqa: S608
        prepped = [tuple(f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)) for row in rows]
        cursor.executemany(sql, prepped)
