"""Global search at ministry scale (issue 10): page hits are read without their bodies, each type is one query
whatever the number of hits, one hit per translation group in the reader's language, and the people group is the
directory search."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import translation
from wagtail.models import Site

from cms.news.bulk import bulk_create_news
from cms.news.models import NewsIndexPage, NewsPage
from cms.search.selectors import HIT_FIELDS, search_all, search_pages
from hr.org.selectors import directory_search
from tests import factories
from tests.cms.conftest import add_news, person, section, translate
from tests.query_bounds import assert_flat, queries

pytestmark = pytest.mark.django_db


def test_page_hits_are_read_without_their_bodies(org):
    add_news("Sosialisasi SPBE", intro="Ringkasan sosialisasi", body=[("paragraph", "<p>Isi panjang</p>")])
    (hit,) = search_pages(person(org["SUB1"]), NewsPage, "sosialisasi")
    deferred = hit.get_deferred_fields()
    assert {"body", "intro", "search_description"} <= deferred
    assert not deferred & set(HIT_FIELDS)
    Site.get_site_root_paths()  # once per process (cached), not per hit
    with queries(at_most=0):  # title, language and link need nothing more
        assert (hit.title, hit.lang, hit.url) == ("Sosialisasi SPBE", "id", "/berita/sosialisasi-spbe/")


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


SEARCHES = ("/cari/?q=rapat", "/cari/?q=rapat&type=news", "/cari/?q=rapat&type=people")


def _hits(org):
    """`grow` for assert_flat: n news items and n people that match "rapat" (in bulk; each bumps its generation)."""
    added = []

    def grow(n):
        start = len(added)
        items = [
            {
                "title": f"Rapat koordinasi {i}",
                "slug": f"rapat-koordinasi-{i}",
                "intro": "Rapat koordinasi bulanan",
                "date": dt.date(2026, 1, 1) - dt.timedelta(days=i % 300),
            }
            for i in range(start, start + n)
        ]
        bulk_create_news(parent=section(NewsIndexPage), items=items)
        factories.bulk_employees(n, [org["SUB1"]], name="Rapat Siregar")
        added.extend(items)

    return grow


def _searches(client, *, cold: bool) -> list[int]:
    """The queries of each search; `cold`: each with the shared cache emptied first."""
    counts = []
    for url in SEARCHES:
        if cold:
            cache.clear()
        with queries() as q:
            assert client.get(url).status_code == 200
        counts.append(len(q))
    return counts


def test_a_first_search_does_not_read_more_as_the_hits_grow(client, org):
    """The three searches, each with nothing cached; then again, each from the cache, in fewer queries (a repeated
    search at many more hits: tests/cms/search/test_cache.py)."""
    client.force_login(person(org["SUB1"]))
    # 500, not 2,000: a first search ranks every match, over a second a search at 2,000 hits here
    cold = assert_flat(lambda: _searches(client, cold=True), grow=_hits(org), large=500, at_most=63)
    warm = _searches(client, cold=False)
    assert all(w < c for w, c in zip(warm, cold, strict=True)), (warm, cold)


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
    with queries() as q:
        search_pages(person(org["SUB1"]), NewsPage, "sosialisasi")
    vector = '("wagtailsearch_indexentry"."title" || "wagtailsearch_indexentry"."body") @@'
    matches = [s for s in q.sql if "@@" in s]
    assert matches and all(vector in s for s in matches), (
        "Wagtail no longer matches `title || body`: the index of migration search 0001 is useless"
    )
    with connection.cursor() as cursor:
        # a handful of rows: the planner would rather read them (or a whole btree index) than look them up
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL cpu_index_tuple_cost = 1")
        cursor.execute(f"EXPLAIN SELECT id FROM wagtailsearch_indexentry WHERE {vector} to_tsquery('sosialisasi')")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "serambi_indexentry_title_body_gin" in plan
