"""File storage that never leaves a partial file under a real name, and keeps a record of what it wrote.

Every write (an upload, a generated PDF) goes to a temporary name in the target folder, is flushed to disk (fsync) and
only then linked under its real name: a full disk, a killed worker or a crash leaves a `.partial-…` file that nothing
points to (`manage.py storage_cleanup` finds them), never a short file that a later download would serve. Private
files also get a row in `core.StoredFile` (size and SHA-256), written in the caller's transaction, which
`private_files` checks before sending a file.

A storage fault (disk full, read-only file system, permissions) raises `FileNotStored`, which carries a message for the
user; `FileFaultMiddleware` answers it with a clear page and removes any file the request wrote whose record did not
commit (its transaction rolled back), so a failed upload leaves neither a row nor a file.

The default storage holds public media (Wagtail images and their renditions) under MEDIA_ROOT, which nginx may serve,
except the uploads that are not public: CMS documents (Wagtail saves them under "documents/") and employee photos
("photos/"). Those are kept in private storage (PRIVATE_MEDIA_ROOT/uploads/…) and have no URL; authorising views send
them (cms.home.documents.serve, hr.org.views.photo). Routing by name keeps Wagtail's document model, the employee
model and their migrations as they are.
"""

import contextvars
import errno
import hashlib
import logging
import os
import tempfile

from django.core.files.storage import FileSystemStorage, storages
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)

PRIVATE_PREFIXES = ("documents/", "photos/")
PRIVATE_FOLDER = "uploads/"
# Temporary files are hidden (a dot) and marked, so the cleanup command can tell them from real files.
TEMP_PREFIX = ".partial-"
# Faults of the storage itself, not of the program: the user is told to try again later.
STORAGE_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO, errno.ENOMEM, errno.EFBIG}
)


class FileNotStored(Exception):
    """The file could not be written; nothing under its name exists. `cause` is the OSError, for the log."""

    message = _("The file could not be stored, so nothing was saved. Please try again later.")

    def __init__(self, name: str, cause: OSError):
        super().__init__(f"{name}: {cause}")
        self.name, self.cause = name, cause


# Files written during the current request (or task): (storage, name, recorded). Checked when it ends.
_written: contextvars.ContextVar[list | None] = contextvars.ContextVar("serambi_files_written", default=None)


def _fsync_dir(directory: str) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class AtomicFileSystemStorage(FileSystemStorage):
    """FileSystemStorage whose `_save` writes a temporary file, fsyncs it and links it under the name; the name is
    taken atomically (a concurrent writer of the same name gets another, as Django's own `_save` does)."""

    # The alias under which this storage's files are recorded in core.StoredFile (None: not recorded).
    record_as: str | None = None

    def _save(self, name, content):
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        digest, size, tmp = hashlib.sha256(), 0, None
        try:
            os.makedirs(directory, mode=self.directory_permissions_mode or 0o777, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=directory)
            with os.fdopen(fd, "wb") as fh:
                for chunk in content.chunks():
                    fh.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, self.file_permissions_mode if self.file_permissions_mode is not None else 0o644)
            while True:
                try:
                    if getattr(self, "_allow_overwrite", False):
                        os.replace(tmp, full_path)
                    else:
                        os.link(tmp, full_path)
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
                    full_path = self.path(name)
            _fsync_dir(directory)
        except OSError as exc:
            log.error("file %s could not be stored in %s: %s", name, self.location, exc)
            raise FileNotStored(name, exc) from exc
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except FileNotFoundError:  # renamed (overwrite) or never created
                    pass
                except OSError as exc:  # a read-only remount in between: the cleanup command finds it
                    log.warning("temporary file %s not removed: %s", tmp, exc)
        name = str(name).replace("\\", "/")
        self._record(name, size, digest.hexdigest())
        return name

    def _record(self, name: str, size: int, sha256: str) -> None:
        if self.record_as:
            from .models import StoredFile

            StoredFile.objects.update_or_create(
                storage=self.record_as, name=name, defaults={"size": size, "sha256": sha256}
            )
        written = _written.get()
        if written is not None:
            written.append((self, name))


class PrivateStorage(AtomicFileSystemStorage):
    """Payslip PDFs, HR documents, leave letters and attachments, payroll files, private uploads."""

    record_as = "private"


def _is_private(name: str) -> bool:
    return name.replace("\\", "/").lstrip("/").startswith(PRIVATE_PREFIXES)


def private_name(name: str) -> str:
    """The name, inside private storage, of a file stored under `name` in the default storage."""
    return PRIVATE_FOLDER + name.replace("\\", "/").lstrip("/")


class MediaStorage(AtomicFileSystemStorage):
    def path(self, name):
        if _is_private(name):
            return storages["private"].path(private_name(name))
        return super().path(name)

    def _save(self, name, content):
        if _is_private(name):
            saved = storages["private"]._save(private_name(name), content)
            return saved.removeprefix(PRIVATE_FOLDER)
        return super()._save(name, content)

    def url(self, name):
        if _is_private(name):
            # No public address (Wagtail then links a document to its serve view).
            raise NotImplementedError("private uploads are served by authorising views only")
        return super().url(name)


# --- the unit of work: a request or a task -------------------------------------------------------------------------
def begin_writes():
    """Start collecting the files written from here on; returns the token for `end_writes`."""
    return _written.set([])


def end_writes(token) -> None:
    """Remove every file written since `begin_writes` whose record is not in the database: its transaction rolled back
    (a failed upload, a killed step), so no row points to it."""
    written = _written.get() or []
    _written.reset(token)
    recorded = [(storage, name) for storage, name in written if storage.record_as]
    if not recorded:
        return
    from .models import StoredFile

    try:
        kept = set(StoredFile.objects.filter(name__in=[name for _s, name in recorded]).values_list("storage", "name"))
    except Exception as exc:  # noqa: BLE001 - the database is gone: the cleanup command will find the files
        log.warning("files written by a failed request not checked (%s); storage_cleanup will find them", exc)
        return
    for storage, name in recorded:
        if (storage.record_as, name) not in kept:
            try:
                storage.delete(name)
                log.warning("file %s removed: the write that stored it did not commit", name)
            except OSError as exc:
                log.warning("file %s of a write that did not commit not removed (%s)", name, exc)


def is_storage_fault(exc: BaseException) -> bool:
    return isinstance(exc, FileNotStored) or (isinstance(exc, OSError) and exc.errno in STORAGE_ERRNOS)
