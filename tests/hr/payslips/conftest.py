import datetime as dt
import random

import pytest
from django.core.files.base import ContentFile
from django.utils import translation

from hr.org.models import HRScope
from hr.payslips import demo, services
from hr.payslips.models import Payslip, PayslipBatch
from tests import factories

PERIOD = "2026-01"


@pytest.fixture(autouse=True)
def _english_messages():
    """Assertions below read the English messages; test_messages_in_uploader_language covers Indonesian."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Users are created in every test here; hashing their passwords with PBKDF2 would dominate the run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(org):
    """Three employees in SUB1 (under DIR1), one in DIR2, and a payroll officer scoped to DIR1."""
    sub1, dir2, dir1 = org["SUB1"], org["DIR2"], org["DIR1"]
    a = factories.EmployeeFactory(unit=sub1, name="Siti Rahma", front_title="Dr.", back_title="S.Kom., M.T.")
    b = factories.EmployeeFactory(unit=sub1, name="Budi Santoso", gender="M", birth_date=dt.date(1990, 1, 15))
    c = factories.EmployeeFactory(unit=dir1, name="Agus Pratama", gender="M")
    outsider = factories.EmployeeFactory(unit=dir2, name="Dewi Lestari")
    officer = factories.EmployeeFactory(unit=dir1, name="Petugas Gaji")
    factories.give_scope(officer.user, dir1, HRScope.Kind.PAYROLL)
    return {"a": a, "b": b, "c": c, "outsider": outsider, "officer": officer}


def row_for(employee, period=PERIOD, seed=1, **overrides) -> dict:
    values = demo.amounts(random.Random(seed + employee.pk), golongan="III/a")
    row = {"period": period, "nip": employee.nip, "name": employee.full_name, **values, "net": demo.net_of(values)}
    row.update(overrides)
    return row


def import_bytes(user, data: bytes, name: str = "payroll.csv", reason: str = "") -> PayslipBatch:
    batch = services.batch_upload(user=user, uploaded_file=ContentFile(data, name=name), reason=reason, run_async=False)
    return services.batch_validate(batch_id=batch.pk)


def publish_rows(user, rows, reason: str = "") -> PayslipBatch:
    batch = import_bytes(user, demo.csv_bytes(rows), reason=reason)
    assert batch.status == PayslipBatch.Status.READY, batch.errors
    return services.batch_publish(batch_id=batch.pk, user=user)


def assert_nothing_imported(batch: PayslipBatch):
    batch.refresh_from_db()
    assert batch.status == PayslipBatch.Status.INVALID
    assert batch.error_count >= 1
    assert not Payslip.objects.filter(batch=batch).exists()
    assert not Payslip.objects.filter(status=Payslip.Status.PUBLISHED).exists()


@pytest.fixture
def published(people):
    """January payslips for a, b, c published by the officer."""
    officer = people["officer"].user
    batch = publish_rows(officer, [row_for(people[k]) for k in ("a", "b", "c")])
    return batch
