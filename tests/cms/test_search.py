"""Search: one page over news, training, policies, pages and people, filtered per user; Indonesian stemming on
PostgreSQL."""

import pytest
from django.db import connection

from cms.search.selectors import search_all
from intranet.accounts.roles import Role

from .conftest import add_course, add_news, add_policy, person, restrict

pytestmark = pytest.mark.django_db


def found(user, q):
    return {
        g.key: [getattr(h, "title", None) or getattr(h, "full_name", "") for h in g.hits] for g in search_all(user, q)
    }


def test_search_groups_and_filters_per_user(client, org):
    reader = person(org["SUB1"])
    add_news("Anggaran kinerja 2027", intro="Rencana anggaran")
    secret = add_news("Anggaran rahasia tunjangan")
    restrict(secret, Role.PAYROLL_OFFICER.value)
    add_news("Anggaran khusus DIR2", units=[org["DIR2"]])
    add_course("Pelatihan anggaran berbasis kinerja", modules=1)
    add_policy("Kebijakan anggaran")
    res = found(reader, "anggaran")
    assert res["news"] == ["Anggaran kinerja 2027"]
    assert res["training"] == ["Pelatihan anggaran berbasis kinerja"]
    assert res["policies"] == ["Kebijakan anggaran"]

    client.force_login(reader)
    body = client.get("/cari/?q=anggaran").content.decode()
    assert "Anggaran kinerja 2027" in body
    assert "rahasia" not in body and "DIR2" not in body
    body = client.get("/cari/?q=anggaran&type=news").content.decode()
    assert 'data-testid="search-group-news"' in body

    payroll = person(org["SUB1"], Role.PAYROLL_OFFICER)
    assert "Anggaran rahasia tunjangan" in found(payroll, "anggaran")["news"]


def test_search_finds_people(client, org):
    from tests import factories

    factories.EmployeeFactory(unit=org["SUB1"], name="Siti Rahmawati")
    reader = person(org["SUB1"])
    assert "Siti Rahmawati" in " ".join(found(reader, "Rahmawati")["people"])


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="Indonesian stemming needs PostgreSQL's 'indonesian' configuration"
)
def test_indonesian_stemming_on_postgresql(org):
    reader = person(org["SUB1"])
    add_news("Jadwal latihan menembak", intro="Latihan rutin")
    add_news("Kegiatan lain", intro="Tidak berkaitan")
    assert found(reader, "pelatihan")["news"] == ["Jadwal latihan menembak"]


def test_search_includes_documents_when_the_documents_app_provides_a_selector(org):
    from cms.search import selectors

    reader = person(org["SUB1"])
    groups = {g.key for g in search_all(reader, "anggaran")}
    if selectors._documents_selector() is None:
        assert "documents" not in groups
    else:
        assert "documents" in groups
