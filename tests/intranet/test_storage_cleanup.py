"""The cleanup command finds what a killed write leaves behind (a temporary file, a file whose row never committed),
reports each, removes them only when asked, and never touches a file a row points to."""

import os
import time
from io import StringIO

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction

from intranet.core.models import StoredFile
from intranet.core.private_files import private_storage


def _age(path, seconds=7200):
    past = time.time() - seconds
    os.utime(path, (past, past))


def _run(*args) -> str:
    out = StringIO()
    call_command("storage_cleanup", *args, stdout=out)
    return out.getvalue()


def test_orphans_and_partials_are_reported_then_removed_kept_files_stay(db, settings):
    root = settings.PRIVATE_MEDIA_ROOT
    storage = private_storage()
    kept = storage.save("leave/letters/2026/kept.pdf", ContentFile(b"%PDF-1.7 kept"))
    try:  # a write whose transaction rolled back (a job killed after writing): the file stays, its record does not
        with transaction.atomic():
            orphan = storage.save("payslips/2026/orphan.pdf", ContentFile(b"%PDF-1.7 orphan"))
            raise RuntimeError("killed")
    except RuntimeError:
        pass
    partial = root / "payslips/2026/.partial-abc123"
    partial.write_bytes(b"%PDF-1.7 half")
    young = root / "payslips/2026/.partial-now"
    young.write_bytes(b"%PDF")
    for name in (kept, orphan, "payslips/2026/.partial-abc123"):
        _age(root / name)

    report = _run()
    assert f"would remove orphan: {orphan}" in report
    assert "would remove partial: payslips/2026/.partial-abc123" in report
    assert kept not in report and ".partial-now" not in report  # recorded; too young
    assert (root / orphan).exists() and partial.exists()  # a dry run deletes nothing

    report = _run("--delete")
    assert f"removed orphan: {orphan}" in report
    assert not (root / orphan).exists() and not partial.exists()
    assert (root / kept).exists() and young.exists()
    assert StoredFile.objects.filter(name=kept).exists()


def test_a_recorded_file_missing_from_disk_is_reported(db, settings):
    name = private_storage().save("documents/2026/01/x.pdf", ContentFile(b"%PDF-1.7 x"))
    (settings.PRIVATE_MEDIA_ROOT / name).unlink()
    assert f"missing (recorded, not on disk): {name}" in _run()
