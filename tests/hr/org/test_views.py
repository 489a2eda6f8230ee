import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hr.org.models import Employee
from tests.factories import EmployeeFactory, UserFactory, give_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(org):
    return EmployeeFactory(unit=org["SUB1"], name="Siti Rahma", home_address="Jl. Rahasia 7")


def test_profile_shows_private_data_to_self(client, staff):
    client.force_login(staff.user)
    body = client.get(reverse("org:profile", args=[staff.pk])).content.decode()
    assert staff.nip in body and "Jl. Rahasia 7" in body


def test_profile_hides_private_data_from_colleagues(client, org, staff):
    colleague = EmployeeFactory(unit=org["SUB1"])
    client.force_login(colleague.user)
    response = client.get(reverse("org:profile", args=[staff.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Siti Rahma" in body
    for secret in (staff.nip, "Jl. Rahasia 7", "data-testid=\"private-data\""):
        assert secret not in body


def test_profile_shows_private_data_to_hr_in_scope_only(client, org, staff):
    hr_in, hr_out = UserFactory(), UserFactory()
    give_scope(hr_in, org["DIR1"])
    give_scope(hr_out, org["DIR2"])
    client.force_login(hr_in)
    assert staff.nip in client.get(reverse("org:profile", args=[staff.pk])).content.decode()
    client.force_login(hr_out)
    assert staff.nip not in client.get(reverse("org:profile", args=[staff.pk])).content.decode()


def test_directory_never_shows_nip(client, org, staff):
    client.force_login(EmployeeFactory(unit=org["DIR2"]).user)
    body = client.get(reverse("org:directory"), {"q": "siti"}).content.decode()
    assert "Siti Rahma" in body and staff.nip not in body


def test_inactive_profile_is_404_for_colleagues(client, org, staff):
    staff.active = False
    staff.save()
    client.force_login(EmployeeFactory(unit=org["SUB1"]).user)
    assert client.get(reverse("org:profile", args=[staff.pk])).status_code == 404


def test_unit_page_lists_sub_units_head_and_members(client, org, staff):
    head = EmployeeFactory(unit=org["DIR1"], position=org["DIR1"].head_position, name="Kepala Direktorat")
    client.force_login(staff.user)
    body = client.get(reverse("org:unit", args=["DIR1"])).content.decode()
    assert "Subdirektorat Satu" in body and "Kepala Direktorat" in body
    assert head.full_name in body
    body = client.get(reverse("org:unit", args=["SUB1"])).content.decode()
    assert "Siti Rahma" in body


def test_directory_filter_by_unit_includes_sub_units(client, org, staff):
    client.force_login(staff.user)
    body = client.get(reverse("org:directory"), {"unit": org["DIR1"].pk}).content.decode()
    assert "Siti Rahma" in body
    body = client.get(reverse("org:directory"), {"unit": org["DIR2"].pk}).content.decode()
    assert "Siti Rahma" not in body


def _bulk_employees(org, n):
    """n employees spread over the org units, inserted in bulk (the factory is too slow for thousands)."""
    template = EmployeeFactory.build(unit=org["SUB1"], user=None)
    units = list(org.values())
    rows = []
    for i in range(n):
        e = Employee(**{f.attname: getattr(template, f.attname) for f in Employee._meta.concrete_fields if f.attname != "id"})
        e.nip = f"1985{(i // 999) % 12 + 1:02d}14201002{1 + i % 2}{i % 999 + 1:03d}"
        e.name = f"Pegawai Massal {i}"
        e.sort_name = e.name.lower()
        e.unit = units[i % len(units)]
        rows.append(e)
    Employee.objects.bulk_create(rows, batch_size=1000)


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("view", ["directory", "directory_search", "directory_unit", "profile", "unit"])
def test_directory_and_profile_query_counts_do_not_grow_with_data(client, org, staff, view):
    """Same number of SQL queries with 20 employees as with 2,000."""
    head = EmployeeFactory(unit=org["SUB1"], position=org["SUB1"].head_position)
    client.force_login(staff.user)
    urls = {
        "directory": (reverse("org:directory"), {}),
        "directory_search": (reverse("org:directory"), {"q": "pegawai"}),
        "directory_unit": (reverse("org:directory"), {"unit": org["DIR1"].pk}),
        "profile": (reverse("org:profile", args=[head.pk]), {}),
        "unit": (reverse("org:unit", args=["SUB1"]), {}),
    }
    url, params = urls[view]
    _bulk_employees(org, 18)
    _queries(client, url, params)  # warm per-process caches (content types, site settings) before counting
    small = _queries(client, url, params)
    _bulk_employees_more(org, 1980)
    large = _queries(client, url, params)
    assert Employee.objects.count() >= 2000
    assert small == large, f"{view}: {small} queries with 20 employees, {large} with 2,000"


def _bulk_employees_more(org, n):
    rows = []
    units = list(org.values())
    base = Employee.objects.first()
    for i in range(n):
        rows.append(Employee(
            nip=f"1970{i // 900 % 12 + 1:02d}{i % 28 + 1:02d}199501{1 + i % 2}{i % 900 + 1:03d}",
            name=f"Pegawai Tambahan {i}", sort_name=f"pegawai tambahan {i}", gender="M" if i % 2 == 0 else "F",
            birth_date=base.birth_date, employment_type="PNS", golongan="III/b", unit=units[i % len(units)],
            tmt_cpns=base.tmt_cpns,
        ))
    Employee.objects.bulk_create(rows, batch_size=1000)


def test_my_profile_link_resolves_to_own_profile(client, staff):
    client.force_login(staff.user)
    r = client.get(reverse("org:my_profile"))
    assert r.status_code == 302 and r["Location"] == reverse("org:profile", args=[staff.pk])
    assert reverse("org:my_profile") in client.get("/direktori/").content.decode()  # the user menu's link


def test_my_profile_without_employee_record_is_404(client):
    client.force_login(UserFactory())
    assert client.get(reverse("org:my_profile")).status_code == 404
