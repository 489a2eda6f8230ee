"""Encryption at rest for backups: the age format (age-encryption.org/v1) with X25519 keys, through pyrage.

A backup is encrypted to public keys only, so the server that writes it cannot read it back: the secret key is kept
off the server and brought to a restore. Everything is streamed; nothing is held in memory whole."""

import datetime as dt
import hashlib
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

import pyrage
from django.utils.translation import gettext as _
from pyrage import x25519

FORMAT = "age-encryption.org/v1"
HEADER = (FORMAT + "\n").encode()  # every age file starts with it
SUFFIX = ".age"
_SECRET_PREFIX = "AGE-SECRET-KEY-"  # noqa: S105 - how a secret key starts, no key


class BackupKeyError(ValueError):
    """A key that cannot be used, or a backup that the given key does not open."""


def parse_recipients(values: Iterable[str]) -> list[x25519.Recipient]:
    recipients = []
    for value in (v.strip() for v in values):
        if not value:
            continue
        if value.upper().startswith(_SECRET_PREFIX):
            # never echo it: a secret key pasted into the settings is already one copy too many
            raise BackupKeyError(_("A secret key was given where an age public key (age1…) belongs."))
        try:
            recipients.append(x25519.Recipient.from_str(value))
        except pyrage.RecipientError as exc:
            raise BackupKeyError(_("%(key)s is not an age public key (age1…).") % {"key": value[:80]}) from exc
    return recipients


def public_key(recipient: x25519.Recipient) -> str:
    return str(recipient)


def load_identities(path: Path) -> list[x25519.Identity]:
    """The secret keys in an age key file (as age-keygen or `backup_keygen` write it; comment lines skipped)."""
    identities = []
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            identities.append(x25519.Identity.from_str(line))
        except pyrage.IdentityError:
            identities = []
            break
    if not identities:
        raise BackupKeyError(_("%(file)s is not an age secret key file (AGE-SECRET-KEY-1…).") % {"file": path})
    return identities


def identity_public_keys(identities: Iterable[x25519.Identity]) -> set[str]:
    return {str(identity.to_public()) for identity in identities}


def write_key_file(path: Path) -> str:
    """Write a new secret key to `path` (created, mode 0600, never overwritten) in age-keygen's format; return its
    public key."""
    identity = x25519.Identity.generate()
    public = str(identity.to_public())
    created = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(f"# created: {created}\n# public key: {public}\n{identity}\n")
        fh.flush()
        os.fsync(fh.fileno())
    return public


class _HashingWriter:
    """Writes through to `out` and hashes on the way, so the ciphertext is not read a second time."""

    def __init__(self, out: BinaryIO):
        self.out = out
        self.digest = hashlib.sha256()

    def write(self, data) -> int:
        self.digest.update(data)
        return self.out.write(data)

    def flush(self):
        self.out.flush()


class _Discard:
    def write(self, data) -> int:
        return len(data)

    def flush(self):
        pass


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def seal(reader: BinaryIO, path: Path, recipients: list, *, finished: Callable[[], None] | None = None) -> str:
    """Encrypt all that `reader` yields into `path`, atomically: a temporary name, fsync, rename. `finished` runs
    once the reader is exhausted and raises if whatever produced it failed; the file is not put in place then.
    Returns the SHA-256 of the ciphertext."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        with open(partial, "xb") as out:
            writer = _HashingWriter(out)
            pyrage.encrypt_io(reader, writer, recipients)
            if finished:
                finished()
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
        fsync_dir(path.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return writer.digest.hexdigest()


def seal_produced(produce: Callable[[BinaryIO], None], path: Path, recipients: list) -> str:
    """Like `seal`, for data that `produce` writes into the stream it is given (a tar archive): it runs in a thread
    feeding a pipe, so the plaintext never touches the disk."""
    read_fd, write_fd = os.pipe()
    failure: list[BaseException] = []

    def run():
        try:
            with open(write_fd, "wb") as pipe:
                produce(pipe)
        except BaseException as exc:  # handed to the caller below
            failure.append(exc)

    thread = threading.Thread(target=run, daemon=True)

    def finished():
        thread.join()
        if failure:
            raise failure[0]

    thread.start()
    try:
        with open(read_fd, "rb") as pipe:
            return seal(pipe, path, recipients, finished=finished)
    finally:
        thread.join()  # the read end is closed: a producer still writing stops on a broken pipe


def _decrypt(path: Path, writer, identities: list) -> None:
    with open(path, "rb") as src:
        try:
            pyrage.decrypt_io(src, writer, identities)
        except pyrage.DecryptError as exc:
            raise BackupKeyError(
                _("%(file)s could not be decrypted with the key given (%(error)s).") % {"file": path.name, "error": exc}
            ) from exc
        except OSError as exc:
            if exc.errno is not None:  # the disk, not the data
                raise
            # age authenticates every 64 KiB chunk: a changed byte anywhere is refused here
            raise BackupKeyError(
                _("%(file)s could not be decrypted: it was altered or cut short.") % {"file": path.name}
            ) from exc


def unseal(path: Path, dest: Path, identities: list) -> None:
    """Decrypt `path` into the new file `dest`. Data is written before the end is authenticated: callers decrypt
    everything into a private folder first and use none of it until all of it decrypted."""
    with open(dest, "xb") as out:
        _decrypt(path, out, identities)


def check_opens(path: Path, identities: list) -> None:
    """Decrypt `path` to nowhere: proves the key opens it and the ciphertext is whole."""
    _decrypt(path, _Discard(), identities)
