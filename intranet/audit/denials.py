"""Audit of refused attempts (a role's 403, an out-of-scope lookup, a request of someone else's, an officer acting on
their own record), bounded: one person hammering a refused route must not flood the chain. Per actor (or address, for
the anonymous), action and window (AUDIT_DENIAL_WINDOW, an hour by default), the 1st, 2nd, 4th, 8th … refusal is
written, each carrying the running count, so a million attempts cost about twenty entries and the size of the attempt
stays on record."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from .models import AuditEntry
from .services import audit_record

logger = logging.getLogger("serambi.audit")


def _count(request, actor, action: str) -> int:
    who = f"u{actor.pk}" if actor is not None and actor.pk else f"a{request.META.get('REMOTE_ADDR', '') if request else ''}"
    window = int(timezone.now().timestamp()) // settings.AUDIT_DENIAL_WINDOW
    key = f"audit-denied:{who}:{action}:{window}"
    try:
        if cache.add(key, 1, timeout=settings.AUDIT_DENIAL_WINDOW + 60):
            return 1
        return cache.incr(key)
    except Exception:  # noqa: BLE001 - the cache is down: audit every refusal rather than none
        logger.warning("denial counter unavailable; auditing the refusal without aggregation", exc_info=True)
        return 1


def audit_denied(
    *,
    action: str,
    reason: str,
    request=None,
    actor=None,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    subject_employee=None,
    details: dict | None = None,
) -> AuditEntry | None:
    """Record a refusal (outcome denied) with its reason, unless it is one of a burst already on record."""
    if actor is None and request is not None and getattr(request, "user", None) and request.user.is_authenticated:
        actor = request.user
    count = _count(request, actor, action)
    if count & (count - 1):  # not a power of two: counted, not written
        return None
    info = {"reason": reason, **(details or {})}
    if request is not None:
        info.setdefault("path", request.path[:200])
    if count > 1:
        info["attempts_in_window"] = count
    return audit_record(
        action=action,
        actor=actor,
        request=request,
        obj=obj,
        object_type=object_type,
        object_id=str(object_id),
        subject_employee=subject_employee,
        outcome=AuditEntry.Outcome.DENIED,
        details=info,
    )
