"""`manage.py payslip_import`: same service as the upload page, with progress and a summary."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hr.payslips import demo
from hr.payslips.models import Payslip, PayslipBatch

from .conftest import row_for


def test_command_imports_and_publishes(people, tmp_path):
    path = tmp_path / "jan.csv"
    path.write_bytes(demo.csv_bytes([row_for(people[k]) for k in ("a", "b", "c")]))
    out = io.StringIO()
    call_command("payslip_import", str(path), "--user", people["officer"].user.username, "--publish", stdout=out)
    text = out.getvalue()
    assert "Reading rows" in text or "Membaca" in text
    assert PayslipBatch.objects.get().status == PayslipBatch.Status.PUBLISHED
    assert Payslip.objects.filter(status="published").count() == 3


def test_command_reports_problems_and_imports_nothing(people, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(demo.csv_bytes([row_for(people["a"], gaji_pokok="1.5e6")]))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("payslip_import", str(path), "--user", people["officer"].user.username, stdout=out)
    assert exc.value.code == 1
    assert "gaji_pokok" in out.getvalue()
    assert not Payslip.objects.exists()


def test_command_unknown_user(people, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"")
    with pytest.raises(CommandError):
        call_command("payslip_import", str(path), "--user", "nobody")
