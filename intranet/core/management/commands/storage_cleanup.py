"""Find files in private storage that nothing points to, and temporary files left by a killed write.

Dry run by default: every finding is printed; `--delete` removes orphans and temporary files. A file is kept when it
has a `core.StoredFile` record (its write committed) or a row names it (files written before records were kept).
Files younger than --min-age minutes are left alone: their write may still be in progress.
"""

import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand

from intranet.core.models import StoredFile
from intranet.core.storage import PRIVATE_FOLDER, TEMP_PREFIX

# Rows that name private files: (model, field, prefix of the name inside private storage).
REFERENCES = (
    ("payslips.PayslipBatch", "file_name", ""),
    ("leave.LeaveRequest", "document_name", ""),
    ("leave.LeaveLetter", "file_name", ""),
    ("documents.DocumentVersion", "storage_name", ""),
    ("wagtaildocs.Document", "file", PRIVATE_FOLDER),
    ("org.Employee", "photo", PRIVATE_FOLDER),
)


def referenced_names() -> set[str]:
    names = set(StoredFile.objects.filter(storage="private").values_list("name", flat=True))
    for label, field, prefix in REFERENCES:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        for value in model._default_manager.exclude(**{field: ""}).values_list(field, flat=True).iterator():
            if value:
                names.add(prefix + str(value))
    return names


def findings(root: Path, *, min_age_seconds: float) -> list[tuple[str, Path]]:
    """(kind, path) for each temporary file and orphan under `root`, oldest rule first."""
    if not root.is_dir():
        return []
    kept = referenced_names()
    now = time.time()
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if now - path.stat().st_mtime < min_age_seconds:
            continue
        if path.name.startswith(TEMP_PREFIX):
            found.append(("partial", path))
        elif str(path.relative_to(root)) not in kept:
            found.append(("orphan", path))
    return found


class Command(BaseCommand):
    help = "Report (or with --delete remove) orphan and temporary files in private storage."

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="remove what is found (default: report only)")
        parser.add_argument("--min-age", type=int, default=60, help="minutes; younger files are left alone")

    def handle(self, *args, delete=False, min_age=60, **options):
        root = Path(settings.PRIVATE_MEDIA_ROOT)
        found = findings(root, min_age_seconds=min_age * 60)
        for kind, path in found:
            if delete:
                path.unlink(missing_ok=True)
            verb = "removed" if delete else "would remove"
            self.stdout.write(f"{verb} {kind}: {path.relative_to(root)}")
        missing = [
            name for name in StoredFile.objects.filter(storage="private").values_list("name", flat=True)
            if not (root / name).is_file()
        ]  # fmt: skip
        for name in missing:
            self.stdout.write(f"missing (recorded, not on disk): {name}")
        summary = f"{len(found)} file(s) {'removed' if delete else 'found (dry run; --delete removes them)'}"
        self.stdout.write(summary + (f", {len(missing)} recorded file(s) missing" if missing else ""))
