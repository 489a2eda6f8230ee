"""cms/home/locales.py: the active Locale is remembered per process, per language, and forgotten on change."""

import pytest
from django.utils import translation
from wagtail.models import Locale

from cms.home import locales
from tests.query_bounds import queries

pytestmark = pytest.mark.django_db


def test_active_locale_follows_the_language_and_is_looked_up_once():
    Locale.objects.get_or_create(language_code="id")
    Locale.objects.get_or_create(language_code="en")  # saving a Locale forgets what was remembered
    with translation.override("en"):
        assert Locale.get_active().language_code == "en"
        with queries(at_most=0):
            assert Locale.get_active().language_code == "en"
    with translation.override("id"):
        assert Locale.get_active().language_code == "id"


def test_a_deleted_locale_is_forgotten():
    en, _ = Locale.objects.get_or_create(language_code="en")
    with translation.override("en"):
        assert Locale.get_active().pk == en.pk
        en.delete()
        assert "en" not in locales._found
        assert Locale.get_active().language_code == "id"  # Wagtail's fallback: the default language
