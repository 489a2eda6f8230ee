import sqlite3

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from psycopg import sql

from intranet.core.backup import backup_create, record_counts, restore, sha256
from intranet.core.private_files import private_storage
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def data(org):
    for _ in range(3):
        EmployeeFactory(unit=org["SUB1"])
    private_storage().save("payslips/2026/slip.pdf", ContentFile(b"%PDF-1.4 secret payslip"))
    private_storage().save("documents/sk.pdf", ContentFile(b"%PDF-1.4 SK pengangkatan"))
    return record_counts()


def restore_into_fresh_database(source, tmp_path, **kwargs) -> dict[str, int]:
    """Restore `source` into a new database (a new SQLite file, or a database created on the same PostgreSQL
    server) with folders of its own under `tmp_path`; return the row counts of `_tables()` read from it."""
    folders = {"private_root": tmp_path / "restored-private", "media_root": tmp_path / "restored-media"}
    if connection.vendor == "sqlite":
        target = tmp_path / "restored.sqlite3"
        restore(source=source, database_url=f"sqlite:///{target}", **folders, **kwargs)
        db = sqlite3.connect(target)
        counts = {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in _tables()}  # noqa: S608
        db.close()
        return counts
    params = connection.settings_dict
    name = f"{params['NAME']}_restore"  # beside this run's test database: runs on one server do not collide
    admin_url = (
        f"postgresql://{params['USER'] or 'postgres'}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/postgres"
    )
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        url = admin_url.rsplit("/", 1)[0] + f"/{name}"
        restore(source=source, database_url=url, **folders, **kwargs)
        with psycopg.connect(url) as db:
            return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in _tables()}  # noqa: S608
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def test_backup_restore_round_trip_into_an_empty_database(data, tmp_path):
    out = tmp_path / "backup"
    manifest = backup_create(output=out)
    assert manifest["counts"]["org.Employee"] == 3
    assert set(manifest["files"]["private"]) == {"payslips/2026/slip.pdf", "documents/sk.pdf"}
    counts = restore_into_fresh_database(out, tmp_path)

    from django.apps import apps

    expected = {m._meta.db_table: data[m._meta.label] for m in apps.get_models() if m._meta.label in data}
    for table in _tables():
        assert counts[table] == expected.get(table, counts[table]), table
    assert counts["org_employee"] == 3
    for rel, digest in manifest["files"]["private"].items():
        assert sha256(tmp_path / "restored-private" / rel) == digest


def _tables():
    return ["org_employee", "org_orgunit", "accounts_user", "audit_auditentry"]


def test_damaged_backup_is_refused(data, tmp_path):
    out = tmp_path / "backup"
    backup_create(output=out)
    (out / "private" / "documents" / "sk.pdf").write_bytes(b"tampered")
    with pytest.raises(CommandError, match="sk.pdf"):
        call_command("restore", str(out), "--verify-only")


def test_backup_command_refuses_a_non_empty_folder(data, tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "junk").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", "--output", str(tmp_path / "x"))


def test_restore_into_another_database_never_touches_the_live_file_folders(data, tmp_path, settings):
    out = tmp_path / "backup"
    backup_create(output=out)
    live = sorted(p for p in settings.PRIVATE_MEDIA_ROOT.rglob("*"))
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    with pytest.raises(ValueError, match="its own private and media folders"):
        restore(source=out, database_url=other)
    with pytest.raises(ValueError, match="live file folders"):
        restore(source=out, database_url=other, private_root=settings.PRIVATE_MEDIA_ROOT, media_root=tmp_path / "m")
    with pytest.raises(CommandError, match="its own private and media folders"):
        call_command("restore", str(out), "--database-url", other)
    assert sorted(p for p in settings.PRIVATE_MEDIA_ROOT.rglob("*")) == live
    assert not (tmp_path / "other.sqlite3").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL=postgres://...)")
def test_manifest_counts_are_those_of_the_dump_under_concurrent_writes(data, tmp_path, org):
    """Rows inserted while the backup runs are either in both the dump and the counts or in neither."""
    import threading

    from django.db import connections

    stop = threading.Event()

    def write():
        try:
            while not stop.is_set():
                EmployeeFactory(unit=org["SUB1"])
        finally:
            connections.close_all()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        manifest = backup_create(output=tmp_path / "backup")
    finally:
        stop.set()
        writer.join()
    name = "serambi_restore_counts"
    params = connection.settings_dict
    admin_url = (
        f"postgresql://{params['USER'] or 'postgres'}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/postgres"
    )
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    try:
        url = admin_url.rsplit("/", 1)[0] + f"/{name}"
        restore(source=tmp_path / "backup", database_url=url, private_root=tmp_path / "p", media_root=tmp_path / "m")
        with psycopg.connect(url) as db:
            restored = db.execute('SELECT COUNT(*) FROM "org_employee"').fetchone()[0]
            users = db.execute('SELECT COUNT(*) FROM "accounts_user"').fetchone()[0]
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name}")
    assert (restored, users) == (manifest["counts"]["org.Employee"], manifest["counts"]["accounts.User"])
