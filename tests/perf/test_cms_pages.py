"""Benchmark (not in the default run): the dashboard, the news index and search with CMS_BENCH_NEWS news pages
(default 20,000, built with the bulk path used by seed_demo) — prints creation time, queries and latency per URL.

  DATABASE_URL=postgres://postgres@127.0.0.1:5432/serambi_cms .venv/bin/pytest tests/perf/test_cms_pages.py \
      -s -o addopts= -p no:cacheprovider
"""

import datetime as dt
import os
import time

import pytest
from django.core.cache import cache
from django.db import connection

from cms.news.bulk import bulk_create_news
from cms.news.models import NewsIndexPage
from tests.cms.conftest import person, section
from tests.query_bounds import queries

N = int(os.environ.get("CMS_BENCH_NEWS", "20000"))
WORDS = ["rapat koordinasi", "sosialisasi", "bimbingan teknis", "apel pagi", "pelatihan"]


@pytest.mark.django_db
def test_cms_pages_at_scale(client, org):
    user = person(org["SUB1"])
    client.force_login(user)
    items = [
        {
            "title": f"{WORDS[i % len(WORDS)].title()} nomor {i}",
            "slug": f"berita-{i}",
            "intro": "Ringkasan kegiatan",
            "date": dt.date(2026, 1, 1) - dt.timedelta(days=i % 700),
        }
        for i in range(N)
    ]
    t0 = time.perf_counter()
    for start in range(0, N, 2000):
        bulk_create_news(parent=section(NewsIndexPage), items=items[start : start + 2000])
    print(f"\n{N} news pages created (with search index) in {time.perf_counter() - t0:.1f} s on {connection.vendor}")
    for url in ["/", "/berita/", "/berita/?page=200", "/cari/?q=apel+pagi", "/cari/?q=rapat&type=news&page=3"]:
        client.get(url)
        cache.clear()
        t = time.perf_counter()
        with queries() as q:
            r = client.get(url)
        assert r.status_code == 200
        print(f"{url:<40} {len(q):>3} queries {1000 * (time.perf_counter() - t):8.0f} ms")
