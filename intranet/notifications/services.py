import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from intranet.core.background import enqueue
from intranet.core.caching import retire_now_and_on_commit, user_generation_key

from .models import Notification, OutboxEmail
from .selectors import unread_cache_key

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    """One notification to send with `notify_many`: the arguments of `notify`."""

    recipient: object
    kind: str
    title: str
    body: str = ""
    url: str = ""
    email: bool = True


def notify(recipient, kind: str, title: str, body: str = "", url: str = "", email: bool = True) -> Notification:
    """Store an in-app notification for `recipient` and, if they have an address, queue an e-mail in the outbox.
    Call it inside the transaction of the event it reports: both rows commit or neither does (so no savepoint of its
    own: two queries fewer per notification)."""
    return notify_many([Notice(recipient, kind, title, body, url, email)])[0]


def notify_many(notices: list[Notice]) -> list[Notification]:
    """`notify` for several notices of one event in two INSERTs whatever their number: the notifications, then their
    e-mails. Each recipient's unread count and dashboard are retired; each e-mail is sent after commit."""
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    with transaction.atomic(savepoint=False):
        notes = Notification.objects.bulk_create(
            [
                Notification(recipient=n.recipient, kind=n.kind, title=n.title[:255], body=n.body, url=n.url)
                for n in notices
            ]
        )
        # each recipient's unread count and dashboard (the event shows there at once, not when its copy ends): all
        # retired in one round trip, now and again after commit
        ids = sorted({n.recipient.pk for n in notices})
        retire_now_and_on_commit(delete=[unread_cache_key(i) for i in ids], bump=[user_generation_key(i) for i in ids])
        now = timezone.now()
        rows = OutboxEmail.objects.bulk_create(
            [
                OutboxEmail(
                    notification=note,
                    to=n.recipient.email,
                    subject=n.title[:255],
                    body=n.body + (f"\n\n{base}{n.url}" if n.url else ""),
                    next_attempt_at=now,
                )
                for note, n in zip(notes, notices, strict=True)
                if n.email and n.recipient.email
            ]
        )
        if rows:
            from .tasks import deliver_outbox_emails

            enqueue(deliver_outbox_emails, [row.pk for row in rows])  # one message to the broker for the event
    return notes


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 6 * 3600))


def deliver_outbox_email(outbox_id: int) -> bool:
    """Send one queued e-mail exactly once. Returns True when it is (now or already) sent."""
    with transaction.atomic():
        row = OutboxEmail.objects.select_for_update().filter(pk=outbox_id).first()
        if row is None or row.status != OutboxEmail.Status.PENDING:
            return row is not None and row.status == OutboxEmail.Status.SENT
        row.attempts += 1
        try:
            EmailMessage(
                subject=row.subject,
                body=row.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[row.to],
                headers={"Message-ID": row.message_id},
            ).send(fail_silently=False)
        except Exception as exc:  # mail server down or refusing: keep the row and retry later
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if row.attempts >= settings.SERAMBI_OUTBOX_MAX_ATTEMPTS:
                row.status = OutboxEmail.Status.FAILED
            row.next_attempt_at = timezone.now() + _backoff(row.attempts)
            row.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            logger.warning("outbox e-mail %s failed (attempt %s): %s", row.pk, row.attempts, row.last_error)
            return False
        row.status = OutboxEmail.Status.SENT
        row.sent_at = timezone.now()
        row.last_error = ""
        row.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        return True


def due_outbox_ids(limit: int = 500) -> list[int]:
    return list(
        OutboxEmail.objects.filter(status=OutboxEmail.Status.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one (or, with None, all) of the user's notifications read. Returns how many changed."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    changed = qs.update(read_at=timezone.now())
    _forget_unread(user.pk)
    return changed


def _forget_unread(user_id: int) -> None:
    """Drop the cached unread count now and again after commit (a request in between may re-cache the old one)."""
    retire_now_and_on_commit(delete=[unread_cache_key(user_id)])
