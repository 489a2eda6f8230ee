"""News: audience targeting (unit subtree, roles), privacy in lists/dashboard/page, pinned order, reach counts."""

import datetime as dt

import pytest
from django.test import RequestFactory
from django.utils import timezone

from cms.news.dashboard import panel_items
from cms.news.models import NewsRead
from cms.news.selectors import news_for, reach
from intranet.accounts.roles import Role

from .conftest import add_news, person, restrict

pytestmark = pytest.mark.django_db


def titles(user):
    return {p.title for p in news_for(user)}


def test_targeting_by_unit_subtree_and_roles(org):
    in_sub1 = person(org["SUB1"])  # SUB1 lies under DIR1 under DJ1
    in_dir2 = person(org["DIR2"])
    editor = person(org["DIR2"], Role.EDITOR)
    add_news("Untuk semua")
    add_news("Untuk DIR1 dan bawahannya", units=[org["DIR1"]], include_subunits=True)
    add_news("Hanya DIR1 sendiri", units=[org["DIR1"]], include_subunits=False)
    add_news("Untuk SUB1", units=[org["SUB1"]], include_subunits=False)
    add_news("Untuk editor", roles=[Role.EDITOR])
    add_news("DJ1 atau editor", units=[org["DJ1"]], roles=[Role.EDITOR])

    assert titles(in_sub1) == {"Untuk semua", "Untuk DIR1 dan bawahannya", "Untuk SUB1", "DJ1 atau editor"}
    assert titles(in_dir2) == {"Untuk semua", "DJ1 atau editor"}
    assert titles(editor) == {"Untuk semua", "Untuk editor", "DJ1 atau editor"}


def test_untargeted_staff_do_not_see_it_in_index_or_dashboard_but_may_open_it(client, org):
    reader = person(org["DIR2"])
    page = add_news("Khusus Direktorat Satu", units=[org["DIR1"]])
    add_news("Pengumuman umum")
    client.force_login(reader)
    assert "Khusus Direktorat Satu" not in client.get("/berita/").content.decode()
    assert "Khusus Direktorat Satu" not in client.get("/").content.decode()
    assert "Pengumuman umum" in client.get("/").content.decode()
    # targeting is relevance, not privacy: the page itself opens
    assert client.get(page.url).status_code == 200


def test_privacy_restricted_news_never_listed_nor_opened(client, org):
    outsider = person(org["SUB1"])
    insider = person(org["SUB1"], Role.HR_OFFICER)
    page = add_news("Rahasia kepegawaian")
    restrict(page, Role.HR_OFFICER.value)
    client.force_login(outsider)
    for url in ("/berita/", "/", "/cari/?q=Rahasia"):
        assert "Rahasia kepegawaian" not in client.get(url).content.decode(), url
    assert client.get(page.url).status_code in (302, 403, 404)
    assert "Rahasia kepegawaian" not in titles(outsider)

    client.force_login(insider)
    assert "Rahasia kepegawaian" in client.get("/berita/").content.decode()
    assert client.get(page.url).status_code == 200


def test_restriction_on_parent_hides_children(org):
    reader = person(org["SUB1"])
    add_news("Terbuka")
    from cms.news.models import NewsIndexPage

    from .conftest import section

    restrict(section(NewsIndexPage), Role.ADMINISTRATOR.value)
    assert titles(reader) == set()


def test_pinned_first_until_date(org):
    reader = person(org["SUB1"])
    today = timezone.localdate()
    add_news("Lama tapi disematkan", date=today - dt.timedelta(days=30), pinned_until=today + dt.timedelta(days=1))
    add_news("Kedaluwarsa sematan", date=today - dt.timedelta(days=20), pinned_until=today - dt.timedelta(days=1))
    add_news("Terbaru", date=today)
    assert [p.title for p in news_for(reader)] == ["Lama tapi disematkan", "Terbaru", "Kedaluwarsa sematan"]


def test_category_filter(client, org):
    from cms.news.models import NewsCategory

    cat = NewsCategory.objects.create(slug="kepegawaian", name_id="Kepegawaian", name_en="Staffing")
    add_news("Berita kepegawaian", category=cat)
    add_news("Berita lain")
    client.force_login(person(org["SUB1"]))
    body = client.get("/berita/?kategori=kepegawaian").content.decode()
    assert "Berita kepegawaian" in body and "Berita lain" not in body


def test_reach_counts_unique_readers_of_the_audience(client, org):
    a, b = person(org["SUB1"]), person(org["SUB1"])
    outsider = person(org["DIR2"])
    person(org["DIR1"])
    page = add_news("Sosialisasi", units=[org["DIR1"]])  # audience: DIR1 + SUB1 = 3 people
    for user in (a, a, b, outsider):
        client.force_login(user)
        assert client.get(page.url).status_code == 200
    assert NewsRead.objects.filter(page=page).count() == 3  # a once, b, outsider
    r = reach(page)
    assert r == {"readers": 3, "reached": 2, "audience": 3, "percent": 66.7}


def test_reach_visible_to_editors_only(client, org):
    page = add_news("Capaian")
    client.force_login(person(org["SUB1"]))
    assert 'data-testid="news-reach"' not in client.get(page.url).content.decode()
    client.force_login(person(org["SUB1"], Role.EDITOR))
    assert 'data-testid="news-reach"' in client.get(page.url).content.decode()


def panel_titles(user) -> list[str]:
    request = RequestFactory().get("/")
    request.user = user
    return [item["title"] for item in panel_items(request)]


def test_dashboard_cache_is_invalidated_on_publish(org):
    reader = person(org["SUB1"])
    add_news("Pertama")
    assert panel_titles(reader) == ["Pertama"]
    page = add_news("Kedua", live=False)
    reader = type(reader).objects.get(pk=reader.pk)
    assert "Kedua" not in panel_titles(reader)
    page.save_revision().publish()
    reader = type(reader).objects.get(pk=reader.pk)
    assert "Kedua" in panel_titles(reader)
