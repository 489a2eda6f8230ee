import datetime as dt
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from intranet.security.client_address import client_address

from .keys import current_key_id
from .models import AuditChainHead, AuditCheckpoint, AuditEntry
from .verify import GENESIS, audit_verify

__all__ = ["GENESIS", "audit_record", "audit_verify", "audit_prune"]

logger = logging.getLogger("serambi.audit")


def _client(request):
    if request is None:
        return None, ""
    return client_address(request), (request.META.get("HTTP_USER_AGENT") or "")[:255]


def audit_record(
    *,
    action: str,
    actor=None,
    request=None,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    subject_employee=None,
    subject_employee_id: int | None = None,
    outcome: str = AuditEntry.Outcome.ALLOWED,
    acting_for: str = "",
    details: dict | None = None,
) -> AuditEntry:
    """Append one entry to the chain (its own transaction, or the caller's). Also emitted as a JSON log line.
    The subject is an Employee, or only its id (`subject_employee_id`) for the layers below the HR apps."""
    if actor is None and request is not None and getattr(request, "user", None) and request.user.is_authenticated:
        actor = request.user
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    subject_key = str(subject_employee.pk) if subject_employee is not None else str(subject_employee_id or "")
    ip, agent = _client(request)
    entry = AuditEntry(
        created_at=timezone.now(),
        actor=actor if actor is not None and actor.pk else None,
        actor_repr=(actor.get_username() if actor is not None and actor.pk else "")[:150],
        actor_key=str(actor.pk) if actor is not None and actor.pk else "",
        acting_for=acting_for[:255],
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        subject_employee=subject_employee,
        subject_key=subject_key,
        ip=ip,
        user_agent=agent,
        outcome=outcome,
        details=details or {},
    )
    if subject_employee is None and subject_employee_id:
        entry.subject_employee_id = subject_employee_id
    # Entries of their own (an audited read) need not wait for the WAL flush: see AUDIT_ASYNC_COMMIT in settings.
    _append(entry, async_commit=not connection.in_atomic_block and settings.AUDIT_ASYNC_COMMIT)
    if logger.isEnabledFor(logging.INFO):
        logger.info(json.dumps({"audit": json.loads(entry.canonical()), "hash": entry.entry_hash}))
    return entry


def _append(entry: AuditEntry, *, async_commit: bool) -> None:
    """Lock the head, number and seal the entry onto the head's seal, insert it, move the head. The seal is computed
    here, never by the database: the key must not travel in a statement the database's operators can see."""
    with transaction.atomic():
        if async_commit and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('synchronous_commit', 'off', true)")  # this transaction only
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1, defaults={"last_hash": GENESIS})
        entry.seq = head.last_seq + 1
        entry.prev_hash = head.last_hash
        entry.key_id = current_key_id()
        entry.entry_hash = entry.compute_hash()
        if entry.entry_hash is None:
            raise ImproperlyConfigured("AUDIT_HMAC_KEY is not set: audit entries cannot be sealed.")
        entry.save(force_insert=True)
        AuditChainHead.objects.filter(pk=1).update(last_hash=entry.entry_hash, last_seq=entry.seq)


class AuditPruneError(Exception):
    pass


@dataclass
class PruneResult:
    cutoff: dt.datetime | None
    pruned: int
    checkpoint: AuditCheckpoint | None


def audit_prune(*, retention_days: int | None = None, now: dt.datetime | None = None, progress=None) -> PruneResult:
    """Remove entries older than the retention period (settings.AUDIT_RETENTION_DAYS; 0 keeps everything).

    The oldest part of the chain is cut off whole: everything up to the newest entry older than the cut-off. A
    checkpoint keeps the hash of that entry so the rest still verifies, and the prune is audited with the same
    figures. A broken chain is never pruned: that would destroy the evidence."""
    days = settings.AUDIT_RETENTION_DAYS if retention_days is None else retention_days
    if days <= 0:
        return PruneResult(None, 0, None)
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    with transaction.atomic():
        # The chain head lock: no entry is appended while we cut and anchor.
        AuditChainHead.objects.select_for_update().get_or_create(pk=1, defaults={"last_hash": GENESIS})
        last = AuditEntry.objects.filter(created_at__lt=cutoff).order_by("-seq").first()
        if last is None:
            return PruneResult(cutoff, 0, None)
        verdict = audit_verify()
        if not verdict[0]:
            raise AuditPruneError(_("The audit chain is broken; nothing was pruned. %(problem)s") % {"problem": verdict.problem})
        previous = AuditCheckpoint.objects.order_by("-id").first()
        pruned = 0
        doomed = AuditEntry.objects.filter(seq__lte=last.seq).order_by("seq")
        while True:  # in batches, so one prune of years of entries does not hold a huge delete in memory
            ids = list(doomed.values_list("id", flat=True)[:5000])
            if not ids:
                break
            pruned += AuditEntry.objects.filter(id__in=ids).delete()[0]
            if progress:
                progress(pruned)
        checkpoint = AuditCheckpoint.objects.create(
            created_at=timezone.now(),
            cutoff=cutoff,
            last_pruned_id=last.pk,
            last_pruned_hash=last.entry_hash,
            last_pruned_seq=last.seq,
            pruned_count=pruned,
            total_pruned=(previous.total_pruned if previous else 0) + pruned,
        )
        audit_record(
            action="audit.prune",
            object_type="audit.auditcheckpoint",
            object_id=str(checkpoint.pk),
            details={
                "cutoff": cutoff.isoformat(),
                "retention_days": days,
                "pruned": pruned,
                "last_pruned_id": last.pk,
                "last_pruned_hash": last.entry_hash,
                "last_pruned_seq": last.seq,
            },
        )
    return PruneResult(cutoff, pruned, checkpoint)
