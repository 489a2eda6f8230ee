"""Backup and restore: the database (pg_dump / SQLite's online backup API) plus private and public files, with a
SHA-256 manifest so a restore can prove it brought back exactly what was saved."""

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.dispatch import Signal

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


def _copy_tree(src: Path, dest: Path, progress=None) -> dict[str, str]:
    sums = {}
    if not src.exists():
        return sums
    files = [p for p in src.rglob("*") if p.is_file()]
    for path in files:
        rel = path.relative_to(src)
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        sums[str(rel)] = sha256(target)
        if progress:
            progress.advance(1)
    return sums


def backup_create(*, output: Path, progress_factory=None) -> dict:
    """Write a complete backup into the (new or empty) folder `output`; return the manifest."""
    output.mkdir(parents=True, exist_ok=True)
    if any(output.iterdir()):
        raise ValueError(f"{output} is not empty; choose a new folder for each backup.")
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        db_file = output / "database.pgdump"
        # The counts and the dump read one snapshot: exported by a repeatable-read transaction that stays open while
        # pg_dump runs, so rows written meanwhile are in neither.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = record_counts()
            cmd = ["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}", "--file", str(db_file),
                   *_pg_args(db), db["NAME"]]  # fmt: skip
            subprocess.run(cmd, check=True, env=_pg_env(db))  # noqa: S603 - argument list, no shell
    elif connection.vendor == "sqlite":
        db_file = output / "database.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(db_file)
        with target:
            connection.connection.backup(target)  # consistent online copy, even while the site runs
        target.close()
        counts = _sqlite_counts(db_file)
    else:
        raise ValueError(f"unsupported database vendor {connection.vendor}")
    manifest = {
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "vendor": connection.vendor,
        "database": {"file": db_file.name, "sha256": sha256(db_file)},
        "counts": counts,
        "files": {},
    }
    for label, root in (("private", Path(settings.PRIVATE_MEDIA_ROOT)), ("media", Path(settings.MEDIA_ROOT))):
        total = sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0
        progress = progress_factory(f"{label} files", total) if progress_factory else None
        manifest["files"][label] = _copy_tree(root, output / label, progress)
        if progress:
            progress.finish()
    (output / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return manifest


def backup_verify(source: Path) -> list[str]:
    """Problems found in a backup folder (empty list = every checksum matches)."""
    manifest = json.loads((source / MANIFEST).read_text())
    problems = []
    db_file = source / manifest["database"]["file"]
    if not db_file.exists() or sha256(db_file) != manifest["database"]["sha256"]:
        problems.append(f"database file {db_file.name} is missing or altered")
    for label, sums in manifest["files"].items():
        for rel, digest in sums.items():
            path = source / label / rel
            if not path.exists() or sha256(path) != digest:
                problems.append(f"{label}/{rel} is missing or altered")
    return problems


def restore(*, source: Path, database_url: str | None = None, private_root: Path | None = None,
            media_root: Path | None = None) -> dict:
    """Restore database and files from `source` into an (empty) target; defaults to the configured ones."""
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
    manifest = json.loads((source / MANIFEST).read_text())
    db_file = source / manifest["database"]["file"]
    if manifest["vendor"] == "postgresql":
        if database_url:
            url = urlparse(database_url)
            db = {"NAME": unquote(url.path.lstrip("/")), "HOST": url.hostname, "PORT": url.port, "USER": url.username,
                  "PASSWORD": url.password}
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
    roots = {"private": private_root or Path(settings.PRIVATE_MEDIA_ROOT), "media": media_root or Path(settings.MEDIA_ROOT)}
    for label, sums in manifest["files"].items():
        for rel in sums:
            target = roots[label] / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / label / rel, target)
    return manifest
