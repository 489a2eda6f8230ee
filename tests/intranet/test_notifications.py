import pytest
from django.core import mail

from intranet.notifications import services, tasks
from intranet.notifications.models import Notification, OutboxEmail
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def recipient(org):
    return EmployeeFactory(unit=org["DIR1"]).user


def test_notify_stores_notification_and_delivers_email_after_commit(recipient, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        note = services.notify(recipient, "test.hello", "Halo", body="Isi pesan", url="/direktori/")
    assert Notification.objects.get() == note
    row = OutboxEmail.objects.get()
    assert row.status == OutboxEmail.Status.SENT and row.attempts == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [recipient.email]
    assert mail.outbox[0].extra_headers["Message-ID"] == row.message_id


def test_notify_many_sends_each_notice_in_two_inserts(org, settings, django_capture_on_commit_callbacks):
    from intranet.notifications.selectors import unread_count
    from tests.query_bounds import queries

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    first, second, no_address = (EmployeeFactory(unit=org["DIR1"]).user for _ in range(3))
    no_address.email = ""
    no_address.save()
    assert unread_count(first) == unread_count(second) == 0  # now kept in the cache: the notices must retire them
    notices = [
        services.Notice(first, "test.a", "Satu", body="Isi", url="/cuti/1/"),
        services.Notice(second, "test.b", "Dua", email=False),
        services.Notice(no_address, "test.c", "Tiga"),
    ]
    with django_capture_on_commit_callbacks(execute=True), queries() as q:
        notes = services.notify_many(notices)
    # one for the notifications, one for their e-mails, however many notices
    assert len(q.writing("notifications_notification")) <= 1, q.listing()
    assert len(q.writing("notifications_outboxemail")) <= 1, q.listing()
    assert [(n.recipient_id, n.kind, n.pk is not None) for n in notes] == [
        (first.pk, "test.a", True), (second.pk, "test.b", True), (no_address.pk, "test.c", True)
    ]
    row = OutboxEmail.objects.get()  # only the one who wants it and has an address
    assert row.notification == notes[0] and row.to == first.email and row.body.endswith("/cuti/1/")
    assert [m.to for m in mail.outbox] == [[first.email]]
    assert unread_count(first) == unread_count(second) == unread_count(no_address) == 1


def test_nothing_is_enqueued_when_the_transaction_rolls_back(recipient, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.notify(recipient, "test.x", "Batal")
            raise RuntimeError("the event failed")
    assert callbacks == []
    assert not Notification.objects.exists() and not OutboxEmail.objects.exists()


def test_outbox_is_delivered_exactly_once_even_when_the_first_attempt_fails(recipient, settings, django_capture_on_commit_callbacks):
    # A real failure: SMTP to a closed local port refuses the connection.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipient, "test.retry", "Coba lagi")
    row = OutboxEmail.objects.get()
    assert row.status == OutboxEmail.Status.PENDING and row.attempts == 1
    assert "Connection" in row.last_error or "refused" in row.last_error.lower()
    assert row.next_attempt_at > row.created_at

    # The mail server is back; the sweep only picks rows that are due.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert tasks.sweep_outbox() == 0, "not due yet: back-off respected"
    OutboxEmail.objects.update(next_attempt_at=row.created_at)
    assert tasks.sweep_outbox() == 1
    assert tasks.sweep_outbox() == 0
    assert services.deliver_outbox_email(row.pk) is True  # a duplicate task is harmless
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.status == OutboxEmail.Status.SENT and row.attempts == 2


def test_gives_up_after_max_attempts(recipient, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    settings.SERAMBI_OUTBOX_MAX_ATTEMPTS = 2
    services.notify(recipient, "test.fail", "Gagal")
    row = OutboxEmail.objects.get()
    services.deliver_outbox_email(row.pk)
    services.deliver_outbox_email(row.pk)
    row.refresh_from_db()
    assert row.status == OutboxEmail.Status.FAILED and row.attempts == 2


def test_bell_list_and_mark_read(client, recipient):
    services.notify(recipient, "test.a", "Pertama", email=False)
    other = services.notify(recipient, "test.b", "Kedua", email=False)
    stranger = EmployeeFactory(unit=recipient.employee.unit).user
    foreign = services.notify(stranger, "test.c", "Milik orang lain", email=False)
    client.force_login(recipient)
    page = client.get("/notifikasi/").content.decode()
    assert "Pertama" in page and "Kedua" in page and "Milik orang lain" not in page
    assert 'class="badge">2' in page
    client.post(f"/notifikasi/{other.pk}/read/")
    assert client.post(f"/notifikasi/{foreign.pk}/read/").status_code == 404  # someone else's: no effect
    foreign.refresh_from_db()
    assert foreign.read_at is None
    assert Notification.objects.filter(recipient=recipient, read_at__isnull=True).count() == 1
    client.post("/notifikasi/read/", {"next": "https://evil.example/"})
    assert Notification.objects.filter(recipient=recipient, read_at__isnull=True).count() == 0
