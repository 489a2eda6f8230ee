"""Real storage faults for tests: a tiny tmpfs as private storage, filled up (ENOSPC) or remounted read-only (EROFS).
Mounting needs root (CAP_SYS_ADMIN); elsewhere the tests that need it skip and say why."""

import contextlib
import errno
import os
import subprocess
from pathlib import Path

import pytest


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, check=False)  # noqa: S603 - fixed arguments


@contextlib.contextmanager
def tmpfs(path: Path, size_kb: int = 512):
    path.mkdir(parents=True, exist_ok=True)
    mounted = _run("mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0755", "tmpfs", str(path))
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to cause real storage faults (needs root): {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        _run("umount", "-l", str(path))


def fill(path: Path) -> Path:
    """Fill the file system holding `path` until the kernel answers ENOSPC; returns the filler (delete it to free)."""
    filler = path / "filler.bin"
    with open(filler, "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
    with contextlib.suppress(OSError):
        os.truncate(filler, max(0, os.path.getsize(filler) - 64))  # leave a few bytes: only files, not dirs, fail
    return filler


def remount(path: Path, mode: str) -> None:
    result = _run("mount", "-o", f"remount,{mode}", str(path))
    assert result.returncode == 0, result.stderr


@pytest.fixture
def small_private_disk(settings, tmp_path):
    """Private storage on a 512 KB tmpfs of the test's own."""
    from django.core.files.storage import storages

    root = tmp_path / "private"
    with tmpfs(root):
        settings.PRIVATE_MEDIA_ROOT = root
        settings.STORAGES = {
            **settings.STORAGES,
            "private": {"BACKEND": "intranet.core.storage.PrivateStorage", "OPTIONS": {"location": str(root)}},
        }
        storages._storages.clear()
        yield root
        remount(root, "rw")
        storages._storages.clear()


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.name != "filler.bin")
