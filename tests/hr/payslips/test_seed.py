"""seed_demo: 12 published months for every demo employee, the current month imported through the real service for
the payroll officer's scope; idempotent."""

import io

import pytest
from django.core.management.base import OutputWrapper
from django.core.management.color import no_style

from hr.org.models import Employee
from hr.payslips.models import Payslip, PayslipBatch


@pytest.mark.django_db
def test_seed_is_complete_fast_and_idempotent():
    from hr.org import seed as org_seed
    from hr.payslips import seed as payslip_seed
    from intranet.core.management.commands.seed_demo import SeedContext

    ctx = SeedContext(employees=40, seed=7, stdout=OutputWrapper(io.StringIO()), style=no_style())
    org_seed.seed(ctx)
    payslip_seed.seed(ctx)
    active = Employee.objects.filter(active=True).count()
    bulk = Payslip.objects.filter(batch__source_name__startswith="demo-20", status="published")
    assert bulk.count() == active * 12
    assert bulk.values("period").distinct().count() == 12
    example = PayslipBatch.objects.get(source_name__startswith="demo-payroll-")
    assert example.status == PayslipBatch.Status.PUBLISHED and example.row_count > 0
    assert example.notified_at is not None  # demo data notifies nobody
    pegawai = Employee.objects.get(user__username="pegawai")
    assert Payslip.objects.filter(employee=pegawai, status="published").count() == 13
    slip = Payslip.objects.filter(employee=pegawai).first()
    assert slip.net == slip.gross - slip.deductions
    before = Payslip.objects.count()
    payslip_seed.seed(ctx)
    assert Payslip.objects.count() == before
