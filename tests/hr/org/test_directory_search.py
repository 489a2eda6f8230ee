"""The directory search at ministry scale (issue 10): the same people as a plain "name, position or unit contains
every word" filter across the joins, whichever way the position and unit matches reach the employee query (a literal
id list, or a subquery when a word names more than INLINE_IDS_MAX of them); a fixed number of queries; and, on
PostgreSQL, trigram indexes that match the SQL Django emits."""

import pytest
from django.db import connection
from django.db.models import Q

from hr.org import selectors
from hr.org.models import Employee, Position, bare_name_key
from tests.factories import EmployeeFactory, PositionFactory, bulk_employees, unit
from tests.query_bounds import assert_flat, queries

pytestmark = pytest.mark.django_db

QUERIES = [
    "siti", "SITI", "rahma", "siti rahma", "analis", "Analyst", "kepegawaian", "Personnel", "seksi", "section",
    "kepegawaian siti", "analis seksi", "ti", "zzqx", "Satu", "  budi   santoso ", "ë",
]


def reference(query: str) -> list[Employee]:
    """What the search means, written the obvious way (OR across the joins): the behaviour to keep."""
    qs = Employee.objects.filter(active=True)
    for word in query.split()[:6]:
        key = bare_name_key(word)
        if not key:
            continue
        qs = qs.filter(
            Q(sort_name__contains=key)
            | Q(position__name_id__icontains=word)
            | Q(position__name_en__icontains=word)
            | Q(unit__name_id__icontains=word)
            | Q(unit__name_en__icontains=word)
        )
    return list(qs.order_by("sort_name", "pk"))


@pytest.fixture
def staff(org):
    section = unit("SEK1", "Seksi Kepegawaian", parent=org["SUB1"], name_en="Personnel Section")
    other = unit("SEK2", "Seksi Anggaran", parent=org["DIR2"], name_en="Budget Section")
    analyst = PositionFactory(unit=section, name_id="Analis Kepegawaian Ahli Muda", name_en="HR Analyst (Associate)")
    clerk = PositionFactory(unit=other, name_id="Pengadministrasi Umum", name_en="General Administrator")
    people = [
        EmployeeFactory(unit=section, position=analyst, name="Siti Rahma"),
        EmployeeFactory(unit=section, position=clerk, name="Budi Santoso"),
        EmployeeFactory(unit=other, position=analyst, name="Siti Aminah"),
        EmployeeFactory(unit=other, position=clerk, name="Rahmat Hidayat"),
        EmployeeFactory(unit=org["DIR1"], position=None, name="Agus Setiawan"),
        EmployeeFactory(unit=section, position=None, name="Zoë Matondang"),
    ]
    EmployeeFactory(unit=section, position=analyst, name="Siti Pensiun", active=False)
    return people


@pytest.mark.parametrize("inline_max", [200, 0])
def test_same_people_as_the_plain_filter_whichever_way_ids_are_passed(staff, monkeypatch, inline_max):
    # 0: every position and unit match goes through the subquery fallback; 200: every one as a literal list
    monkeypatch.setattr(selectors, "INLINE_IDS_MAX", inline_max)
    for query in QUERIES:
        assert list(selectors.directory_search(query=query)) == reference(query), query


def test_within_a_unit_subtree(org, staff):
    found = selectors.directory_search(query="siti", unit=org["DIR1"])
    assert [e.name for e in found] == ["Siti Rahma"]  # Siti Aminah works under DIR2


def test_the_position_and_unit_ids_of_all_words_come_in_one_query(staff):
    with queries(at_most=1):
        results = selectors.directory_search(query="siti kepegawaian analis")
    with queries(at_most=3):  # count, page, and the page again in the second assert
        assert results.count() == 2
        assert [e.name for e in results[:5]] == ["Siti Aminah", "Siti Rahma"]
        assert [e.unit.code for e in results[:5]] == ["SEK2", "SEK1"]


def test_a_page_of_matches_costs_the_same_with_few_or_many(org, staff):
    def first_page():
        results = selectors.directory_search(query="massal")
        return results.count(), [(e.full_name, e.unit.code, e.position) for e in results[:50]]

    total, page = assert_flat(first_page, grow=lambda n: bulk_employees(n, org.values()), at_most=3)
    assert total == 2000 and len(page) == 50


def test_no_query_up_front_without_words(staff):
    with queries(at_most=0):
        selectors.directory_search(query="  ")


def test_a_word_naming_many_positions_is_a_subquery_not_a_long_list(staff, monkeypatch):
    monkeypatch.setattr(selectors, "INLINE_IDS_MAX", 1)
    extra = Position.objects.get(name_id="Pengadministrasi Umum")
    new = PositionFactory(unit=extra.unit, name_id="Pengadministrasi Keuangan", name_en="Finance Administrator")
    where = str(selectors.directory_search(query="pengadministrasi").values("pk").query)  # no select_related joins
    assert "org_position" in where  # two matching positions > 1: the subquery
    where = str(selectors.directory_search(query="keuangan").values("pk").query)
    assert "org_position" not in where and f'position_id" IN ({new.pk})' in where  # one: a literal list


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only")
def test_postgresql_can_use_the_trigram_indexes_for_the_sql_django_emits(staff):
    """The indexes of migrations org 0002/0003 are on expressions; they only help while Django keeps emitting
    exactly `UPPER(col::text) LIKE UPPER(…)` (icontains) and `sort_name::text LIKE …` (contains)."""
    with queries() as ids:
        selectors._named_ids(["analis"])
    with queries() as name:
        Employee.objects.filter(sort_name__contains="rahma").count()  # each word's condition on the name

    def plans(statements):
        with connection.cursor() as cursor:
            # small tables: the planner would rather read them, or a whole btree index, than look rows up; forbid
            # the first and make the second expensive, to see what the indexes can serve
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL cpu_index_tuple_cost = 1")
            found = []
            for sql in statements.sql:
                cursor.execute("EXPLAIN " + sql)
                found.extend(row[0] for row in cursor.fetchall())
        return "\n".join(found)

    ids_plan, name_plan = plans(ids), plans(name)
    for index in ("position_name_id_trgm", "position_name_en_trgm", "orgunit_name_id_trgm", "orgunit_name_en_trgm"):
        assert index in ids_plan
    assert "employee_sort_name_trgm" in name_plan


@pytest.mark.parametrize("few", [2000, 0])
def test_results_give_the_same_pages_whichever_way_they_are_fetched(org, staff, monkeypatch, few):
    # 2000: pages of few matches are sorted by the database; 0: always the walk along the name index
    monkeypatch.setattr(selectors, "FEW_MATCHES", few)
    for query, within in (("siti", None), ("seksi", None), ("", org["SUB1"]), ("", None)):
        expected = list(selectors.directory_search(query=query, unit=within))
        results = selectors.directory_results(query=query, unit=within)
        with queries() as q:
            assert results.count() == len(expected)
            pages = [results[i : i + 2] for i in range(0, len(expected) + 2, 2)]
        assert [e for page in pages for e in page] == expected, (query, within)
        assert len(q) <= 1 + len(pages), q.listing()  # counted once, one query a page
        assert list(results) == expected


def test_the_directory_page_lists_the_matches_in_name_order(client, org, staff):
    client.force_login(staff[0].user)
    body = client.get("/direktori/?q=siti").content.decode()
    assert body.index("Siti Aminah") < body.index("Siti Rahma")
    assert "Siti Pensiun" not in body
