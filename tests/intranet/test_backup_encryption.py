"""Encrypted backups (age, SERAMBI_BACKUP_RECIPIENTS): real keys, real files, a restore into a fresh database. On
SQLite, and on PostgreSQL with DATABASE_URL=postgres://…"""

import io
import json
import stat
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.checks import Error, Warning
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from hr.org.models import Employee
from intranet.core.backup import backup_create, read_manifest, record_counts, restore, sha256
from intranet.core.backup_encryption import (
    HEADER,
    BackupKeyError,
    load_identities,
    parse_recipients,
    seal_produced,
    write_key_file,
)
from intranet.core.checks import backup_recipients_configured
from intranet.core.private_files import private_storage
from tests.factories import EmployeeFactory
from tests.intranet.test_backup import restore_into_fresh_database

# committed rows: pg_dump reads them from another connection
db_committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)

KNOWN_NAME = "Sekar Ayuningtyas Pramudita"
PAYSLIP = b"%PDF-1.4 slip gaji: Sekar Ayuningtyas Pramudita, gaji pokok 4.123.456"


@pytest.fixture(autouse=True)
def english():
    """Messages are matched in English; one test checks the Indonesian wording."""
    with translation.override("en"):
        yield


@pytest.fixture
def data(org):
    EmployeeFactory(unit=org["SUB1"], name=KNOWN_NAME)
    EmployeeFactory(unit=org["SUB1"])
    private_storage().save("payslips/2026/sekar-ayuningtyas.pdf", ContentFile(PAYSLIP))
    return record_counts()


@pytest.fixture
def keys(tmp_path):
    """A key pair as an administrator makes it: the secret key in a 0600 file, the public key printed."""
    (tmp_path / "keys").mkdir()
    secret = tmp_path / "keys" / "backup.key"
    public = write_key_file(secret)
    return public, secret


def _encrypted_backup(tmp_path, public, settings):
    settings.SERAMBI_BACKUP_RECIPIENTS = [public]
    out = tmp_path / "backup"
    stdout = io.StringIO()
    call_command("backup", "--output", str(out), stdout=stdout, stderr=io.StringIO())
    return out, stdout.getvalue()


@db_committed
def test_encrypted_round_trip_restores_into_a_fresh_database(data, keys, tmp_path, settings):
    public, secret = keys
    out, said = _encrypted_backup(tmp_path, public, settings)
    assert public in said

    manifest = read_manifest(out)
    assert manifest["encryption"] == {"format": "age-encryption.org/v1", "recipients": [public]}
    ext = "pgdump" if connection.vendor == "postgresql" else "sqlite3"
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted([f"database.{ext}.age", "private.tar.age", "media.tar.age", "manifest.json"])
    assert manifest["archives"]["private"]["files"] == 1
    for name in written:
        if name == "manifest.json":
            continue
        blob = (out / name).read_bytes()
        assert blob.startswith(HEADER), name
        for plain in (b"org_employee", KNOWN_NAME.encode(), b"sekar-ayuningtyas", b"slip gaji", b"SQLite format"):
            assert plain not in blob, (name, plain)
    text = (out / "manifest.json").read_text()
    assert KNOWN_NAME not in text and "sekar-ayuningtyas" not in text  # no file names in the clear either
    digests = {manifest["database"]["file"]: manifest["database"]["sha256"]}
    digests |= {a["file"]: a["sha256"] for a in manifest["archives"].values()}
    assert digests == {name: sha256(out / name) for name in written if name != "manifest.json"}

    counts = restore_into_fresh_database(out, tmp_path, identities=load_identities(secret))
    assert counts["org_employee"] == data["org.Employee"] == 2
    assert counts["accounts_user"] == data["accounts.User"]
    assert (tmp_path / "restored-private" / "payslips/2026/sekar-ayuningtyas.pdf").read_bytes() == PAYSLIP
    if connection.vendor == "sqlite":
        import sqlite3

        db = sqlite3.connect(tmp_path / "restored.sqlite3")
        assert db.execute("SELECT name FROM org_employee WHERE name = ?", [KNOWN_NAME]).fetchall() == [(KNOWN_NAME,)]
        db.close()


def test_key_file_is_the_owners_alone_and_never_overwritten(tmp_path):
    path = tmp_path / "backup.key"
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("backup_keygen", str(path), stdout=stdout, stderr=stderr)
    public = stdout.getvalue().strip()
    assert public.startswith("age1") and "\n" not in public
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert f"# public key: {public}" in text and "AGE-SECRET-KEY-1" in text
    assert "AGE-SECRET-KEY" not in stdout.getvalue() + stderr.getvalue()
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup_keygen", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert path.read_text() == text


def _live_state():
    """The configured database's employees and every live private file with its checksum."""
    root = Path(django_settings.PRIVATE_MEDIA_ROOT)
    files = {str(p.relative_to(root)): sha256(p) for p in root.rglob("*") if p.is_file()}
    return list(Employee.objects.order_by("pk").values_list("pk", "name")), files


@db_committed
def test_restore_without_the_key_or_with_another_key_changes_nothing(data, org, keys, tmp_path, settings):
    public, _secret = keys
    out, _said = _encrypted_backup(tmp_path, public, settings)
    # the live site moved on since the backup: a restore would undo this row
    EmployeeFactory(unit=org["SUB1"], name="Ditambah Setelah Cadangan")
    before = _live_state()
    stranger = tmp_path / "keys" / "other.key"
    write_key_file(stranger)

    with pytest.raises(CommandError, match="is encrypted: give its secret key file with --identity"):
        call_command("restore", str(out), stdout=io.StringIO())
    with translation.override("id"), pytest.raises(CommandError, match="terenkripsi: berikan berkas kunci rahasianya"):
        call_command("restore", str(out), stdout=io.StringIO())
    with pytest.raises(CommandError, match="not one this backup was encrypted to"):
        call_command("restore", str(out), "--identity", str(stranger), stdout=io.StringIO())
    with pytest.raises(CommandError, match="not an age secret key file"):
        call_command("restore", str(out), "--identity", str(out / "manifest.json"), stdout=io.StringIO())
    with pytest.raises(BackupKeyError):
        restore(source=out, identities=load_identities(stranger))
    with pytest.raises(BackupKeyError):
        restore(source=out)
    assert _live_state() == before


def _tamper(path, offset_from_end=100):
    blob = bytearray(path.read_bytes())
    blob[-offset_from_end] ^= 0x01
    path.write_bytes(bytes(blob))


@db_committed
def test_tampered_ciphertext_is_refused_before_decryption(data, keys, tmp_path, settings):
    public, secret = keys
    out, _said = _encrypted_backup(tmp_path, public, settings)
    before = _live_state()
    _tamper(out / "private.tar.age")
    with pytest.raises(CommandError, match="private.tar.age is missing or altered"):
        call_command("restore", str(out), "--identity", str(secret), stdout=io.StringIO())
    with pytest.raises(CommandError, match="private.tar.age is missing or altered"):
        call_command("restore", str(out), "--verify-only", stdout=io.StringIO())  # no key needed to check
    assert _live_state() == before


@db_committed
def test_tampered_ciphertext_with_a_matching_manifest_fails_authentication(data, keys, tmp_path, settings):
    """Whoever can rewrite the manifest's checksum still cannot change a byte that age will decrypt."""
    public, secret = keys
    out, _said = _encrypted_backup(tmp_path, public, settings)
    before = _live_state()
    target = out / "private.tar.age"
    _tamper(target)
    manifest = read_manifest(out)
    manifest["archives"]["private"]["sha256"] = sha256(target)
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="private.tar.age could not be decrypted"):
        call_command("restore", str(out), "--identity", str(secret), "--verify-only", stdout=io.StringIO())
    restored_private = tmp_path / "restored-private"
    with pytest.raises(BackupKeyError, match="altered or cut short"):
        restore(source=out, database_url=f"sqlite:///{tmp_path / 'r.sqlite3'}", private_root=restored_private,
                media_root=tmp_path / "restored-media", identities=load_identities(secret))  # fmt: skip
    assert not restored_private.exists() and not (tmp_path / "r.sqlite3").exists()
    assert _live_state() == before


@db_committed
def test_verify_only_with_the_key_proves_it_opens_the_backup(data, keys, tmp_path, settings):
    public, secret = keys
    out, _said = _encrypted_backup(tmp_path, public, settings)
    stdout = io.StringIO()
    call_command("restore", str(out), "--identity", str(secret), "--verify-only", stdout=stdout)
    assert "every file decrypts" in stdout.getvalue()


def test_backup_with_an_unusable_recipient_writes_nothing(tmp_path):
    out = tmp_path / "backup"
    with pytest.raises(BackupKeyError, match="not an age public key"):
        backup_create(output=out, recipients=["age1notakey"])
    with pytest.raises(BackupKeyError, match="secret key was given") as caught:
        backup_create(output=out, recipients=["AGE-SECRET-KEY-1QQQQ"])
    assert "QQQQ" not in str(caught.value)
    assert not out.exists()


def test_deploy_check_warns_without_recipients_and_refuses_bad_ones(keys, settings):
    settings.DEBUG = False
    settings.SERAMBI_BACKUP_RECIPIENTS = []
    [warning] = backup_recipients_configured()
    assert isinstance(warning, Warning) and warning.id == "serambi.W102"
    settings.SERAMBI_BACKUP_RECIPIENTS = ["age1notakey"]
    [error] = backup_recipients_configured()
    assert isinstance(error, Error) and error.id == "serambi.E004"
    settings.SERAMBI_BACKUP_RECIPIENTS = [keys[0]]
    assert backup_recipients_configured() == []
    settings.DEBUG = True
    settings.SERAMBI_BACKUP_RECIPIENTS = []
    assert backup_recipients_configured() == []


def test_a_file_whose_writer_fails_is_never_put_in_place(keys, tmp_path):
    """Atomic writes: what was encrypted before the failure stays under no name a backup would use."""
    public, _secret = keys
    [recipient] = parse_recipients([public])

    def produce(stream):
        stream.write(b"half an archive" * 10_000)
        raise OSError("disk went away")

    with pytest.raises(OSError, match="disk went away"):
        seal_produced(produce, tmp_path / "private.tar.age", [recipient])
    assert [p.name for p in tmp_path.iterdir()] == ["keys"]
