"""Home (dashboard) and the news index run the same number of queries with 5 and with 500 news pages."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.news.bulk import bulk_create_news
from cms.news.models import NewsIndexPage

from .conftest import add_policy, person, section

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


def _count(client, url):
    client.get(url)  # warm up per-process caches (site root paths, content types)
    cache.clear()  # measure the uncached dashboard path
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return len(ctx.captured_queries)


def test_constant_queries_with_5_and_500_news(client, org):
    user = person(org["SUB1"])
    add_policy("Kebijakan A")
    client.force_login(user)
    index = section(NewsIndexPage)
    bulk_create_news(parent=index, items=_items(0, 5), index=False)
    small = {url: _count(client, url) for url in ("/", "/berita/", "/berita/?page=2")}
    bulk_create_news(parent=index, items=_items(5, 495), index=False)
    large = {url: _count(client, url) for url in ("/", "/berita/", "/berita/?page=2")}
    assert small == large, (small, large)
    assert "Berita nomor" in client.get("/berita/?page=20").content.decode()
