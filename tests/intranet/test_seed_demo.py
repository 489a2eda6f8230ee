import io

import pytest
from django.apps import apps
from django.core.management import call_command

from hr.org import selectors
from hr.org.models import Employee, HRScope, OrgUnit
from hr.org.nip import parse_nip
from intranet.accounts.models import User
from intranet.accounts.roles import Role, has_role


def _counts():
    return {m._meta.label: m._default_manager.count() for m in apps.get_models() if m._meta.managed}


@pytest.mark.django_db
def test_org_seed_is_realistic_and_consistent():
    out = io.StringIO()
    call_command("seed_demo", "--staging", "--employees", "120", "--only", "hr.org", stdout=out)
    assert "pegawai" in out.getvalue() and "Serambi-Demo-2026" in out.getvalue()
    assert Employee.objects.count() >= 120
    assert not any(OrgUnit.find_problems()), "the materialised-path tree is consistent"
    assert set(OrgUnit.objects.values_list("level", flat=True)) == {0, 1, 2, 3, 4}
    for emp in Employee.objects.all():
        parsed = parse_nip(emp.nip)
        assert parsed.birth_date == emp.birth_date and parsed.gender == emp.gender
        assert parsed.pppk == (emp.employment_type == Employee.EmploymentType.PPPK)  # PPPK numbers carry code 21
        assert (emp.golongan == "") == (emp.employment_type == Employee.EmploymentType.PPPK)
    pegawai = Employee.objects.get(user__username="pegawai")
    atasan = Employee.objects.get(user__username="atasan")
    pejabat = Employee.objects.get(user__username="pejabat")
    assert selectors.superior_of(pegawai).employee == atasan
    assert pejabat.unit.level == 2 and pejabat.position == pejabat.unit.head_position
    assert pegawai.unit.path.startswith(pejabat.unit.path)
    sdm = User.objects.get(username="sdm")
    assert has_role(sdm, Role.HR_OFFICER) and pegawai in selectors.employees_in_scope(sdm)
    gaji = User.objects.get(username="gaji")
    assert pegawai in selectors.employees_in_scope(gaji, HRScope.Kind.PAYROLL)
    assert not selectors.employees_in_scope(gaji).exists()
    assert User.objects.get(username="admin").is_superuser
    # An HR and a payroll officer for every directorate.
    directorates = OrgUnit.objects.filter(level=2).count()
    assert HRScope.objects.filter(kind="hr").count() == directorates
    assert HRScope.objects.filter(kind="payroll").count() == directorates


@pytest.mark.django_db
def test_seed_demo_is_deterministic_and_idempotent():
    call_command("seed_demo", "--staging", "--employees", "40", stdout=io.StringIO())
    first = _counts()
    names = list(Employee.objects.order_by("nip").values_list("nip", "name"))
    call_command("seed_demo", "--staging", "--employees", "40", stdout=io.StringIO())
    assert _counts() == first, "a second run writes nothing"
    assert list(Employee.objects.order_by("nip").values_list("nip", "name")) == names


@pytest.mark.django_db
def test_seeded_history_gives_the_notification_resume_job_nothing_to_send():
    """A worker running beside the demo must not tell every employee about a year of old payslips."""
    import datetime as dt

    from hr.payslips.models import PayslipBatch
    from hr.payslips.services import unnotified_batch_ids
    from intranet.notifications.models import Notification

    call_command("seed_demo", "--staging", "--employees", "40", stdout=io.StringIO())
    assert PayslipBatch.objects.filter(status=PayslipBatch.Status.PUBLISHED).count() >= 12
    assert unnotified_batch_ids(after=dt.timedelta(0)) == []
    assert not Notification.objects.filter(kind__startswith="payslip").exists()
