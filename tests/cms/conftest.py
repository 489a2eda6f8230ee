"""Helpers for the CMS tests: section pages come from the migration (home → berita / pelatihan / kebijakan)."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils.text import slugify
from wagtail.models import Locale, PageViewRestriction

from cms.news.models import NewsIndexPage, NewsPage
from cms.policies.models import PolicyIndexPage, PolicyPage
from cms.training.models import CourseModule, CoursePage, QuizQuestion, TrainingIndexPage
from tests import factories


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The CMS tests create many accounts; a fast hasher keeps them quick (passwords are not under test here)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def section(model):
    return model.objects.get(locale__language_code="id")


def _target(page, units=(), roles=(), include_subunits=True):
    if units or roles:
        page.audience_everyone = False
        page.audience_include_subunits = include_subunits
        page.audience_units.set(list(units))
        page.audience_roles.set(list(Group.objects.filter(name__in=[r.value for r in roles])))
        page.save()
    return page


def add_news(title, *, units=(), roles=(), include_subunits=True, **fields):
    page = NewsPage(title=title, slug=fields.pop("slug", slugify(title)), **fields)
    section(NewsIndexPage).add_child(instance=page)
    return _target(page, units, roles, include_subunits)


def add_policy(title, *, units=(), roles=(), publish=True, **fields):
    page = PolicyPage(title=title, slug=slugify(title), live=False, **fields)
    section(PolicyIndexPage).add_child(instance=page)
    _target(page, units, roles)
    if publish:
        page.save_revision().publish()
        page.refresh_from_db()
    return page


def add_course(title, *, modules=2, questions=(), units=(), roles=(), **fields):
    page = CoursePage(title=title, slug=slugify(title), **fields)
    for i in range(modules):
        page.modules.add(CourseModule(title=f"Modul {i + 1}", body="<p>Isi modul</p>"))
    for text, choices, correct in questions:
        page.questions.add(QuizQuestion(question=text, choices="\n".join(choices), correct_choice=correct))
    section(TrainingIndexPage).add_child(instance=page)
    return _target(page, units, roles)


def restrict(page, *group_names):
    r = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    r.groups.set(Group.objects.filter(name__in=group_names))
    return r


def translate(page, language_code="en", **changes):
    """An English translation of `page` (parents copied as aliases if needed), published, with `changes`."""
    locale = Locale.objects.get(language_code=language_code)
    translated = page.copy_for_translation(locale, copy_parents=True)
    for k, v in changes.items():
        setattr(translated, k, v)
    translated.save_revision().publish()
    translated.refresh_from_db()
    return translated


def person(unit, *roles, username=None):
    kwargs = {"unit": unit, "roles": list(roles)}
    if username:
        kwargs["user__username"] = username
    return factories.EmployeeFactory(**kwargs).user


TODAY = dt.date(2026, 12, 1)
