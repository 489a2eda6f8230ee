"""Bahasa Indonesia is the default language: every catalog must be complete, and its compiled .mo up to date
(committed, so a fresh machine needs no gettext)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = sorted(
    p for p in ROOT.rglob("locale/id/LC_MESSAGES/django.po") if ".venv" not in p.parts and "var" not in p.parts
)


def test_there_is_a_site_catalog():
    assert ROOT / "locale/id/LC_MESSAGES/django.po" in CATALOGS


@pytest.mark.parametrize("po_path", CATALOGS, ids=[str(p.relative_to(ROOT)) for p in CATALOGS])
def test_catalog_is_complete_and_compiled(po_path):
    po = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{po_path}: untranslated: {untranslated[:10]}"
    assert not fuzzy, f"{po_path}: fuzzy: {fuzzy[:10]}"
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} missing: run `make messages`"
    mo = polib.mofile(str(mo_path))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr or e.msgstr_plural) for e in mo}
    for entry in po.translated_entries():
        key = (entry.msgctxt, entry.msgid)
        assert key in compiled, f"{mo_path} is stale: {entry.msgid!r} is not compiled; run `make messages`"


def test_indonesian_is_the_default_and_switch_works(client, db):
    from django.utils import translation

    response = client.get("/akun/masuk/")
    assert '<html lang="id">' in response.content.decode()
    assert "Masuk" in response.content.decode() or "Log in" not in response.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/akun/masuk/"})
    response = client.get("/akun/masuk/")
    assert '<html lang="en">' in response.content.decode()
    translation.activate("id")


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs gettext's xgettext (apt-get install gettext)")
@pytest.mark.skipif("postgres" in os.environ.get("DATABASE_URL", ""), reason="catalogs do not depend on the database")
def test_every_translatable_string_in_the_code_is_translated(tmp_path):
    """Extract the strings as `make messages` does (each file's strings go to the nearest catalog) in a copy of the
    tracked files: a string added or moved without its Indonesian translation shows up here."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    env = {**os.environ, "DEBUG": "true", "SECRET_KEY": "catalog-check", "DATABASE_URL": "sqlite:///:memory:"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "id", "-i", "tests/*", "-i", "node_modules/*"],
        cwd=tmp_path, env=env, capture_output=True, check=True,
    )  # fmt: skip
    missing = []
    for po_path in sorted(tmp_path.rglob("locale/id/LC_MESSAGES/django.po")):
        po = polib.pofile(str(po_path))
        for entry in po.untranslated_entries() + po.fuzzy_entries():
            where = ", ".join(f"{f}:{n}" for f, n in entry.occurrences[:2])
            missing.append(f"{po_path.relative_to(tmp_path)}: {entry.msgid[:80]!r} ({where})")
    assert not missing, "untranslated strings (run `make messages`, then translate):\n" + "\n".join(missing[:30])
