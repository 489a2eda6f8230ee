"""The news index page (NewsIndexPage): the same items in the same order as `news_for` across its pages — pinned
first, then newest first — with links to the pages, and an unpinned item dropping back into date order."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from cms.news.selectors import news_for
from tests.cms.conftest import add_news, person

pytestmark = pytest.mark.django_db

ITEM = re.compile(r'<h2><a href="([^"]+)">([^<]+)</a></h2>')


def listed(client, url="/berita/") -> list[tuple[str, str]]:
    response = client.get(url)
    assert response.status_code == 200
    return ITEM.findall(response.content.decode())


def test_index_pages_follow_news_for(client, org):
    reader = person(org["SUB1"])
    today = timezone.localdate()
    pages = [add_news(f"Berita {i:02d}", date=today - dt.timedelta(days=i)) for i in range(24)]
    add_news("Disematkan lama", date=today - dt.timedelta(days=40), pinned_until=today + dt.timedelta(days=2))
    add_news("Disematkan hari ini", date=today - dt.timedelta(days=50), pinned_until=today)
    add_news("Sematan habis", date=today - dt.timedelta(days=3), pinned_until=today - dt.timedelta(days=1))
    add_news("Untuk unit lain", units=[org["DIR2"]], pinned_until=today + dt.timedelta(days=5))
    client.force_login(reader)

    first, second = listed(client), listed(client, "/berita/?page=2")
    expected = [p.title for p in news_for(reader)]
    assert [t for _, t in first + second] == expected
    assert len(first) == 20 and expected[:2] == ["Disematkan lama", "Disematkan hari ini"]
    assert "Untuk unit lain" not in expected
    assert dict((t, u) for u, t in first)["Berita 00"] == pages[0].url
    assert listed(client, "/berita/?page=3") == second  # past the end: the last page, as before


def test_unpinned_item_returns_to_date_order(client, org):
    reader = person(org["SUB1"])
    today = timezone.localdate()
    add_news("Baru", date=today)
    pinned = add_news("Lama", date=today - dt.timedelta(days=9), pinned_until=today + dt.timedelta(days=1))
    client.force_login(reader)
    assert [t for _, t in listed(client)] == ["Lama", "Baru"]

    pinned.pinned_until = None
    pinned.save_revision().publish()
    assert [t for _, t in listed(client)] == ["Baru", "Lama"]
