"""Serve a private file (payslip PDF, HR document, leave letter) from an authorising view.

Callers decide who may read (through their selectors) and audit the read; this only sends the bytes safely:
X-Accel-Redirect when nginx fronts the app (PRIVATE_MEDIA_X_ACCEL_PREFIX), streamed otherwise.
"""

import re
import unicodedata
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import storages
from django.http import FileResponse, HttpResponse

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str, default: str = "download") -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    cleaned = _SAFE.sub("_", ascii_name).strip("._") or default
    return cleaned[:120]


def private_storage():
    return storages["private"]


def private_file_response(*, name: str, download_name: str, content_type: str, inline: bool = False) -> HttpResponse:
    """`name` is the storage name inside private storage. Headers: attachment with a safe filename, nosniff, no-store."""
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
