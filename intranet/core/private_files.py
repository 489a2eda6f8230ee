"""Serve a private file (payslip PDF, HR document, leave letter) from an authorising view.

Callers decide who may read (through their selectors) and audit the read; this only sends the bytes safely:
X-Accel-Redirect when nginx fronts the app (PRIVATE_MEDIA_X_ACCEL_PREFIX), streamed otherwise. Before sending, the
file is checked against the size and SHA-256 recorded when it was written (`core.StoredFile`): a missing, short or
altered file is never sent. A generated document is then rendered again (`regenerate`); anything else raises
`DamagedFile`, which `file_faults.FileFaultMiddleware` answers with a clear page while the log says why.
"""

import hashlib
import logging
import re
import unicodedata
from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import storages
from django.http import FileResponse, HttpResponse

log = logging.getLogger(__name__)

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


class DamagedFile(Exception):
    """A private file is missing or differs from what was written."""

    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: {reason}")
        self.name, self.reason = name, reason


def safe_filename(name: str, default: str = "download") -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    cleaned = _SAFE.sub("_", ascii_name).strip("._") or default
    return cleaned[:120]


def private_storage():
    return storages["private"]


def file_problem(name: str) -> str | None:
    """Why the private file `name` must not be served (None: it is what was written). A file written before records
    were kept has none; it is trusted unless it is empty (no private file is)."""
    from .models import StoredFile

    storage = private_storage()
    record = StoredFile.objects.filter(storage="private", name=name).only("size", "sha256").first()
    try:
        size = storage.size(name)
        if record is None:
            return "empty file without a record" if size == 0 else None
        if size != record.size:
            return f"size {size}, recorded {record.size}"
        digest = hashlib.sha256()
        with storage.open(name, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return f"unreadable ({exc})"
    if digest.hexdigest() != record.sha256:
        return "content differs from the recorded SHA-256"
    return None


def file_intact(name: str) -> bool:
    """For generated documents: False (and the damaged file removed, so it can be written again under its name) when
    `name` is missing or damaged."""
    problem = file_problem(name)
    if problem is None:
        return True
    log.error("private file %s is damaged (%s); it will be generated again", name, problem)
    try:
        private_storage().delete(name)
    except OSError as exc:
        log.warning("damaged file %s not removed: %s", name, exc)
    return False


def private_file_response(
    *,
    name: str,
    download_name: str,
    content_type: str,
    inline: bool = False,
    regenerate: Callable[[], str] | None = None,
) -> HttpResponse:
    """`name` is the storage name inside private storage. Headers: attachment with a safe filename, nosniff, no-store.
    `regenerate` (generated documents) renders the file again when it is damaged and returns its name."""
    problem = file_problem(name)
    if problem is not None and regenerate is not None:
        log.error("private file %s is damaged (%s); generating it again", name, problem)
        name = regenerate()
        problem = file_problem(name)
    if problem is not None:
        log.error("private file %s not served: %s", name, problem)
        raise DamagedFile(name, problem)
    filename = safe_filename(download_name)
    disposition = "inline" if inline else "attachment"
    prefix = settings.PRIVATE_MEDIA_X_ACCEL_PREFIX
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name)
    else:
        response = FileResponse(private_storage().open(name, "rb"), content_type=content_type)
    response["Content-Disposition"] = f"{disposition}; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
