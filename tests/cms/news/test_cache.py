"""The news index and news pages served from the cache: the list is kept per audience profile, the article per page;
neither ever shows a reader what they may not see, whoever filled the cache first; publishing, unpublishing, editing
and restricting show at once; reads are still recorded; a revisit runs a small number of queries, the same with 20 or
2,000 news items; previews are never kept; without a cache the pages work the same."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from cms.news.bulk import bulk_create_news
from cms.news.models import NewsCategory, NewsIndexPage, NewsRead
from intranet.accounts.roles import Role
from tests.cms.conftest import add_news, person, restrict, section
from tests.query_bounds import assert_flat, queries

pytestmark = pytest.mark.django_db

ITEM = re.compile(r'<h2><a href="[^"]+">([^<]+)</a></h2>')


def get(client, url):
    """(status, body, the SQL run)."""
    with queries() as q:
        response = client.get(url)
    return response.status_code, response.content.decode(), q.sql


def titles(client, url="/berita/") -> list[str]:
    status, body, _ = get(client, url)
    assert status == 200
    return ITEM.findall(body)


def news_queries(sql: list[str]) -> list[str]:
    return [q for q in sql if "news_newspage" in q or "news_newsread" in q or "taggit_tag" in q]


# --- the index ------------------------------------------------------------------------------------------------------


def test_index_copy_is_kept_per_audience_and_never_crosses_units(client, org):
    add_news("Untuk semua")
    add_news("Khusus Direktorat Satu", units=[org["DIR1"]])
    add_news("Khusus Direktorat Dua", units=[org["DIR2"]])
    in_sub1, in_dir2, also_in_sub1 = person(org["SUB1"]), person(org["DIR2"]), person(org["SUB1"])
    for _round in range(2):  # the second round is served from the cache the first one filled
        client.force_login(in_sub1)
        assert set(titles(client)) == {"Khusus Direktorat Satu", "Untuk semua"}
        client.force_login(in_dir2)
        assert set(titles(client)) == {"Khusus Direktorat Dua", "Untuk semua"}
    client.force_login(also_in_sub1)  # the same audience profile: the same copy, no news query
    _status, body, sql = get(client, "/berita/")
    assert "Khusus Direktorat Satu" in body and "Khusus Direktorat Dua" not in body
    assert news_queries(sql) == []


@pytest.mark.parametrize("insider_first", [True, False])
def test_index_copy_never_shows_a_restricted_item_to_an_outsider(client, org, insider_first):
    page = add_news("Rahasia kepegawaian")
    add_news("Pengumuman umum")
    restrict(page, Role.HR_OFFICER.value)
    insider, outsider = person(org["SUB1"], Role.HR_OFFICER), person(org["SUB1"])  # same unit, other roles
    order = [(insider, True), (outsider, False)]
    for user, sees in (order if insider_first else order[::-1]) * 2:
        client.force_login(user)
        assert ("Rahasia kepegawaian" in titles(client)) is sees
        assert "Pengumuman umum" in titles(client)


def test_index_shows_publish_unpublish_edit_and_restriction_at_once(client, org):
    reader = person(org["SUB1"])
    client.force_login(reader)
    old = add_news("Berita lama", date=timezone.localdate() - dt.timedelta(days=1))
    assert titles(client) == ["Berita lama"]
    _status, _body, sql = get(client, "/berita/")
    assert news_queries(sql) == [], "the second visit is served from the cache"

    new = add_news("Berita baru", live=False)
    assert titles(client) == ["Berita lama"]
    new.save_revision().publish()
    assert titles(client) == ["Berita baru", "Berita lama"]

    old.title = "Berita lama (diperbarui)"
    old.save_revision().publish()
    assert titles(client) == ["Berita baru", "Berita lama (diperbarui)"]

    new.refresh_from_db()
    new.unpublish()
    assert titles(client) == ["Berita lama (diperbarui)"]

    restrict(old, Role.HR_OFFICER.value)
    assert titles(client) == []


def test_index_pages_and_categories_are_kept_apart(client, org):
    today = timezone.localdate()
    staffing = NewsCategory.objects.create(slug="kepegawaian", name_id="Kepegawaian", name_en="Staffing")
    for i in range(25):
        add_news(f"Berita {i:02d}", date=today - dt.timedelta(days=i), category=staffing if i % 5 == 0 else None)
    client.force_login(person(org["SUB1"]))
    for _round in range(2):
        first, second = titles(client), titles(client, "/berita/?page=2")
        assert len(first) == 20 and len(second) == 5 and not set(first) & set(second)
        assert titles(client, "/berita/?kategori=kepegawaian") == [f"Berita {i:02d}" for i in range(0, 25, 5)]
        # an unknown category lists everything, a page past the end is the last page: rendered, never kept apart
        assert titles(client, "/berita/?kategori=tidak-ada") == first
        assert titles(client, "/berita/?page=9") == second
        assert titles(client, "/berita/?page=²") == titles(client, "/berita/?page=x") == first
    client.cookies["django_language"] = "en"
    _status, body, _sql = get(client, "/berita/")
    assert "· Staffing" in body and "· Kepegawaian" not in body, "each language has its own copy"


def test_a_moved_reader_gets_the_new_units_list_and_never_shows_it_to_others(client, org):
    from django.core.cache import cache

    add_news("Khusus Direktorat Satu", units=[org["DIR1"]])
    add_news("Khusus Direktorat Dua", units=[org["DIR2"]])
    mover, in_dir2 = person(org["SUB1"]), person(org["DIR2"])
    client.force_login(mover)
    assert titles(client) == ["Khusus Direktorat Satu"]
    employee = mover.employee
    employee.unit = org["DIR2"]
    employee.save()
    # until the remembered unit expires the mover still gets their old unit's list; nobody else ever does
    client.force_login(in_dir2)
    assert titles(client) == ["Khusus Direktorat Dua"]
    cache.delete(f"cms:news:unit:{mover.pk}")  # as after UNIT_SECONDS
    client.force_login(mover)
    assert titles(client) == ["Khusus Direktorat Dua"]


def test_index_revisit_queries_are_few_and_constant(client, org):
    client.force_login(person(org["SUB1"]))
    first = timezone.localdate() - dt.timedelta(days=3000)
    added = []

    def news(n):
        """n more news items, each a day newer than the last (bulk: the news generation is bumped, as on publish)."""
        start = len(added)
        items = [
            {"title": f"Berita {i}", "slug": f"berita-{i}", "intro": "Ringkasan", "date": first + dt.timedelta(days=i)}
            for i in range(start, start + n)
        ]
        bulk_create_news(parent=section(NewsIndexPage), items=items, index=False)
        added.extend(items)

    def revisit():
        response = client.get("/berita/")  # the first view after a change filled the copy
        assert response.status_code == 200
        return response.content.decode()

    # the session, the user, their roles and the section page: the audience profile and the list come from the cache
    body = assert_flat(revisit, grow=news, at_most=4)
    assert "Berita 1999" in body
    _status, _body, sql = get(client, "/berita/")
    assert news_queries(sql) == []


# --- a news page ----------------------------------------------------------------------------------------------------


@pytest.fixture
def item(org):
    category = NewsCategory.objects.create(slug="kegiatan", name_id="Kegiatan", name_en="Activities")
    page = add_news("Rapat koordinasi", category=category, live=False)
    page.tags.add("anggaran")
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def test_one_rendering_serves_every_reader_and_each_read_is_recorded(client, org, item):
    readers = [person(org["SUB1"]), person(org["DIR2"]), person(org["DIR1"])]
    for n, reader in enumerate(readers):
        client.force_login(reader)
        status, body, sql = get(client, item.url)
        assert status == 200 and "Rapat koordinasi" in body and "· Kegiatan" in body and "anggaran" in body
        if n:  # the article and the page row come from the cache; the new reader is counted
            assert not any("taggit_tag" in q for q in sql)
            assert any("INSERT" in q and "news_newsread" in q for q in sql)
    assert set(NewsRead.objects.filter(page=item).values_list("user_id", flat=True)) == {r.pk for r in readers}


def test_a_revisit_reads_no_article_and_no_read_mark(client, org, item):
    """Only Wagtail's routing reads the news item's row; the article and whether the reader was counted are kept."""
    client.force_login(person(org["SUB1"]))
    get(client, item.url)
    _status, _body, second = get(client, item.url)
    _status, _body, third = get(client, item.url)
    assert len(third) <= len(second)
    assert not [q for q in third if "taggit_tag" in q or "news_newsread" in q], third


def test_a_remembered_read_is_recorded_again_when_the_cache_lost_it(client, org, item):
    from django.core.cache import cache

    reader = person(org["SUB1"])
    client.force_login(reader)
    client.get(item.url)
    NewsRead.objects.filter(user=reader).delete()
    cache.clear()
    client.get(item.url)
    assert NewsRead.objects.filter(user=reader, page=item).count() == 1


@pytest.mark.parametrize("insider_first", [True, False])
def test_a_restricted_page_is_never_served_from_another_readers_copy(client, org, item, insider_first):
    restrict(item, Role.HR_OFFICER.value)
    insider, outsider = person(org["SUB1"], Role.HR_OFFICER), person(org["SUB1"])
    order = [(insider, True), (outsider, False)]
    for user, allowed in (order if insider_first else order[::-1]) * 2:
        client.force_login(user)
        status, body, _sql = get(client, item.url)
        assert (status == 200) is allowed
        assert ("Rapat koordinasi" in body) is allowed
    assert list(NewsRead.objects.filter(page=item).values_list("user_id", flat=True)) == [insider.pk]


def test_a_restriction_added_after_caching_applies_at_once(client, org, item):
    client.force_login(person(org["SUB1"]))
    assert get(client, item.url)[0] == 200
    assert get(client, item.url)[0] == 200
    restrict(item, Role.HR_OFFICER.value)
    status, body, _sql = get(client, item.url)
    assert status != 200 and "Rapat koordinasi" not in body


def test_an_edit_shows_at_once_and_unpublishing_ends_the_page(client, org, item):
    client.force_login(person(org["SUB1"]))
    get(client, item.url)
    assert "Isi pertama" not in get(client, item.url)[1]

    item.title = "Rapat koordinasi (revisi)"
    item.body = [("paragraph", "<p>Isi pertama</p>")]
    item.tags.add("revisi")
    item.save_revision().publish()
    _status, body, _sql = get(client, item.url)
    assert "Rapat koordinasi (revisi)" in body and "Isi pertama" in body and "revisi</p>" in body

    old_url = item.url
    item.slug = "rapat-koordinasi-revisi"
    item.save_revision().publish()
    item.refresh_from_db()
    assert get(client, old_url)[0] == 404 and get(client, item.url)[0] == 200

    item.unpublish()
    assert get(client, item.url)[0] == 404


def test_publishing_another_item_leaves_this_article_kept(client, org, item):
    """Communications staff publish every day: each publication (with its new tags) leaves other articles kept."""
    client.force_login(person(org["SUB1"]))
    get(client, item.url)
    other = add_news("Pengumuman baru", live=False)
    other.tags.add("tag baru")  # a new tag is in no published article yet
    other.save_revision().publish()  # bumps the news and pages generations: lists and routes are retired
    client.force_login(person(org["DIR2"]))  # a new reader: nothing of theirs remembered
    status, body, sql = get(client, item.url)
    assert status == 200 and "· Kegiatan" in body
    assert not any("taggit_tag" in q for q in sql), "the article is served from its copy"


def test_a_published_item_is_rendered_before_its_first_reader(client, org, django_capture_on_commit_callbacks):
    page = add_news("Pengumuman libur", live=False)
    page.tags.add("libur")
    with django_capture_on_commit_callbacks(execute=True):  # the render is enqueued once the publish commits
        page.save_revision().publish()
    page.refresh_from_db()
    client.force_login(person(org["SUB1"]))
    for language, tags in (("id", "Tag: libur"), ("en", "Tags: libur")):  # one copy per interface language
        with queries() as q:
            response = client.get(page.url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200 and tags in response.content.decode()
        assert not q.touching("taggit_tag"), language


def test_rendering_for_an_unpublished_item_keeps_nothing(org):
    from cms.news.services import keep_rendered_articles

    page = add_news("Ditarik", live=False)
    assert keep_rendered_articles(page.pk) == 0


def test_what_an_article_shows_of_other_things_shows_at_once(client, org, item, django_capture_on_commit_callbacks):
    """A kept article names a category, tags and other pages' addresses: a change to any of them retires it."""
    target = add_news("Panduan cuti", live=False)
    target.save_revision().publish()
    item.body = [("paragraph", f'<p>Lihat <a linktype="page" id="{target.pk}">panduan</a>.</p>')]
    item.save_revision().publish()
    item.refresh_from_db()
    client.force_login(person(org["SUB1"]))
    body = get(client, item.url)[1]
    assert 'href="/berita/panduan-cuti/"' in body and "· Kegiatan" in body
    get(client, item.url)  # served from the copy

    target.slug = "panduan-cuti-2027"
    with django_capture_on_commit_callbacks(execute=True):  # Wagtail tells of a new slug once it is committed
        target.save_revision().publish()
    assert 'href="/berita/panduan-cuti-2027/"' in get(client, item.url)[1]

    category = NewsCategory.objects.get(pk=item.category_id)
    category.name_id = "Kegiatan Dinas"
    category.save()
    assert "· Kegiatan Dinas" in get(client, item.url)[1]

    from taggit.models import Tag

    tag = Tag.objects.get(name="anggaran")
    tag.name = "anggaran 2027"
    tag.save()
    assert "anggaran 2027" in get(client, item.url)[1]


def test_a_preview_is_never_kept_nor_served_from_the_cache(client, org, item):
    editor = person(org["DIR1"], Role.EDITOR)
    reader = person(org["SUB1"])
    client.force_login(reader)
    get(client, item.url)  # the live article is kept

    item.title = "Judul draf"
    item.body = [("paragraph", "<p>Isi draf</p>")]
    item.save_revision()  # a draft, not published
    draft = item.get_latest_revision_as_object()
    client.force_login(editor)
    original = client.get("/").wsgi_request
    original.user = editor
    preview = draft.make_preview_request(original_request=original)
    preview.render()
    assert "Judul draf" in preview.content.decode() and "Isi draf" in preview.content.decode()

    client.force_login(reader)
    _status, body, _sql = get(client, item.url)
    assert "Rapat koordinasi" in body and "Judul draf" not in body and "Isi draf" not in body


def test_kept_copies_carry_nothing_of_the_request_or_the_reader(client, org, item, settings):
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "copies"}}
    reader = person(org["SUB1"], username="pembaca.khusus")
    reader.first_name, reader.last_name = "Sekar", "Mayangsari"
    reader.save()
    client.force_login(reader)
    for url in ("/berita/", item.url, "/berita/", item.url):
        assert client.get(url).status_code == 200
    copies = {k: v for k, v in cache._cache.items() if ":cms:news:list:" in k or ":cms:news:article:" in k}
    assert len(copies) == 2
    for value in copies.values():
        assert b"csrfmiddlewaretoken" not in value and b"Mayangsari" not in value and b"pembaca.khusus" not in value
        assert b"Rapat koordinasi" in value


def test_pages_work_the_same_without_a_cache(client, org, item, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    add_news("Khusus Direktorat Dua", units=[org["DIR2"]])
    reader = person(org["SUB1"])
    client.force_login(reader)
    for _visit in range(2):
        assert titles(client) == ["Rapat koordinasi"]
        status, body, _sql = get(client, item.url)
        assert status == 200 and "· Kegiatan" in body
    assert NewsRead.objects.filter(page=item, user=reader).count() == 1
