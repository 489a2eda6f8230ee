"""A word's matches are ranked once for every reader (`cms.search.selectors.ranked_matches`); each reader's hits are
the first of them that reader may see. Ranked this way or by the reader's own search, the hits are the same."""

import pytest
from wagtail.models import Site

from cms.news.models import NewsPage
from cms.search import selectors
from intranet.accounts.roles import Role
from tests.cms.conftest import add_news, person, restrict
from tests.query_bounds import queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def news(org):
    """Seven items matching "anggaran": for all, for one directorate, and behind an HR-only restriction."""
    pages = [add_news(f"Anggaran kegiatan {i}", intro="Rencana anggaran unit") for i in range(3)]
    pages += [add_news(f"Anggaran direktorat {i}", intro="Anggaran khusus", units=[org["DIR2"]]) for i in range(2)]
    for i in range(2):
        hidden = add_news(f"Anggaran rahasia {i}", intro="Anggaran pegawai")
        restrict(hidden, Role.HR_OFFICER.value)
        pages.append(hidden)
    add_news("Rapat koordinasi", intro="Tanpa kata itu")
    return pages


def _titles(user, ranked=None):
    hits = selectors.page_hits(user, NewsPage, "anggaran", Site.get_site_root_paths(), ranked)
    return [hit.title for hit in hits]


def _ranked():
    return selectors.ranked_matches(NewsPage, "anggaran", None, "test:ranked", ("g",))


def test_each_reader_gets_what_their_own_search_finds(org, news):
    ranked = _ranked()
    assert ranked.complete and len(ranked.ids) == 7
    readers = [person(org["SUB1"]), person(org["DIR2"]), person(org["SUB1"], Role.HR_OFFICER)]
    seen = [_titles(reader, ranked) for reader in readers]
    assert seen == [_titles(reader) for reader in readers]
    assert len(seen[0]) == 3 and len(seen[1]) == 5 and len(seen[2]) == 5
    assert not any("rahasia" in t or "direktorat" in t for t in seen[0])


def test_a_second_audience_does_not_rank_again(client, org, news):
    client.force_login(person(org["SUB1"]))
    assert client.get("/cari/", {"q": "anggaran"}).status_code == 200
    client.force_login(person(org["DIR2"]))  # another audience profile: its own hits, from the ranked matches
    with queries() as q:
        body = client.get("/cari/", {"q": "anggaran"}).content.decode()
    assert "Anggaran direktorat 0" in body and "Anggaran rahasia" not in body
    assert not q.touching("wagtailsearch_indexentry"), "no full-text query"


def test_when_the_kept_matches_run_out_the_readers_own_search_decides(org, news, monkeypatch):
    """Only the first matches are kept; a reader who may see too few of them gets their own search's answer."""
    monkeypatch.setattr(selectors, "RANKED_MAX", 2)
    monkeypatch.setattr(selectors, "MAX_PAGE_HITS", 3)
    ranked = _ranked()
    assert not ranked.complete and len(ranked.ids) == 2
    reader = person(org["SUB1"])
    assert _titles(reader, ranked) == _titles(reader) and len(_titles(reader)) == 3
