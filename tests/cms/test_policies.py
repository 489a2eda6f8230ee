"""Policies: acknowledgement tied to the published revision, re-acknowledgement after a material change, reports."""

import pytest

from cms.policies import selectors, services
from cms.policies.models import Acknowledgement
from intranet.accounts.roles import Role
from tests import factories

from .conftest import add_policy, person

pytestmark = pytest.mark.django_db


def pending_titles(user):
    return [p.title for p in selectors.pending_for(user)]


def republish(page, *, material: bool, title=None):
    page.refresh_from_db()
    latest = page.get_latest_revision_as_object()
    latest.material_change = material
    if title:
        latest.title = title
    latest.save_revision().publish()
    page.refresh_from_db()
    return page


def test_acknowledgement_per_revision_and_material_change(org):
    user = person(org["SUB1"])
    page = add_policy("Kode Etik Pegawai")
    assert pending_titles(user) == ["Kode Etik Pegawai"]

    ack = services.acknowledge(page=page, user=user)
    assert ack.revision_id == page.live_revision_id
    assert pending_titles(user) == []
    assert selectors.has_acknowledged(page, user)

    # an editorial fix (no material change) does not ask again
    republish(page, material=False, title="Kode Etik Pegawai (ejaan)")
    assert pending_titles(user) == []

    # a material change asks everyone again
    republish(page, material=True)
    assert pending_titles(user) == ["Kode Etik Pegawai (ejaan)"]
    assert not selectors.has_acknowledged(page, user)
    services.acknowledge(page=page, user=user)
    assert pending_titles(user) == []
    assert Acknowledgement.objects.filter(page=page, user=user).count() == 2

    # the flag does not stick to the next revision
    page.refresh_from_db()
    assert page.get_latest_revision_as_object().material_change is False
    republish(page, material=False)
    assert pending_titles(user) == []


def test_acknowledge_twice_is_idempotent(org):
    user = person(org["SUB1"])
    page = add_policy("Kebijakan Keamanan Informasi")
    services.acknowledge(page=page, user=user)
    services.acknowledge(page=page, user=user)
    assert Acknowledgement.objects.filter(page=page, user=user).count() == 1


def test_only_targeted_staff_are_asked(org):
    page = add_policy("Hanya DIR2", units=[org["DIR2"]])
    assert pending_titles(person(org["SUB1"])) == []
    assert pending_titles(person(org["DIR2"])) == [page.title]


def test_acknowledge_through_the_page_and_dashboard(client, org):
    user = person(org["SUB1"])
    page = add_policy("Pedoman Kerja Jarak Jauh")
    client.force_login(user)
    assert "Pedoman Kerja Jarak Jauh" in client.get("/").content.decode()
    r = client.post(page.url + "setuju/")
    assert r.status_code == 302
    assert Acknowledgement.objects.filter(page=page, user=user).exists()
    assert 'data-testid="panel-policies"' not in client.get("/").content.decode()
    assert client.get(page.url + "setuju/").status_code == 405


def test_report_per_unit_for_hr_in_scope_and_csv(client, org):
    a = person(org["SUB1"])
    person(org["SUB1"])
    person(org["DIR2"])  # outside the officer's scope
    page = add_policy("Disiplin PNS")
    services.acknowledge(page=page, user=a)
    hr = person(org["DIR1"])
    factories.give_scope(hr, org["DIR1"])
    report = selectors.acknowledgement_report(hr, page)
    assert report["total"] == 3  # SUB1 ×2 and the officer (DIR1); not DIR2
    assert report["done"] == 1
    client.force_login(hr)
    r = client.get(page.url + "laporan/")
    assert r.status_code == 200
    r = client.get(page.url + "laporan/csv/")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert r.content.decode("utf-8-sig").count("\n") == 4
    xlsx = client.get(page.url + "laporan/xlsx/")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")

    client.force_login(person(org["SUB1"], Role.EDITOR))
    assert client.get(page.url + "laporan/").status_code == 403
