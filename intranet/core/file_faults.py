"""What a request sees when storage fails: a clear page, not a bare 500, and nothing half-saved.

- A storage fault while writing (disk full, read-only file system, permissions: `storage.FileNotStored`, or the same
  OSError from Django's own upload spooling) answers 503 with "the file could not be stored, nothing was saved, try
  again later". The service's transaction has rolled back by then; the file it may have written is removed here.
- A private file that is missing or damaged (`private_files.DamagedFile`) answers 503 with "this file cannot be sent
  now; the office has been told", and the log names the file and what is wrong with it.
"""

import logging
import sys

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

from .private_files import DamagedFile
from .storage import begin_writes, end_writes, is_storage_fault

log = logging.getLogger(__name__)


def _page(request, template: str, status: int) -> HttpResponse:
    response = HttpResponse(render_to_string(template, request=request), status=status)
    response["Retry-After"] = "300"
    response["Cache-Control"] = "no-store"
    return response


class FileFaultMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = begin_writes()
        try:
            return self.get_response(request)
        finally:
            end_writes(token)

    def process_exception(self, request, exception):
        if is_storage_fault(exception):
            cause = getattr(exception, "cause", exception)
            log.error("upload to %s not stored (%s: %s); nothing saved", request.path, type(cause).__name__, cause)
            return _page(request, "errors/file_not_stored.html", 503)
        if isinstance(exception, DamagedFile):
            log.error("download %s refused: file %s %s", request.path, exception.name, exception.reason)
            return _page(request, "errors/file_damaged.html", 503)
        return None


def server_error(request):
    """handler500: a storage fault raised outside a view (Django spooling an upload to a full disk while the CSRF check
    reads the form) still gets the storage page."""
    exc = sys.exc_info()[1]
    if exc is not None and is_storage_fault(exc):
        log.error("request %s failed on storage (%s: %s)", request.path, type(exc).__name__, exc)
        return _page(request, "errors/file_not_stored.html", 503)
    return defaults.server_error(request)
