from django.urls import reverse

from cms.news.models import NewsPage

from .conftest import add_news, person


def test_sections_and_navigation(client, org):
    user = person(org["SUB1"])
    client.force_login(user)
    add_news("Rapat Koordinasi Nasional", intro="Ringkasan rapat")
    assert reverse("news:index") == "/berita/"
    r = client.get("/berita/")
    assert r.status_code == 200
    assert "Rapat Koordinasi Nasional" in r.content.decode()
    r = client.get("/")
    assert r.status_code == 200, r.content[:2000]
    assert "Rapat Koordinasi Nasional" in r.content.decode()
    page = NewsPage.objects.get()
    r = client.get(page.url)
    assert r.status_code == 200
    for name in ("training:index", "policies:index", "search:index"):
        assert client.get(reverse(name)).status_code == 200
