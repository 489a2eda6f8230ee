"""With DEBUG off, errors answer with Serambi's own pages, in the reader's language: 400, 403, 404, 500 and the CSRF
failure. The 500 page renders while the database is unreachable."""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.urls import path
from django.utils import translation
from django.views import defaults

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("boom")


def _denied(request):
    raise PermissionDenied


def _bad(request):
    raise SuspiciousOperation("bad")


urlpatterns = [path("boom/", _boom), path("denied/", _denied), path("bad/", _bad)]


def _brand_page(response, heading: str):
    html = response.content.decode()
    assert '<a class="brand" href="/">' in html and "serambi.css" in html
    assert heading in html
    assert "Django" not in html
    return html


def test_not_found_is_branded_and_indonesian_by_default():
    client = Client()
    client.force_login(UserFactory())
    response = client.get("/tidak-ada-halaman-ini/")
    assert response.status_code == 404
    _brand_page(response, "Halaman tidak ditemukan")


def test_not_found_in_english_for_an_english_reader():
    client = Client()
    client.force_login(UserFactory())
    client.cookies["django_language"] = "en"
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    _brand_page(response, "Page not found")


@override_settings(ROOT_URLCONF=__name__)
def test_permission_denied_and_bad_request_are_branded():
    client = Client()
    client.force_login(UserFactory())
    assert _brand_page(client.get("/denied/"), "Anda tidak memiliki akses ke halaman ini")
    response = client.get("/bad/")
    assert response.status_code == 400
    _brand_page(response, "Permintaan tidak dapat dipahami")


@override_settings(ROOT_URLCONF=__name__)
def test_server_error_is_branded():
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    response = client.get("/boom/")
    assert response.status_code == 500
    _brand_page(response, "Terjadi kesalahan di sisi kami")


def test_server_error_page_renders_without_the_database():
    def refuse(execute, sql, params, many, context):
        raise AssertionError("the 500 page must not query the database")

    request = RequestFactory().get("/")
    with translation.override("id"), connection.execute_wrapper(refuse):
        response = defaults.server_error(request)
    assert response.status_code == 500
    assert "Terjadi kesalahan di sisi kami" in response.content.decode()


def test_csrf_failure_is_branded_and_says_nothing_was_saved():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/akun/masuk/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    html = _brand_page(response, "Formulir sudah kedaluwarsa")
    assert "Tidak ada yang disimpan" in html
