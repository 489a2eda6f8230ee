"""Page routing from the cache (`cms.base.routing`): a revisit finds the section a path starts with, and the section
index behind a named route, without a query; publishing, unpublishing, renaming, moving and restricting a section
show at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.news.models import NewsIndexPage
from cms.training.models import TrainingIndexPage
from intranet.accounts.roles import Role
from tests.cms.conftest import add_news, person, restrict, section

pytestmark = pytest.mark.django_db


def get(client, url):
    """(status, SQL that read the page tree's base table)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response.status_code, [q["sql"] for q in ctx.captured_queries if "wagtailcore_page" in q["sql"]]


@pytest.fixture
def item(org):
    page = add_news("Rapat koordinasi", live=False)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def test_a_revisit_routes_through_the_section_without_a_query(client, org, item):
    client.force_login(person(org["SUB1"]))
    assert get(client, item.url)[0] == 200
    status, tree_sql = get(client, item.url)
    assert status == 200
    assert not [q for q in tree_sql if "'berita'" in q], "the section is routed from the cache"
    assert get(client, "/berita/")[0] == 200
    status, tree_sql = get(client, "/berita/")
    assert status == 200 and tree_sql == [], "the section index behind the named route comes from the cache"


def test_a_renamed_section_routes_under_its_new_slug_at_once(client, org, item, django_capture_on_commit_callbacks):
    client.force_login(person(org["SUB1"]))
    news = section(NewsIndexPage)
    assert get(client, item.url)[0] == 200
    with django_capture_on_commit_callbacks(execute=True):
        news.slug = "kabar"
        news.save_revision().publish()
    item.refresh_from_db()
    assert item.url.startswith("/kabar/")
    old = client.get("/berita/rapat-koordinasi/")  # no longer routed: Wagtail's redirect of the old address answers
    assert old.status_code == 301 and old["Location"].endswith(item.url)
    assert get(client, item.url)[0] == 200


def test_an_unpublished_section_is_served_no_more_at_once(client, org, item, django_capture_on_commit_callbacks):
    client.force_login(person(org["SUB1"]))
    news = section(NewsIndexPage)
    assert get(client, news.url)[0] == 200 and get(client, "/berita/")[0] == 200
    with django_capture_on_commit_callbacks(execute=True):
        news.unpublish()
    assert get(client, news.url)[0] == 404  # as Wagtail routes: only the page a path ends at must be live
    assert get(client, "/berita/")[0] == 404


def test_a_restriction_on_a_section_applies_to_a_kept_route_at_once(client, org, item):
    client.force_login(person(org["SUB1"]))
    assert get(client, item.url)[0] == 200
    restrict(section(NewsIndexPage), Role.HR_OFFICER.value)
    assert get(client, item.url)[0] != 200
    client.force_login(person(org["SUB1"], Role.HR_OFFICER))
    assert get(client, item.url)[0] == 200


def test_routes_are_kept_per_parent_and_slug(client, org, item):
    """Two sections, each kept under its own slug; an unknown address is a 404 and is not remembered."""
    client.force_login(person(org["SUB1"]))
    training = section(TrainingIndexPage)
    for _round in range(2):
        assert get(client, item.url)[0] == 200
        assert get(client, training.url)[0] == 200
        assert get(client, "/tidak-ada/")[0] == 404
