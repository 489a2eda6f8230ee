"""Zip bombs against every upload that opens a zip container: the payroll import (XLSX) and HR documents (DOCX, XLSX).

The attacker is a payroll officer (or anyone who may file an HR document) uploading a small file that inflates to
hundreds of MB. Each bomb must be refused with a clear, translated message, store nothing, and grow the worker's
memory by less than 300 MB. Memory is measured for real in a forked child: its peak RSS is reset
(/proc/self/clear_refs) before the parse, and an address-space limit turns a runaway into a failure instead of
starving the machine.
"""

import datetime as dt
import functools
import os
import pickle
import re
import resource
import time
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from hr.documents.validation import validate_upload
from hr.payslips import demo, importing, services
from hr.payslips.models import Payslip, PayslipBatch
from intranet.core import safezip
from tests.attacks import bombs
from tests.hr.payslips import conftest as payslip_fixtures
from tests.hr.payslips.conftest import import_bytes, row_for

# The payroll fixtures (an officer scoped to DIR1 and employees), English messages, fast password hashing.
people = payslip_fixtures.people
_english_messages = payslip_fixtures._english_messages
_fast_passwords = payslip_fixtures._fast_passwords

MB = 1024 * 1024
MEMORY_BUDGET = 300 * MB
BOMB_MESSAGE = "looks like a compression bomb"

# name → (builder, text of the refusal). Built once per run; the largest takes about two seconds.
XLSX_BOMBS = {
    "shared-strings-256MB": (bombs.xlsx_shared_strings_bomb, BOMB_MESSAGE),
    "many-shared-strings": (bombs.xlsx_many_strings_bomb, "unpacks to more than 16 MB"),
    "sheet-of-empty-rows": (bombs.xlsx_sheet_bomb, BOMB_MESSAGE),
    "lying-zip-headers": (bombs.xlsx_lying_sizes, "not a readable XLSX workbook"),
    "20000-parts": (bombs.xlsx_many_members, "at most 1000 are accepted"),
    "forged-dimension": (bombs.xlsx_forged_dimension, "has more than 500 cells"),
    "2MB-cell": (bombs.xlsx_long_cell, "at most 1000 are accepted"),
}


@functools.cache
def bomb(name: str) -> bytes:
    return XLSX_BOMBS[name][0]()


def _status(key: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise AssertionError(key)


def peak_growth(fn) -> tuple[int, object]:
    """Run fn() in a forked child; return (peak RSS growth in bytes, its result or the exception it raised)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        try:
            os.close(read)
            limit = _status("VmSize") + 1536 * MB  # a runaway fails here rather than taking the machine down
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")  # reset the peak RSS to the current RSS
            base = _status("VmRSS")
            try:
                outcome = fn()
            except BaseException as exc:  # noqa: BLE001 - reported to the parent
                outcome = exc
            growth = _status("VmHWM") - base
            try:
                payload = pickle.dumps((growth, outcome))
            except Exception:  # noqa: BLE001
                payload = pickle.dumps((growth, RuntimeError(repr(outcome)[:500])))
            with os.fdopen(write, "wb") as out:
                out.write(payload)
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    assert data, "the child died (killed by the out-of-memory killer?)"
    return pickle.loads(data)  # noqa: S301 - written by our own child process


COMPONENTS = {code: SimpleNamespace(kind="earning" if code in demo.EARNINGS else "deduction", active=False)
              for code in demo.CODES}


def parse_payroll(data: bytes, fmt: str = "xlsx"):
    """What the validation task does with the stored file, short of the database."""
    header, rows, *_rest = importing.read_table(data, fmt)
    return importing.parse_rows(header, rows, components=COMPONENTS, today=dt.date(2026, 6, 1))


# --- the payroll import ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(XLSX_BOMBS))
def test_payroll_bomb_parse_stays_inside_the_memory_budget(name):
    started = time.monotonic()
    growth, outcome = peak_growth(lambda: parse_payroll(bomb(name)))
    assert isinstance(outcome, importing.FileUnreadable), outcome
    assert XLSX_BOMBS[name][1] in outcome.problem.message
    assert growth < MEMORY_BUDGET, f"peak RSS grew by {growth / MB:.0f} MB"
    assert time.monotonic() - started < 30


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(XLSX_BOMBS))
def test_payroll_bomb_upload_is_refused_and_stores_nothing(people, name):
    batch = import_bytes(people["officer"].user, bomb(name), name="gaji.xlsx")
    assert batch.status == PayslipBatch.Status.INVALID
    assert batch.error_count == 1
    (problem,) = batch.errors
    assert XLSX_BOMBS[name][1] in problem["message"]
    assert len(problem["message"]) <= importing.MAX_PROBLEM_CHARS
    assert not Payslip.objects.filter(batch=batch).exists()


@pytest.mark.django_db
def test_payroll_bomb_message_is_in_the_uploaders_language(people):
    with translation.override("id"):
        batch = services.batch_upload(
            user=people["officer"].user,
            uploaded_file=SimpleUploadedFile("gaji.xlsx", bomb("shared-strings-256MB")),
            run_async=False,
        )
    batch = services.batch_validate(batch_id=batch.pk)
    assert batch.status == PayslipBatch.Status.INVALID
    assert "bom kompresi" in batch.errors[0]["message"]


@pytest.mark.django_db
def test_csv_with_a_huge_cell_stores_a_short_problem(people):
    """The CSV path has the same cell limit, and no stored problem copies the cell."""
    text = demo.csv_bytes([row_for(people["a"], name="Siti " + "x" * 100_000)]).decode()
    batch = import_bytes(people["officer"].user, text.encode(), name="gaji.csv")
    assert batch.status == PayslipBatch.Status.INVALID
    assert "at most 1000 are accepted" in batch.errors[0]["message"]
    assert max(len(p["message"]) for p in batch.errors) <= importing.MAX_PROBLEM_CHARS


@pytest.mark.django_db
def test_csv_problem_text_never_copies_a_whole_cell(people):
    """A long amount cell (under the cell limit) is quoted in the problem, clipped."""
    batch = import_bytes(people["officer"].user, demo.csv_bytes([row_for(people["a"], gaji_pokok="9" * 999)]))
    assert batch.status == PayslipBatch.Status.INVALID
    assert all(len(p["message"]) <= importing.MAX_PROBLEM_CHARS for p in batch.errors)


def test_ordinary_large_workbook_passes_the_limits_within_the_budget():
    """The limits do not refuse a real payroll (20,000 employees in one workbook), which also stays in budget."""
    rows = [{"period": "2026-01", "nip": str(199001152015030000 + i), "name": f"Pegawai {i}", "gaji_pokok": 3_000_000}
            for i in range(20_000)]
    data = demo.xlsx_bytes(rows)
    safezip.check_archive(data, safezip.XLSX_READ_LIMITS)
    growth, parsed = peak_growth(lambda: parse_payroll(data))
    assert isinstance(parsed, importing.ParsedFile), parsed
    assert parsed.problem_count == 0 and len(parsed.rows) == 20_000
    assert growth < MEMORY_BUDGET, f"peak RSS grew by {growth / MB:.0f} MB"


# --- HR documents ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "builder", "text"),
    [
        ("kontrak.docx", bombs.docx_bomb, BOMB_MESSAGE),
        ("daftar.xlsx", bombs.xlsx_shared_strings_bomb, BOMB_MESSAGE),
        ("daftar.xlsx", bombs.xlsx_sheet_bomb, BOMB_MESSAGE),
    ],
)
def test_hr_document_bomb_is_refused_within_the_memory_budget(settings, filename, builder, text):
    settings.DOCUMENTS_CLAMD_SOCKET = settings.DOCUMENTS_CLAMD_HOST = ""
    data = builder()

    def upload():
        validate_upload(SimpleUploadedFile(filename, data))

    growth, outcome = peak_growth(upload)
    assert isinstance(outcome, ValidationError), outcome
    assert outcome.code == "archive"
    assert text in outcome.messages[0]
    assert growth < MEMORY_BUDGET, f"peak RSS grew by {growth / MB:.0f} MB"


@pytest.mark.django_db
def test_hr_document_bomb_stores_no_document(settings, people):
    from hr.documents import services as document_services
    from hr.documents.models import Document, DocumentVersion

    settings.DOCUMENTS_CLAMD_SOCKET = settings.DOCUMENTS_CLAMD_HOST = ""
    with pytest.raises(document_services.DocumentError) as caught:
        document_services._validate(SimpleUploadedFile("kontrak.docx", bombs.docx_bomb()), 0)
    assert caught.value.code == "archive"
    assert not Document.objects.exists()
    assert not DocumentVersion.objects.exists()


def test_every_module_that_opens_a_zip_checks_it_first():
    """A source scan: any module of the project that opens a zip container (zipfile, openpyxl, python-docx) also calls
    `check_archive`, so that a new reader cannot skip the limits."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    opener = re.compile(r"ZipFile\(|load_workbook\(|docx\.Document\(|odf\.opendocument")
    unchecked = []
    for package in ("intranet", "hr", "cms"):
        for path in (root / package).rglob("*.py"):
            rel = path.relative_to(root).as_posix()
            if rel == "intranet/core/safezip.py" or "/migrations/" in rel:
                continue
            text = path.read_text()
            if opener.search(text) and "check_archive(" not in text:
                unchecked.append(rel)
    assert unchecked == []
