"""Languages: a reader sees their language's version, falls back to Indonesian, and the switch keeps the page."""

import pytest

from cms.news.models import NewsIndexPage
from cms.news.selectors import news_for

from .conftest import add_news, person, section, translate

pytestmark = pytest.mark.django_db


def test_english_reader_sees_translation_and_falls_back(client, org):
    translated = add_news("Rapat kerja nasional", intro="Ringkasan")
    translate(translated, title="National working meeting")
    untranslated = add_news("Hari Bakti Rimbawan")
    client.force_login(person(org["SUB1"]))

    client.cookies["django_language"] = "en"
    index = client.get("/berita/").content.decode()
    assert "National working meeting" in index and "Hari Bakti Rimbawan" in index
    assert "Rapat kerja nasional" not in index
    r = client.get(translated.url)
    assert r.status_code == 200 and "National working meeting" in r.content.decode()
    r = client.get(untranslated.url)  # no English version: the Indonesian page, not a 404
    assert r.status_code == 200 and "Hari Bakti Rimbawan" in r.content.decode()

    client.cookies["django_language"] = "id"
    r = client.get(translated.url)
    assert "Rapat kerja nasional" in r.content.decode()


def test_language_switch_keeps_the_page(client, org):
    page = add_news("Apel pagi")
    translate(page, title="Morning assembly")
    client.force_login(person(org["SUB1"]))
    r = client.post("/i18n/setlang/", {"language": "en", "next": page.url})
    assert r.status_code == 302 and r["Location"] == page.url
    assert "Morning assembly" in client.get(page.url).content.decode()


def test_lists_count_each_item_once_whatever_the_translations(org):
    page = add_news("Satu kali")
    translate(page, title="Only once")
    assert [p.title for p in news_for(person(org["SUB1"]))] == ["Satu kali"]
    assert section(NewsIndexPage).get_translations().filter(locale__language_code="en").exists()


def test_translation_of_restricted_page_is_private_too(client, org):
    from intranet.accounts.roles import Role

    from .conftest import restrict

    page = add_news("Hanya SDM")
    en = translate(page, title="HR only")
    restrict(page, Role.HR_OFFICER.value)
    client.force_login(person(org["SUB1"]))
    client.cookies["django_language"] = "en"
    r = client.get(en.url)
    assert r.status_code in (302, 403, 404)
    assert "HR only" not in r.content.decode()
