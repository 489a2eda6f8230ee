"""Zip containers (XLSX, DOCX, ODT) checked before anything parses them, so that a zip bomb is refused cheaply.

Every zip the project opens goes through `check_archive` first: member count, each member's size, the total inflated
size and the compression ratio are checked against the central directory, then every member is inflated in small
chunks and counted (nothing is kept), so a header that lies about sizes is caught too. Python's zipfile never reads a
member past its declared size, which keeps later parsing inside the same bounds.
"""

import fnmatch
import io
import zipfile
import zlib
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MiB = 1024 * 1024
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class ZipLimits:
    max_members: int = 5000
    max_member_bytes: int = 256 * MiB
    max_total_bytes: int = 512 * MiB
    max_ratio: int = 200
    # Small XML parts compress far better than 200:1 in ordinary files; the ratio only matters for large members.
    ratio_floor_bytes: int = 1 * MiB
    # Tighter limits for named members (glob patterns, first match wins), e.g. the parts a reader loads whole.
    member_limits: tuple[tuple[str, int], ...] = field(default=())

    def limit_for(self, name: str) -> int:
        for pattern, limit in self.member_limits:
            if fnmatch.fnmatchcase(name, pattern):
                return limit
        return self.max_member_bytes


# Stored office documents: only counted here, never parsed beyond a few bytes, so the limits protect whoever opens them.
DOCUMENT_LIMITS = ZipLimits()

# Workbooks that are read cell by cell: worksheets are streamed, but openpyxl keeps the shared strings, styles and
# workbook parts in memory, so those get small limits (ordinary files use a few hundred KB for them).
XLSX_READ_LIMITS = ZipLimits(
    max_members=1000,
    max_member_bytes=4 * MiB,
    max_total_bytes=160 * MiB,
    max_ratio=200,
    member_limits=(
        ("xl/worksheets/sheet*.xml", 128 * MiB),
        ("xl/sharedStrings.xml", 16 * MiB),
    ),
)


class UnsafeArchive(ValueError):
    """The archive exceeds a limit. `message` is translated and meant for the uploader."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _mb(n: int) -> str:
    return f"{n / MiB:.0f}" if n >= MiB else f"{n / MiB:.2f}"


def _too_big(name: str, limit: int) -> UnsafeArchive:
    return UnsafeArchive(
        _("The file unpacks to more than %(limit)s MB (part “%(part)s”); it looks like a compression bomb.")
        % {"limit": _mb(limit), "part": name[:80]}
    )


def check_archive(data: bytes, limits: ZipLimits = DOCUMENT_LIMITS) -> None:
    """Raise UnsafeArchive when the zip in `data` exceeds `limits`, zipfile.BadZipFile when it is not a readable zip
    (corrupt, encrypted, unknown compression, sizes that do not match the data)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > limits.max_members:
                raise UnsafeArchive(
                    _("The file holds %(n)s parts; at most %(max)s are accepted.")
                    % {"n": len(infos), "max": limits.max_members}
                )
            declared = 0
            for info in infos:
                limit = limits.limit_for(info.filename)
                if info.file_size > limit:
                    raise _too_big(info.filename, limit)
                if info.file_size > limits.ratio_floor_bytes and info.file_size > limits.max_ratio * max(
                    info.compress_size, 1
                ):
                    raise UnsafeArchive(
                        _("Part “%(part)s” is compressed more than %(ratio)s to 1; it looks like a compression bomb.")
                        % {"part": info.filename[:80], "ratio": limits.max_ratio}
                    )
                declared += info.file_size
                if declared > limits.max_total_bytes:
                    raise _too_big(info.filename, limits.max_total_bytes)
            for info in infos:  # the real sizes: zipfile stops at the declared size and then checks the CRC
                with zf.open(info) as member:
                    while member.read(_CHUNK):
                        pass
    except (zipfile.LargeZipFile, RuntimeError, NotImplementedError, EOFError, OSError, zlib.error) as exc:
        raise zipfile.BadZipFile(str(exc)) from None
