import pytest
from django.urls import reverse

from hr.org.models import Employee
from hr.org.signals import bump_org_generation
from tests.factories import EmployeeFactory, UserFactory, bulk_employees, give_scope
from tests.query_bounds import assert_flat

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


# Queries of each page built from the rows (not the copy shared since the last view); the same with 20 employees
# as with 2,000.
PAGE_QUERIES = {"directory": 5, "directory_search": 6, "directory_unit": 6, "profile": 6, "unit": 10}


@pytest.mark.parametrize("view", list(PAGE_QUERIES))
def test_directory_and_profile_query_counts_do_not_grow_with_data(client, org, staff, view):
    head = EmployeeFactory(unit=org["SUB1"], position=org["SUB1"].head_position)
    client.force_login(staff.user)
    url, params = {
        "directory": (reverse("org:directory"), {}),
        "directory_search": (reverse("org:directory"), {"q": "pegawai"}),
        "directory_unit": (reverse("org:directory"), {"unit": org["DIR1"].pk}),
        "profile": (reverse("org:profile", args=[head.pk]), {}),
        "unit": (reverse("org:unit", args=["SUB1"]), {}),
    }[view]

    def view_page():
        bump_org_generation()
        response = client.get(url, params)
        assert response.status_code == 200
        return response.content.decode()

    body = assert_flat(view_page, grow=lambda n: bulk_employees(n, org.values()), at_most=PAGE_QUERIES[view])
    assert Employee.objects.count() >= 2000 and "Pegawai Massal" in body


def test_my_profile_link_resolves_to_own_profile(client, staff):
    client.force_login(staff.user)
    r = client.get(reverse("org:my_profile"))
    assert r.status_code == 302 and r["Location"] == reverse("org:profile", args=[staff.pk])
    assert reverse("org:my_profile") in client.get("/direktori/").content.decode()  # the user menu's link


def test_my_profile_without_employee_record_is_404(client):
    client.force_login(UserFactory())
    assert client.get(reverse("org:my_profile")).status_code == 404
