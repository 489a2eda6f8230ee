"""Home dashboard: panels, site alert banner, quick links."""

import pytest

from cms.home.models import SiteAlert

from .conftest import person

pytestmark = pytest.mark.django_db


def test_alert_banner_switch(client, org):
    client.force_login(person(org["SUB1"]))
    assert 'data-testid="site-alert"' not in client.get("/").content.decode()
    alert = SiteAlert.load()
    alert.enabled = True
    alert.message_id = "Pemeliharaan sistem Sabtu pukul 22.00"
    alert.message_en = "System maintenance on Saturday at 22:00"
    alert.save()
    body = client.get("/direktori/").content.decode()
    assert 'data-testid="site-alert"' in body and "Pemeliharaan sistem" in body
    client.cookies["django_language"] = "en"
    assert "System maintenance" in client.get("/").content.decode()
    alert.enabled = False
    alert.save()
    assert 'data-testid="site-alert"' not in client.get("/").content.decode()


def test_dashboard_renders_panels_and_quick_links(client, org):
    client.force_login(person(org["SUB1"]))
    body = client.get("/").content.decode()
    assert 'data-testid="panel-news"' in body and 'data-testid="panel-links"' in body


def test_review_by_reminders_to_the_content_owner(org, settings):
    import datetime as dt

    from cms.home.services import send_review_reminders
    from intranet.notifications.models import Notification

    from .conftest import TODAY, add_news

    settings.SERAMBI_REVIEW_REMINDER_DAYS = 14
    owner = person(org["SUB1"])
    add_news("Perlu ditinjau", content_owner=owner, review_by=TODAY + dt.timedelta(days=14))
    add_news("Sudah lewat", content_owner=owner, review_by=TODAY - dt.timedelta(days=1))
    add_news("Masih lama", content_owner=owner, review_by=TODAY + dt.timedelta(days=60))
    assert send_review_reminders(today=TODAY) == 2
    assert send_review_reminders(today=TODAY) == 0  # idempotent the same day
    titles = sorted(Notification.objects.filter(recipient=owner, kind="cms.review").values_list("title", flat=True))
    assert len(titles) == 2 and any("Perlu ditinjau" in t for t in titles)


def test_beat_schedule_has_cms_tasks():
    from intranet.celery import BEAT_SCHEDULE

    tasks = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert {"training.send_reminders", "cms.review_reminders", "core.publish_scheduled"} <= tasks


def test_navigation_lists_the_page_sections(client, org):
    client.force_login(person(org["SUB1"]))
    body = client.get("/").content.decode()
    for key in ("news", "training", "policies"):
        assert f'data-testid="nav-{key}"' in body


def test_editors_can_switch_the_alert_in_the_admin(client, org):
    from intranet.accounts.roles import Role

    client.force_login(person(org["SUB1"], Role.EDITOR))
    r = client.get("/cms-admin/settings/home/sitealert/", follow=True)
    assert r.status_code == 200 and "message_id" in r.content.decode()
    client.force_login(person(org["SUB1"]))
    r = client.get("/cms-admin/settings/home/sitealert/")
    assert r.status_code in (302, 403)


def _dashboard_queries(client):
    from tests.query_bounds import queries

    with queries() as q:
        body = client.get("/").content.decode()
    return len(q), body


def test_dashboard_is_cached_and_retired_by_the_readers_writes_and_notifications(
    client, org, django_capture_on_commit_callbacks
):
    from intranet.notifications.services import notify

    user = person(org["SUB1"])
    other = person(org["SUB1"])
    client.force_login(user)
    cold, _ = _dashboard_queries(client)
    warm, body = _dashboard_queries(client)
    assert warm < cold  # the panels came from the cache
    # a notification to someone else leaves this reader's copy alone; one to the reader retires it
    with django_capture_on_commit_callbacks(execute=True):
        notify(other, "test.event", "Untuk orang lain")
    assert _dashboard_queries(client)[0] <= warm
    with django_capture_on_commit_callbacks(execute=True):
        notify(user, "test.event", "Untuk Anda")
    assert _dashboard_queries(client)[0] > warm  # panels collected again
    # any write by the reader (here: the language switch) retires it too
    assert _dashboard_queries(client)[0] <= warm
    client.post("/i18n/setlang/", {"language": "id", "next": "/"})
    assert _dashboard_queries(client)[0] > warm


def test_dashboard_cache_is_per_reader_and_retired_by_a_publish(client, org, django_capture_on_commit_callbacks):
    from .conftest import add_policy

    reader, outsider = person(org["SUB1"]), person(org["DIR2"])
    for user in (reader, outsider):  # both copies cached before the publish
        client.force_login(user)
        assert "Pedoman Lembur" not in client.get("/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        add_policy("Pedoman Lembur", units=[org["SUB1"]])
    client.force_login(reader)
    assert "Pedoman Lembur" in client.get("/").content.decode()
    client.force_login(outsider)
    assert "Pedoman Lembur" not in client.get("/").content.decode()  # never another reader's copy


def test_dashboard_page_copy_needs_the_same_csrf_cookie_and_no_waiting_message(rf, org):
    from django.contrib import messages
    from django.contrib.messages.storage.fallback import FallbackStorage

    from cms.home.dashboard import _page_key

    def request(csrf):
        req = rf.get("/")
        req.user, req.session = reader, {}
        if csrf:
            req.COOKIES["csrftoken"] = csrf
        req._messages = FallbackStorage(req)
        return req

    reader = person(org["SUB1"])
    first = _page_key(request("a" * 32))
    assert first is not None and "a" * 32 not in first  # the secret only by digest
    assert _page_key(request("b" * 32)) != first  # another cookie: the cached forms' tokens would not match it
    assert _page_key(request(None)) is None  # no cookie yet: rendering sets one
    waiting = request("a" * 32)
    messages.info(waiting, "Sesi Anda berakhir")
    assert _page_key(waiting) is None  # a cached page would neither show the message nor mark it shown
