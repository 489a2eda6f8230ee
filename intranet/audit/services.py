import json
import logging

from django.db import transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEntry

logger = logging.getLogger("serambi.audit")
GENESIS = "0" * 64


def _client(request):
    if request is None:
        return None, ""
    ip = request.META.get("REMOTE_ADDR") or None
    return ip, (request.META.get("HTTP_USER_AGENT") or "")[:255]


def audit_record(
    *,
    action: str,
    actor=None,
    request=None,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    subject_employee=None,
    outcome: str = AuditEntry.Outcome.ALLOWED,
    acting_for: str = "",
    details: dict | None = None,
) -> AuditEntry:
    """Append one entry to the chain (its own transaction, or the caller's). Also emitted as a JSON log line."""
    if actor is None and request is not None and getattr(request, "user", None) and request.user.is_authenticated:
        actor = request.user
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    ip, agent = _client(request)
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1, defaults={"last_hash": GENESIS})
        entry = AuditEntry(
            created_at=timezone.now(),
            actor=actor if actor is not None and actor.pk else None,
            actor_repr=(actor.get_username() if actor is not None and actor.pk else "")[:150],
            acting_for=acting_for[:255],
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            subject_employee=subject_employee,
            ip=ip,
            user_agent=agent,
            outcome=outcome,
            details=details or {},
            prev_hash=head.last_hash,
        )
        entry.entry_hash = entry.compute_hash()
        entry.save(force_insert=True)
        head.last_hash = entry.entry_hash
        head.save(update_fields=["last_hash"])
    logger.info(json.dumps({"audit": json.loads(entry.canonical()), "hash": entry.entry_hash}))
    return entry


def audit_verify() -> tuple[bool, AuditEntry | None, int]:
    """Walk the chain in order. Returns (intact, first bad entry or None, entries checked)."""
    prev = GENESIS
    checked = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != prev or entry.compute_hash() != entry.entry_hash:
            return False, entry, checked
        prev = entry.entry_hash
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head and checked and head.last_hash != prev:
        return False, None, checked  # entries were deleted from the end
    return True, None, checked
