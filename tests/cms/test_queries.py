"""Home (dashboard) and the news index run the same number of queries with 20 and with 2,000 news pages; the cached,
per-audience dashboard data changes the moment news is published, unpublished or restricted, and never crosses
audiences. (All listed pages at two seed_demo scales: tests/test_query_scaling.py.)"""

import datetime as dt

import pytest
from django.core.cache import cache

from cms.news.bulk import bulk_create_news
from cms.news.models import NewsIndexPage, NewsPage
from tests.query_bounds import assert_flat, queries

from .conftest import add_policy, person, restrict, section

pytestmark = pytest.mark.django_db


def _items(start, n):
    base = dt.date(2026, 1, 1)
    return [
        {
            "title": f"Berita nomor {i}",
            "slug": f"berita-nomor-{i}",
            "intro": "Ringkasan",
            "date": base + dt.timedelta(days=i % 300),
        }
        for i in range(start, start + n)
    ]


# The uncached path (the shared cache emptied before each count): at most this many queries, with 20 news as with
# 2,000.
UNCACHED_QUERIES = {"/": 26, "/berita/": 18, "/berita/?page=2": 18}


@pytest.mark.parametrize("url", list(UNCACHED_QUERIES))
def test_queries_do_not_grow_with_the_news(client, org, url):
    add_policy("Kebijakan A")
    client.force_login(person(org["SUB1"]))
    index = section(NewsIndexPage)
    added = []

    def news(n):
        bulk_create_news(parent=index, items=_items(len(added), n), index=False)
        added.extend(range(n))

    def page():
        response = client.get(url)
        assert response.status_code == 200
        return response.content.decode()

    assert_flat(page, grow=news, prepare=cache.clear, at_most=UNCACHED_QUERIES[url])
    assert "Berita nomor" in client.get("/berita/?page=20").content.decode()


def _publish_news(title, *, units=()):
    """Publish through a revision, as editors do (the page_published signal is what retires cached panels)."""
    page = NewsPage(title=title, slug=title.lower().replace(" ", "-"), live=False, date=dt.date(2026, 11, 20))
    section(NewsIndexPage).add_child(instance=page)
    if units:
        page.audience_everyone = False
        page.audience_units.set(list(units))
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def _dashboard(client):
    """The dashboard body, and whether the news query ran (False when the panel came from the cache)."""
    with queries() as q:
        body = client.get("/").content.decode()
    return body, bool(q.touching("news_newspage"))


def test_published_news_appears_at_once_and_unpublished_disappears(client, org):
    client.force_login(person(org["SUB1"]))
    _publish_news("Berita lama")
    body, _ = _dashboard(client)
    body, queried = _dashboard(client)
    assert "Berita lama" in body and not queried, "the second view is served from the audience cache"
    page = _publish_news("Rapat koordinasi direktorat", units=[org["DIR1"]])
    body, queried = _dashboard(client)
    assert "Rapat koordinasi direktorat" in body and queried, "publishing retires the cached panel at once"
    page.unpublish()
    body, _ = _dashboard(client)
    assert "Rapat koordinasi direktorat" not in body and "Berita lama" in body


def test_each_directorate_gets_its_own_cached_dashboard(client, org):
    _publish_news("Khusus Direktorat Satu", units=[org["DIR1"]])
    _publish_news("Khusus Direktorat Dua", units=[org["DIR2"]])
    one, two = person(org["SUB1"]), person(org["DIR2"])
    for _round in range(2):  # the second round is served from the per-audience cache
        client.force_login(one)
        body, _ = _dashboard(client)
        assert "Khusus Direktorat Satu" in body and "Khusus Direktorat Dua" not in body
        client.force_login(two)
        body, _ = _dashboard(client)
        assert "Khusus Direktorat Dua" in body and "Khusus Direktorat Satu" not in body
    _body, queried = _dashboard(client)
    assert not queried


def test_a_new_view_restriction_hides_a_cached_item_at_once(client, org):
    client.force_login(person(org["SUB1"]))
    page = _publish_news("Rencana reorganisasi")
    body, _ = _dashboard(client)
    assert "Rencana reorganisasi" in body and client.get(page.url).status_code == 200
    restrict(page, "Pengelola Kepegawaian")
    body, _ = _dashboard(client)
    assert "Rencana reorganisasi" not in body
    assert client.get(page.url).status_code != 200, "Wagtail's own check sees the new restriction too"


def test_news_list_pages_in_the_same_order_as_the_single_query(org):
    """The two-query list (pinned, then newest first) pages exactly like news_for's one ORDER BY, across page ends."""
    from cms.news.selectors import news_for, news_list

    user = person(org["SUB1"])
    index = section(NewsIndexPage)
    bulk_create_news(parent=index, items=_items(0, 45), index=False)
    today = dt.date(2026, 6, 1)
    NewsPage.objects.filter(title__in=["Berita nomor 3", "Berita nomor 40"]).update(pinned_until=dt.date(2026, 12, 31))
    NewsPage.objects.filter(title="Berita nomor 7").update(pinned_until=dt.date(2026, 1, 1))  # pin expired
    expected = [p.pk for p in news_for(user, today=today)]
    listed = news_list(user, today=today)
    assert listed.count() == len(expected) == 45
    pages = [listed[i : i + 20] for i in range(0, 60, 20)]
    assert [p.pk for page in pages for p in page] == expected
    assert [p.title for p in pages[0][:2]] == ["Berita nomor 40", "Berita nomor 3"]
