"""An intranet: every URL needs a login except the login page, static files, /healthz and the language switch."""

import pytest

from tests.intranet.security.routes import (
    PUBLIC,
    PUBLIC_DOCS,
    SHADOWED,
    all_routes,
    is_token_route,
)
from tests.intranet.security.routes import sample_path as _sample_path

ALL_ROUTES = all_routes()
_is_token_route = is_token_route


ROUTES = [r for r in ALL_ROUTES if r[1] not in PUBLIC | SHADOWED and not _is_token_route(*r)]
TOKEN_ROUTES = [r for r in ALL_ROUTES if _is_token_route(*r) and r[1] not in PUBLIC_DOCS]


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name"), ROUTES, ids=[r[0] or "/" for r in ROUTES])
def test_every_non_public_url_redirects_anonymous_users_to_login(client, route, name, org):
    path = _sample_path(route)
    response = client.get(path, follow=True)
    assert response.redirect_chain, f"{path} ({name}) answered {response.status_code} to an anonymous user"
    assert response.request["PATH_INFO"] == "/akun/masuk/", f"{path} ({name}) led to {response.request['PATH_INFO']}"


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name"), TOKEN_ROUTES, ids=[r[0] for r in TOKEN_ROUTES])
def test_token_routes_refuse_anonymous_and_session_callers(client, route, name, org):
    path = _sample_path(route)
    response = client.get(path)
    assert response.status_code in (401, 403, 404, 405), f"{path} ({name}) answered {response.status_code} without a token"
    from tests.factories import EmployeeFactory

    client.force_login(EmployeeFactory(unit=org["DIR1"]).user)  # a session cookie is not an API credential
    response = client.get(path)
    assert response.status_code in (401, 403, 404, 405), f"{path} ({name}) answered {response.status_code} to a session"


@pytest.mark.django_db
def test_the_public_allow_list_is_small_and_reachable(client):
    public = {(route, name) for route, name in ALL_ROUTES if name in PUBLIC}
    assert {name for _route, name in public} == PUBLIC
    for route, name in public:
        if name == "set_language":
            continue  # POST only; tested below
        if name == "issued:verify":  # for recipients of issued documents: an unknown code, answered without a login
            response = client.get(_sample_path(route))
            assert response.status_code == 404 and b'data-testid="verify-unknown"' in response.content, name
            continue
        response = client.get(_sample_path(route), follow=True)
        assert response.status_code == 200, name
        assert response.request["PATH_INFO"] in ("/akun/masuk/", "/healthz"), name
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/akun/masuk/"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_healthz_reports_database_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


@pytest.mark.django_db
def test_healthz_is_503_when_the_cache_is_unreachable(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    from django.core.cache import caches

    caches._settings = caches.settings = settings.CACHES  # rebuild the handler with the dead server
    try:
        del caches._connections.default
    except AttributeError:
        pass
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "unavailable"


@pytest.mark.django_db
def test_login_page_and_static_files_are_public(client):
    assert client.get("/akun/masuk/").status_code == 200


@pytest.mark.django_db
def test_login_with_local_account_and_logout_by_post_only(client, org):
    from tests.factories import EmployeeFactory

    emp = EmployeeFactory(unit=org["DIR1"])
    response = client.post("/akun/masuk/", {"username": emp.user.username.upper(), "password": "correct-horse-battery"})
    assert response.status_code == 302, "usernames are case-insensitive"
    assert client.get("/direktori/").status_code == 200
    assert client.get("/akun/keluar/").status_code == 405
    client.post("/akun/keluar/")
    assert client.get("/direktori/").status_code == 302


@pytest.mark.django_db
def test_wrong_password_shows_one_generic_translated_message(client, org):
    from tests.factories import EmployeeFactory

    emp = EmployeeFactory(unit=org["DIR1"])
    wrong = client.post("/akun/masuk/", {"username": emp.user.username, "password": "nope"}, HTTP_ACCEPT_LANGUAGE="id")
    unknown = client.post("/akun/masuk/", {"username": "nobody", "password": "nope"}, HTTP_ACCEPT_LANGUAGE="id")
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
