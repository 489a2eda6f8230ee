"""Editorial workflow: Editors draft and submit, Moderators publish; "Moderator review" on the sections; scheduled
publishing and unpublishing through the beat task."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import nested_form_data, streamfield

from cms.news.models import NewsIndexPage, NewsPage
from cms.policies.models import PolicyIndexPage
from cms.training.models import TrainingIndexPage
from intranet.accounts.roles import Role
from intranet.core.tasks import publish_scheduled

from .conftest import add_news, person, section

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [NewsIndexPage, TrainingIndexPage, PolicyIndexPage])
def test_sections_have_the_moderator_review_workflow(model):
    page = section(model)
    workflow = page.get_workflow()
    assert workflow is not None and workflow.name == "Moderator review"
    task = workflow.tasks.get().specific
    assert list(task.groups.values_list("name", flat=True)) == [Role.MODERATOR.value]


def test_editors_cannot_publish_moderators_can(org):
    editor = person(org["SUB1"], Role.EDITOR)
    moderator = person(org["SUB1"], Role.MODERATOR)
    reader = person(org["SUB1"])
    news = add_news("Draf berita")
    for model in (NewsIndexPage, TrainingIndexPage, PolicyIndexPage):
        perms = section(model).permissions_for_user(editor)
        assert perms.can_add_subpage() and not perms.can_publish_subpage()
        assert section(model).permissions_for_user(moderator).can_publish_subpage()
    assert news.permissions_for_user(editor).can_edit()
    assert not news.permissions_for_user(editor).can_publish()
    assert news.permissions_for_user(moderator).can_publish()
    assert not news.permissions_for_user(reader).can_edit()


def _edit_data(page, **changes):
    data = {
        "title": page.title,
        "slug": page.slug,
        "date": page.date.isoformat(),
        "intro": page.intro,
        "body": streamfield([]),
        "tags": "",
        "audience_everyone": "on",
        "audience_include_subunits": "on",
    }
    data.update(changes)
    return nested_form_data(data)


def test_editor_publish_attempt_through_admin_only_saves_a_draft(client, org):
    editor = person(org["SUB1"], Role.EDITOR)
    page = add_news("Judul asli")
    client.force_login(editor)
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert client.get(url).status_code == 200
    data = _edit_data(page, title="Judul diubah editor")
    data["action-publish"] = "action-publish"
    r = client.post(url, data)
    assert r.status_code in (200, 302)
    page.refresh_from_db()
    assert page.title == "Judul asli"  # live version untouched
    assert page.has_unpublished_changes
    assert page.get_latest_revision_as_object().title == "Judul diubah editor"


def test_editor_submits_to_moderator_review_and_moderator_approves(client, org):
    editor = person(org["SUB1"], Role.EDITOR)
    moderator = person(org["SUB1"], Role.MODERATOR)
    page = add_news("Untuk ditinjau")
    client.force_login(editor)
    data = _edit_data(page, title="Untuk ditinjau (revisi)")
    data["action-submit"] = "action-submit"
    client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)
    page.refresh_from_db()
    state = page.current_workflow_state
    assert state is not None and state.workflow.name == "Moderator review"
    assert page.title == "Untuk ditinjau"
    task_state = state.current_task_state
    task_state.task.specific.on_action(task_state, moderator, "approve")
    page.refresh_from_db()
    assert page.title == "Untuk ditinjau (revisi)" and page.live


def test_scheduled_publishing_and_unpublishing(org):
    page = add_news("Terjadwal", live=False)
    revision = page.save_revision(approved_go_live_at=timezone.now() - dt.timedelta(minutes=1))
    page.refresh_from_db()
    assert not page.live
    publish_scheduled()
    page.refresh_from_db()
    assert page.live and page.live_revision_id == revision.pk

    NewsPage.objects.filter(pk=page.pk).update(expire_at=timezone.now() - dt.timedelta(minutes=1))
    publish_scheduled()
    page.refresh_from_db()
    assert not page.live and page.expired
