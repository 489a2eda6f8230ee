"""Backup and restore: the database (pg_dump / SQLite's online backup API) plus private and public files, with a
SHA-256 manifest so a restore can prove it brought back exactly what was saved.

With SERAMBI_BACKUP_RECIPIENTS set, the database dump and one tar archive per file folder are written encrypted to
those age public keys (`backup_encryption`); the manifest then holds only what is not secret (counts of records and
files, the ciphertexts' checksums, the recipients' public keys), and a restore needs a matching secret key."""

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _

from .backup_encryption import (
    FORMAT,
    SUFFIX,
    BackupKeyError,
    check_opens,
    fsync_dir,
    identity_public_keys,
    parse_recipients,
    public_key,
    seal,
    seal_produced,
    unseal,
)

MANIFEST = "manifest.json"

# Sent after a restore into this instance's own database: an app whose cached copies would outlive the restored data
# connects to it (the organisation generation, `hr.org.signals`), so core needs to know no app.
restored = Signal()


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _counted_models():
    return [m for m in apps.get_models() if m._meta.managed and not m._meta.proxy]


def record_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in _counted_models()}


def _sqlite_counts(db_file: Path) -> dict[str, int]:
    """Counts read from the copy itself: what the manifest promises is what the file holds."""
    con = sqlite3.connect(db_file)
    try:
        quote = connection.ops.quote_name
        return {
            m._meta.label: con.execute(f"SELECT COUNT(*) FROM {quote(m._meta.db_table)}").fetchone()[0]  # noqa: S608
            for m in _counted_models()
        }
    finally:
        con.close()


def _pg_env(db: dict) -> dict:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _pg_args(db: dict) -> list[str]:
    args = ["-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["-U", db["USER"]]
    return args


def _tree_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _copy_tree(src: Path, dest: Path, progress=None) -> dict[str, str]:
    sums = {}
    for path in _tree_files(src):
        rel = path.relative_to(src)
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        sums[str(rel)] = sha256(target)
        if progress:
            progress.advance(1)
    return sums


def _seal_tree(src: Path, dest: Path, recipients: list, progress=None) -> dict:
    """One encrypted tar archive of the folder: file names are data too, so none of them is left in the clear."""
    files = _tree_files(src)

    def produce(stream):
        with tarfile.open(fileobj=stream, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            for path in files:
                tar.add(path, arcname=path.relative_to(src).as_posix(), recursive=False)
                if progress:
                    progress.advance(1)

    return {"file": dest.name, "sha256": seal_produced(produce, dest, recipients), "files": len(files)}


def _dump_postgresql(output: Path, recipients: list) -> tuple[Path, str, dict]:
    db = connection.settings_dict
    db_file = output / ("database.pgdump" + (SUFFIX if recipients else ""))
    # The counts and the dump read one snapshot: exported by a repeatable-read transaction that stays open while
    # pg_dump runs, so rows written meanwhile are in neither.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = record_counts()
        cmd = ["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}", *_pg_args(db)]
        if not recipients:
            cmd += ["--file", str(db_file), db["NAME"]]
            subprocess.run(cmd, check=True, env=_pg_env(db))  # noqa: S603 - argument list, no shell
            return db_file, sha256(db_file), counts
        # encrypted straight from pg_dump's output: the plain dump never reaches a disk
        cmd.append(db["NAME"])
        dump = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=_pg_env(db))  # noqa: S603 - argument list, no shell

        def finished():
            if dump.wait():
                raise subprocess.CalledProcessError(dump.returncode, cmd)

        try:
            digest = seal(dump.stdout, db_file, recipients, finished=finished)
        finally:
            dump.stdout.close()
            dump.wait()
    return db_file, digest, counts


def _dump_sqlite(output: Path, scratch: Path, recipients: list) -> tuple[Path, str, dict]:
    copy = (scratch if recipients else output) / "database.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(copy)
    with target:
        connection.connection.backup(target)  # consistent online copy, even while the site runs
    target.close()
    counts = _sqlite_counts(copy)
    if not recipients:
        return copy, sha256(copy), counts
    db_file = output / (copy.name + SUFFIX)
    with open(copy, "rb") as plain:
        digest = seal(plain, db_file, recipients)
    return db_file, digest, counts


def _write_manifest(folder: Path, manifest: dict) -> None:
    partial = folder / f".{MANIFEST}.partial"
    with open(partial, "w") as fh:
        fh.write(json.dumps(manifest, indent=1, sort_keys=True))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(partial, folder / MANIFEST)
    fsync_dir(folder)


def read_manifest(source: Path) -> dict:
    return json.loads((source / MANIFEST).read_text())


def is_encrypted(manifest: dict) -> bool:
    return bool(manifest.get("encryption"))


def file_count(manifest: dict) -> int:
    if is_encrypted(manifest):
        return sum(archive["files"] for archive in manifest["archives"].values())
    return sum(len(sums) for sums in manifest["files"].values())


def backup_create(*, output: Path, progress_factory=None, recipients: list[str] | None = None) -> dict:
    """Write a complete backup into the (new or empty) folder `output`; return the manifest. Encrypted to the age
    public keys `recipients` (default: SERAMBI_BACKUP_RECIPIENTS) when there are any."""
    keys = parse_recipients(settings.SERAMBI_BACKUP_RECIPIENTS if recipients is None else recipients)
    output.mkdir(parents=True, exist_ok=True)
    if any(output.iterdir()):
        raise ValueError(f"{output} is not empty; choose a new folder for each backup.")
    # mkdtemp's folder is the owner's alone: SQLite's plain copy waits there to be encrypted
    with tempfile.TemporaryDirectory(prefix="serambi-backup-") as scratch:
        if connection.vendor == "postgresql":
            db_file, digest, counts = _dump_postgresql(output, keys)
        elif connection.vendor == "sqlite":
            db_file, digest, counts = _dump_sqlite(output, Path(scratch), keys)
        else:
            raise ValueError(f"unsupported database vendor {connection.vendor}")
    manifest = {
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "vendor": connection.vendor,
        "database": {"file": db_file.name, "sha256": digest},
        "counts": counts,
        "encryption": {"format": FORMAT, "recipients": [public_key(k) for k in keys]} if keys else None,
        "archives" if keys else "files": {},
    }
    for label, root in (("private", Path(settings.PRIVATE_MEDIA_ROOT)), ("media", Path(settings.MEDIA_ROOT))):
        total = len(_tree_files(root))
        progress = progress_factory(f"{label} files", total) if progress_factory else None
        if keys:
            manifest["archives"][label] = _seal_tree(root, output / f"{label}.tar{SUFFIX}", keys, progress)
        else:
            manifest["files"][label] = _copy_tree(root, output / label, progress)
        if progress:
            progress.finish()
    _write_manifest(output, manifest)
    return manifest


def _artefacts(manifest: dict) -> list[tuple[str, str]]:
    """(path inside the backup, SHA-256) of every file the manifest vouches for."""
    listed = [(manifest["database"]["file"], manifest["database"]["sha256"])]
    if is_encrypted(manifest):
        return listed + [(a["file"], a["sha256"]) for a in manifest["archives"].values()]
    return listed + [
        (f"{label}/{rel}", digest) for label, sums in manifest["files"].items() for rel, digest in sums.items()
    ]


def backup_verify(source: Path, identities: list | None = None) -> list[str]:
    """Problems found in a backup folder (empty list = every checksum matches). With the secret keys of an encrypted
    backup, each file is decrypted too (to nowhere): proof that the key opens it."""
    manifest = read_manifest(source)
    problems = []
    for index, (rel, digest) in enumerate(_artefacts(manifest)):
        path = source / rel
        if not path.exists() or sha256(path) != digest:
            problems.append(
                f"database file {rel} is missing or altered" if index == 0 else f"{rel} is missing or altered"
            )
    if identities and is_encrypted(manifest) and not problems:
        _check_keys(manifest, identities)
        for rel, _digest in _artefacts(manifest):
            try:
                check_opens(source / rel, identities)
            except BackupKeyError as exc:
                problems.append(str(exc))
    return problems


def _check_keys(manifest: dict, identities: list | None) -> None:
    if not identities:
        raise BackupKeyError(_("This backup is encrypted: its secret key is needed to restore it."))
    recipients = manifest["encryption"]["recipients"]
    if not identity_public_keys(identities) & set(recipients):
        raise BackupKeyError(
            _("The secret key given is not one this backup was encrypted to (%(recipients)s).")
            % {"recipients": ", ".join(recipients)}
        )


def _decrypt_all(source: Path, manifest: dict, identities: list | None, scratch: Path) -> tuple[Path, dict[str, Path]]:
    """Every encrypted file decrypted into `scratch`, before anything is restored: a wrong key or a changed byte
    anywhere stops the restore while the database and the folders are still untouched."""
    _check_keys(manifest, identities)
    db_file = scratch / manifest["database"]["file"].removesuffix(SUFFIX)
    unseal(source / manifest["database"]["file"], db_file, identities)
    archives = {}
    for label, archive in manifest["archives"].items():
        archives[label] = scratch / archive["file"].removesuffix(SUFFIX)
        unseal(source / archive["file"], archives[label], identities)
    return db_file, archives


def restore(
    *,
    source: Path,
    database_url: str | None = None,
    private_root: Path | None = None,
    media_root: Path | None = None,
    identities: list | None = None,
) -> dict:
    """Restore database and files from `source` into an (empty) target; defaults to the configured ones. An encrypted
    backup needs `identities`, the secret keys (`backup_encryption.load_identities`)."""
    if database_url and (private_root is None or media_root is None):
        # Another database's files belong elsewhere: never mix them into the live site's folders.
        raise ValueError("restoring into another database needs its own private and media folders")
    if database_url and {Path(private_root).resolve(), Path(media_root).resolve()} & {
        Path(settings.PRIVATE_MEDIA_ROOT).resolve(),
        Path(settings.MEDIA_ROOT).resolve(),
    }:
        raise ValueError("the folders given for another database are this site's live file folders")
    problems = backup_verify(source)
    if problems:
        raise ValueError("backup failed verification: " + "; ".join(problems[:5]))
    manifest = read_manifest(source)
    roots = {
        "private": private_root or Path(settings.PRIVATE_MEDIA_ROOT),
        "media": media_root or Path(settings.MEDIA_ROOT),
    }
    with tempfile.TemporaryDirectory(prefix="serambi-restore-") as scratch:
        if is_encrypted(manifest):
            if not hasattr(tarfile, "data_filter"):  # Python before 3.11.4 cannot unpack a tar archive safely
                raise RuntimeError("restoring an encrypted backup needs Python 3.11.4 or newer")
            db_file, archives = _decrypt_all(source, manifest, identities, Path(scratch))
        else:
            db_file, archives = source / manifest["database"]["file"], {}
        _restore_database(manifest["vendor"], db_file, database_url)
        for label, archive in archives.items():
            with tarfile.open(archive, "r:") as tar:
                tar.extractall(roots[label], filter="data")  # refuses absolute paths, `..` and links that leave it
    for label, sums in manifest.get("files", {}).items():
        for rel in sums:
            target = roots[label] / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / label / rel, target)
    return manifest


def _restore_database(vendor: str, db_file: Path, database_url: str | None) -> None:
    if vendor == "postgresql":
        if database_url:
            url = urlparse(database_url)
            db = {
                "NAME": unquote(url.path.lstrip("/")),
                "HOST": url.hostname,
                "PORT": url.port,
                "USER": url.username,
                "PASSWORD": url.password,
            }
        else:
            db = connection.settings_dict
        cmd = ["pg_restore", "--no-owner", "--exit-on-error", "-d", db["NAME"], *_pg_args(db), str(db_file)]
        subprocess.run(cmd, check=True, env=_pg_env(db))  # noqa: S603 - argument list, no shell
    else:
        target = Path(urlparse(database_url).path) if database_url else Path(connection.settings_dict["NAME"])
        src = sqlite3.connect(db_file)
        dest = sqlite3.connect(target)
        with dest:
            src.backup(dest)
        src.close()
        dest.close()
