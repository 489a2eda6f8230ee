"""Global search at ministry scale (issue 10): page hits are read without their bodies, each type is one query
whatever the number of hits, one hit per translation group in the reader's language, and the people group is the
directory search."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from wagtail.models import Site

from cms.news.models import NewsPage
from cms.search.selectors import HIT_FIELDS, search_all, search_pages
from hr.org.selectors import directory_search
from tests import factories
from tests.cms.conftest import add_news, person, translate

pytestmark = pytest.mark.django_db


def test_page_hits_are_read_without_their_bodies(org):
    add_news("Sosialisasi SPBE", intro="Ringkasan sosialisasi", body=[("paragraph", "<p>Isi panjang</p>")])
    (hit,) = search_pages(person(org["SUB1"]), NewsPage, "sosialisasi")
    deferred = hit.get_deferred_fields()
    assert {"body", "intro", "search_description"} <= deferred
    assert not deferred & set(HIT_FIELDS)
    Site.get_site_root_paths()  # once per process (cached), not per hit
    with CaptureQueriesContext(connection) as ctx:
        assert (hit.title, hit.lang, hit.url) == ("Sosialisasi SPBE", "id", "/berita/sosialisasi-spbe/")
    assert ctx.captured_queries == []  # title, language and link need nothing more


def test_one_hit_per_translation_group_in_the_readers_language(org):
    reader = person(org["SUB1"])
    page = add_news("Rapat kerja nasional", intro="Ringkasan rapat")
    translate(page, title="National working meeting")  # the intro is copied: both versions match "ringkasan"
    with translation.override("id"):
        assert [(h.title, h.lang) for h in search_pages(reader, NewsPage, "ringkasan")] == [
            ("Rapat kerja nasional", "id")
        ]
    with translation.override("en"):
        assert [(h.title, h.lang) for h in search_pages(reader, NewsPage, "ringkasan")] == [
            ("National working meeting", "en")
        ]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_hits(client, org):
    """Neither a first search (nothing cached) nor a repeated one reads more as the hits grow."""
    client.force_login(person(org["SUB1"]))
    urls = ("/cari/?q=rapat", "/cari/?q=rapat&type=news", "/cari/?q=rapat&type=people")

    def add(first: int, last: int) -> None:
        for i in range(first, last):
            add_news(f"Rapat koordinasi {i}", intro="Rapat koordinasi bulanan")
            factories.EmployeeFactory(unit=org["SUB1"], name=f"Rapat Siregar {i}")

    def counts() -> tuple[list[int], list[int]]:
        cold = []
        for url in urls:
            cache.clear()
            client.get("/cari/?q=warm")  # per-process memos and the site-wide cached values, not the search's own
            cold.append(_queries(client, url))
        return cold, [_queries(client, url) for url in urls]

    add(0, 2)
    client.get("/cari/?q=rapat")  # warm-up: per-process memos
    few = counts()
    add(2, 30)
    many = counts()
    assert few == many
    assert all(warm < cold for warm, cold in zip(many[1], many[0], strict=True))


def test_the_people_group_is_the_directory_search(org):
    for name in ("Siti Rahma", "Siti Aminah", "Budi Siti"):
        factories.EmployeeFactory(unit=org["SUB1"], name=name)
    groups = {g.key: g for g in search_all(person(org["SUB1"]), "siti")}
    people = groups["people"]
    assert people.total == 3
    assert list(people.hits) == list(directory_search(query="siti"))
    assert [(h.pk, h.full_name) for h in people.preview] == [(e.pk, e.full_name) for e in people.hits]


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the index exists on PostgreSQL only")
def test_postgresql_can_match_pages_through_the_title_body_index(org):
    """Migration search 0001 indexes `title || body`, the expression Wagtail's database backend matches against; it
    only helps while the backend keeps emitting exactly that."""
    add_news("Sosialisasi SPBE", intro="Ringkasan sosialisasi")
    with CaptureQueriesContext(connection) as ctx:
        search_pages(person(org["SUB1"]), NewsPage, "sosialisasi")
    (sql,) = (q["sql"] for q in ctx.captured_queries if "@@" in q["sql"])
    vector = '("wagtailsearch_indexentry"."title" || "wagtailsearch_indexentry"."body") @@'
    assert vector in sql, "Wagtail no longer matches `title || body`: the index of migration search 0001 is useless"
    with connection.cursor() as cursor:
        # a handful of rows: the planner would rather read them (or a whole btree index) than look them up
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL cpu_index_tuple_cost = 1")
        cursor.execute(f"EXPLAIN SELECT id FROM wagtailsearch_indexentry WHERE {vector} to_tsquery('sosialisasi')")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "serambi_indexentry_title_body_gin" in plan
