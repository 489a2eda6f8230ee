"""The directory and colleague profiles are copies shared by every reader who sees work details only
(hr.org.views): a repeat reads no employee row, a change to who is where shows at once, and private details never
reach the shared copy — whoever viewed first."""

import pytest
from django.urls import reverse

from tests.factories import EmployeeFactory, UserFactory, give_scope
from tests.query_bounds import queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(org):
    return EmployeeFactory(unit=org["SUB1"], name="Siti Rahma", home_address="Jl. Rahasia 7")


def _get(client, url, data=None):
    with queries() as q:
        response = client.get(url, data)
    assert response.status_code == 200
    return response.content.decode(), q


def test_the_persons_own_view_never_reaches_colleagues(client, org, staff):
    url = reverse("org:profile", args=[staff.pk])
    client.force_login(staff.user)  # the person first: their page shows private details and is not shared
    own, _sql = _get(client, url)
    assert staff.nip in own
    client.force_login(EmployeeFactory(unit=org["SUB1"]).user)
    seen, _sql = _get(client, url)
    assert "Siti Rahma" in seen and staff.nip not in seen and "Jl. Rahasia 7" not in seen
    client.force_login(staff.user)  # after a colleague filled the shared copy, the person still sees their data
    again, _sql = _get(client, url)
    assert staff.nip in again and "Jl. Rahasia 7" in again


def test_hr_in_scope_sees_private_details_after_a_colleague_filled_the_copy(client, org, staff):
    url = reverse("org:profile", args=[staff.pk])
    client.force_login(EmployeeFactory(unit=org["DIR2"]).user)
    _get(client, url)
    hr = UserFactory()
    give_scope(hr, org["DIR1"])
    client.force_login(hr)
    body, _sql = _get(client, url)
    assert staff.nip in body


def test_profile_copy_is_shared_and_follows_changes(client, org, staff):
    url = reverse("org:profile", args=[staff.pk])
    first, second = EmployeeFactory(unit=org["SUB1"]), EmployeeFactory(unit=org["DIR2"])  # (a new employee: a change)
    client.force_login(first.user)
    _get(client, url)
    client.force_login(second.user)  # another reader: the shared copy
    body, q = _get(client, url)
    assert "Siti Rahma" in body and not q.reading("org_employee"), q.listing()
    staff.work_phone = "021-5550199"
    staff.save(update_fields=["work_phone"])
    body, _sql = _get(client, url)
    assert "021-5550199" in body


def test_directory_copy_is_shared_and_follows_changes(client, org, staff):
    url = reverse("org:directory")
    first, second = EmployeeFactory(unit=org["SUB1"]), EmployeeFactory(unit=org["DIR2"])
    client.force_login(first.user)
    _get(client, url, {"q": "siti"})
    client.force_login(second.user)
    body, q = _get(client, url, {"q": "siti"})
    assert "Siti Rahma" in body and not q.reading("org_employee"), q.listing()
    EmployeeFactory(unit=org["DIR2"], name="Siti Nurhaliza")
    body, _sql = _get(client, url, {"q": "siti"})
    assert "Siti Nurhaliza" in body and "Siti Rahma" in body
