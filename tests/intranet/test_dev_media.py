"""`dev.py up` serves news images the way nginx does in production, and nothing else; Wagtail asks no third party for
avatars."""

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404
from django.urls import Resolver404, URLResolver
from django.urls.resolvers import RegexPattern

from intranet.core.dev_media import media_urlpatterns


def _resolver(debug=True):
    return URLResolver(RegexPattern(r"^/"), media_urlpatterns(debug=debug))


def _get(rf, resolver, url):
    match = resolver.resolve(url)
    return match.func(rf.get(url), *match.args, **match.kwargs)


def test_renditions_are_served_with_debug_on(settings, rf):
    (settings.MEDIA_ROOT / "images").mkdir(parents=True)
    (settings.MEDIA_ROOT / "images" / "apel.width-400.jpg").write_bytes(b"\xff\xd8\xff jpeg")
    response = _get(rf, _resolver(), "/media/images/apel.width-400.jpg")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\xff\xd8\xff jpeg"


def test_nothing_else_under_media_and_nothing_with_debug_off(settings, rf):
    (settings.MEDIA_ROOT / "original_images").mkdir(parents=True)
    (settings.MEDIA_ROOT / "original_images" / "apel.jpg").write_bytes(b"original")
    (settings.MEDIA_ROOT / "images").mkdir()
    (settings.MEDIA_ROOT / "images" / "a.jpg").write_bytes(b"x")
    resolver = _resolver()
    for url in ("/media/original_images/apel.jpg", "/media/documents/sk.pdf", "/media/photos/1.jpg"):
        with pytest.raises(Resolver404):
            resolver.resolve(url)
    with pytest.raises((Http404, SuspiciousFileOperation)):  # Django answers 400 to the latter
        _get(rf, resolver, "/media/images/../original_images/apel.jpg")
    assert media_urlpatterns(debug=False) == []
    with pytest.raises(Resolver404):
        _resolver(debug=False).resolve("/media/images/a.jpg")


def test_a_private_root_inside_the_public_folder_is_never_served(settings):
    settings.PRIVATE_MEDIA_ROOT = settings.MEDIA_ROOT / "images" / "private"
    assert media_urlpatterns(debug=True) == []


@pytest.mark.django_db
def test_wagtail_asks_no_gravatar(settings):
    from wagtail.admin.templatetags.wagtailadmin_tags import avatar_url

    from tests.factories import UserFactory

    assert settings.WAGTAIL_GRAVATAR_PROVIDER_URL is None
    url = avatar_url(UserFactory(email="siti@kementerian.go.id"))
    assert "gravatar" not in url and not url.startswith(("http:", "https:", "//")), url
