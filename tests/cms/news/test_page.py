"""A news item's page: category, tags in their order, content owner, the reader counted once on the source page
(also when reading a translation), all from one query besides the page itself and the read mark, and from the cache on
a repeat read; a preview shows the draft's own."""

import pytest
from taggit.models import Tag

from cms.news.models import NewsCategory, NewsRead
from cms.news.selectors import article_details
from tests.cms.conftest import add_news, person, translate
from tests.query_bounds import queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(org):
    owner = person(org["DIR1"])
    owner.first_name, owner.last_name = "Rina", "Wulandari"
    owner.save()
    category = NewsCategory.objects.create(slug="kegiatan", name_id="Kegiatan", name_en="Activities")
    page = add_news("Rapat koordinasi", category=category, content_owner=owner)
    for name in ("zona integritas", "anggaran", "rapat"):
        page.tags.add(name)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def test_page_shows_category_tags_in_order_and_owner(client, org, item):
    client.force_login(person(org["SUB1"]))
    body = client.get(item.url).content.decode()
    assert "· Kegiatan</p>" in body
    assert "Tags: zona integritas, anggaran, rapat</p>" in body or "Tag: zona integritas, anggaran, rapat</p>" in body
    assert "Rina Wulandari" in body


def test_owner_without_names_shows_the_username(client, org, item):
    owner = item.content_owner
    owner.first_name = owner.last_name = ""
    owner.save()
    client.force_login(person(org["SUB1"]))
    assert owner.username in client.get(item.url).content.decode()


def test_details_match_the_page(org, item):
    details = article_details(item)
    assert details.category == item.category and details.category.name == "Kegiatan"
    assert details.tags == [str(t) for t in item.tags.all()]
    assert details.content_owner.get_full_name() == item.content_owner.get_full_name()


def test_reader_counted_once_on_the_source_of_a_translation(client, org, item):
    english = translate(item, title="Coordination meeting")
    reader = person(org["SUB1"])
    client.force_login(reader)
    for url in (english.url, english.url, item.url):
        assert client.get(url).status_code == 200
    assert list(NewsRead.objects.filter(user=reader).values_list("page_id", flat=True)) == [item.pk]


def test_an_uncached_read_gets_the_details_in_one_query_and_a_repeat_read_none(client, org, item):
    reader = person(org["SUB1"])
    for earlier in range(5):  # the reader's history: it must not be read to decide whether they are counted
        NewsRead.objects.create(page=add_news(f"Berita lama {earlier}"), user=reader)
    client.force_login(reader)
    with queries() as first:
        client.get(item.url)
    details = first.touching("taggit_tag")
    assert len(details) <= 1, details  # tags, category and owner together
    reads = first.touching("news_newsread")
    # the read mark written without reading the reader's history first
    assert reads and all(r.lstrip().upper().startswith(("INSERT", "WITH")) for r in reads), reads
    assert len(reads) <= 1, reads
    client.get(item.url)
    with queries() as repeat:
        client.get(item.url)
    page_queries = [s for table in ("news_newsread", "taggit_tag") for s in repeat.touching(table)]
    assert page_queries == []  # the article and the reader's read mark come from the cache


def test_preview_shows_the_drafts_category_and_tags(client, org, item):
    editor = person(org["DIR1"])
    other = NewsCategory.objects.create(slug="pengumuman", name_id="Pengumuman", name_en="Announcements")
    item.category = other
    Tag.objects.get_or_create(name="draf", slug="draf")
    item.tags.add("draf")
    request = client.get("/").wsgi_request  # any request of a logged-in editor
    request.user = editor
    request.is_preview = True
    request.method = "GET"
    context = item.get_context(request)
    assert context["article"].category == other
    assert "draf" in context["article"].tags


def test_a_read_is_one_statement_and_counts_once(org):
    from cms.news.services import record_read

    item, reader = add_news("Rapat kerja"), person(org["SUB1"])
    with queries(at_most=1):
        record_read(page=item, user=reader)
    first = NewsRead.objects.get(page=item, user=reader).first_read_at
    record_read(page=item, user=reader)
    assert [r.first_read_at for r in NewsRead.objects.filter(page=item)] == [first]
