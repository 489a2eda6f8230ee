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
    from demo.management.commands.seed_demo import SeedContext
    from hr.org import seed as org_seed
    from hr.payslips import seed as payslip_seed

    ctx = SeedContext(employees=40, seed=7, stdout=OutputWrapper(io.StringIO()), style=no_style())
    org_seed.seed(ctx)
    payslip_seed.seed(ctx)
    active = Employee.objects.filter(active=True).count()
    bulk = Payslip.objects.filter(batch__source_name__startswith="demo-20", status="published")
    example_people = payslip_seed.example_file_people()
    left_for_the_walkthrough = len(example_people) if bulk.filter(period=example_people[0]["period"]).exists() else 0
    assert bulk.count() == active * 12 - left_for_the_walkthrough
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


@pytest.mark.django_db
def test_the_documented_payroll_example_imports_and_publishes_on_the_demo():
    """README: the payroll officer `gaji` imports hr/payslips/examples/payroll-example.csv, previews, publishes. Its
    NIPs are demo employees in her scope with the same names, and have no payslip for its month yet."""
    from django.core.files.base import ContentFile

    from demo.management.commands.seed_demo import SeedContext
    from hr.org import seed as org_seed
    from hr.payslips import seed as payslip_seed
    from hr.payslips import services
    from intranet.accounts.models import User

    ctx = SeedContext(employees=40, seed=7, stdout=OutputWrapper(io.StringIO()), style=no_style())
    org_seed.seed(ctx)
    payslip_seed.seed(ctx)
    gaji = User.objects.get(username="gaji")
    data = payslip_seed.EXAMPLE_FILE.read_bytes()
    batch = services.batch_upload(
        user=gaji, uploaded_file=ContentFile(data, name="payroll-example.csv"), run_async=False
    )
    batch = services.batch_validate(batch_id=batch.pk)
    assert batch.status == PayslipBatch.Status.READY, batch.errors
    assert batch.row_count == len(payslip_seed.example_file_people()) == 4 and batch.replaces_count == 0
    services.batch_publish(batch_id=batch.pk, user=gaji, send_notifications=False)
    for person in payslip_seed.example_file_people():
        employee = Employee.objects.get(nip=person["nip"])
        assert employee.name == person["name"] and employee.payslips.filter(period=person["period"]).count() == 1
