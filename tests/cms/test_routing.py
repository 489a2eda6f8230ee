"""Page routing: the section index behind a named route is kept (`cms.base.pages.section_page`) and found again
without a query; publishing, unpublishing, renaming and restricting a section show at once."""

import pytest

from cms.news.models import NewsIndexPage
from cms.training.models import TrainingIndexPage
from intranet.accounts.roles import Role
from tests.cms.conftest import add_news, person, restrict, section
from tests.query_bounds import queries

pytestmark = pytest.mark.django_db


def get(client, url):
    """(status, SQL that read the page tree's base table)."""
    with queries() as q:
        response = client.get(url)
    return response.status_code, q.touching("wagtailcore_page")


@pytest.fixture
def item(org):
    page = add_news("Rapat koordinasi", live=False)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def test_the_section_index_behind_a_named_route_is_kept(client, org, item):
    client.force_login(person(org["SUB1"]))
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


def test_a_restriction_on_a_section_applies_at_once(client, org, item):
    client.force_login(person(org["SUB1"]))
    assert get(client, item.url)[0] == 200
    restrict(section(NewsIndexPage), Role.HR_OFFICER.value)
    assert get(client, item.url)[0] != 200
    client.force_login(person(org["SUB1"], Role.HR_OFFICER))
    assert get(client, item.url)[0] == 200


def test_sections_route_by_their_own_slug(client, org, item):
    """Two sections, each under its own slug; an unknown address is a 404."""
    client.force_login(person(org["SUB1"]))
    training = section(TrainingIndexPage)
    for _round in range(2):
        assert get(client, item.url)[0] == 200
        assert get(client, training.url)[0] == 200
        assert get(client, "/tidak-ada/")[0] == 404
