"""Bahasa Indonesia is the default language: every catalog must be complete, and its compiled .mo up to date
(committed, so a fresh machine needs no gettext)."""

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
