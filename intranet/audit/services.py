import datetime as dt
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from intranet.core.queries import NO_FLUSH_WAIT
from intranet.security.client_address import client_address

from .models import AuditChainHead, AuditCheckpoint, AuditEntry

logger = logging.getLogger("serambi.audit")
GENESIS = "0" * 64


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
    )
    # Entries of their own (an audited read) need not wait for the WAL flush: see AUDIT_ASYNC_COMMIT in settings.
    async_commit = not connection.in_atomic_block and settings.AUDIT_ASYNC_COMMIT
    if not (connection.vendor == "postgresql" and _append_in_one_statement(entry, async_commit=async_commit)):
        _append(entry, async_commit=async_commit)
    if logger.isEnabledFor(logging.INFO):
        logger.info(json.dumps({"audit": json.loads(entry.canonical()), "hash": entry.entry_hash}))
    return entry


def _append(entry: AuditEntry, *, async_commit: bool) -> None:
    """Chain `entry` in Python: lock the head, hash, insert, move the head (the first entry of a database, and SQLite)."""
    with transaction.atomic():
        if async_commit and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1, defaults={"last_hash": GENESIS})
        entry.prev_hash = head.last_hash
        entry.entry_hash = entry.compute_hash()
        entry.save(force_insert=True)
        head.last_hash = entry.entry_hash
        head.save(update_fields=["last_hash"])


# Stands for the previous hash while the canonical text is split around it: never a hex digest ('p' is no hex digit).
_PREV_HASH_SLOT = "p" * 64


def _cast_type(field) -> str:
    """The type a value is cast to in the statement (in INSERT … SELECT a bare literal or NULL would be text). Text for
    character columns: an explicit cast to varchar(n) would cut a long value silently (and its hash would no longer
    match); assigned from text, a value too long fails as the ORM's insert does."""
    return "text" if field.get_internal_type() == "CharField" else field.db_type(connection)


def _append_in_one_statement(entry: AuditEntry, *, async_commit: bool) -> bool:
    """Chain `entry` in one PostgreSQL statement: lock the head, insert the entry hashed onto the head's hash, move the
    head. The head's lock is held for that statement alone (and its commit) instead of three round trips and the
    hashing in Python: every audited request queues on that one row, and on a busy server the process holding it
    could lose the CPU while the others wait. The hash is the one `AuditEntry.compute_hash` gives (sha256 of the
    canonical text), computed by the database over the canonical text with the head's hash in its place, so
    `audit_verify` is unchanged. False when the chain has no head yet: the caller appends in Python, which makes it."""
    entry.prev_hash = _PREV_HASH_SLOT
    before, slot, after = entry.canonical().rpartition(f'"prev_hash":"{_PREV_HASH_SLOT}"')
    # Keys are sorted and string values escaped, so the last unescaped '"prev_hash":"…"' is the entry's own.
    before, after = before + '"prev_hash":"', '"' + after
    fields = [f for f in AuditEntry._meta.concrete_fields if f.attname not in ("id", "prev_hash", "entry_hash")]
    quote = connection.ops.quote_name
    entries, heads = quote(AuditEntry._meta.db_table), quote(AuditChainHead._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    values = ", ".join(f"%s::{_cast_type(f)}" for f in fields)
    quiet = f", {NO_FLUSH_WAIT}" if async_commit else ""
    sql = f"""
        WITH head AS MATERIALIZED (SELECT last_hash FROM {heads} WHERE id = 1 FOR UPDATE),
        added AS (
            INSERT INTO {entries} ({columns}, prev_hash, entry_hash)
            SELECT {values}, head.last_hash,
                   encode(sha256(convert_to(%s || head.last_hash || %s, 'UTF8')), 'hex')
            FROM head
            RETURNING id, prev_hash, entry_hash
        ),
        moved AS (UPDATE {heads} SET last_hash = added.entry_hash FROM added WHERE {heads}.id = 1)
        SELECT id, prev_hash, entry_hash{quiet} FROM added"""  # noqa: S608 - names from the models, values bound
    params = [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, before, after])
        row = cursor.fetchone()
    if row is None:
        entry.prev_hash = ""
        return False
    entry.pk, entry.prev_hash, entry.entry_hash = row[:3]
    entry._state.adding, entry._state.db = False, connection.alias
    return True


def audit_verify() -> tuple[bool, AuditEntry | None, int]:
    """Walk the chain in order, from the newest retention checkpoint (or the genesis hash). Returns (intact, first bad
    entry or None, entries checked)."""
    checkpoint = AuditCheckpoint.objects.order_by("-id").first()
    prev = checkpoint.last_pruned_hash if checkpoint else GENESIS
    entries = AuditEntry.objects.order_by("id")
    if checkpoint is not None:
        if entries.filter(id__lte=checkpoint.last_pruned_id).exists():
            return False, entries.first(), 0  # entries older than the checkpoint are back, or it was moved
        if not _checkpoint_confirmed(checkpoint):
            return False, None, 0  # the anchor disagrees with the audited prune: it was moved to hide a deletion
    checked = 0
    for entry in entries.iterator(chunk_size=2000):
        if entry.prev_hash != prev or entry.compute_hash() != entry.entry_hash:
            return False, entry, checked
        prev = entry.entry_hash
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head and (checked or checkpoint) and head.last_hash != prev:
        return False, None, checked  # entries were deleted from the end
    return True, None, checked


def _checkpoint_confirmed(checkpoint: AuditCheckpoint) -> bool:
    return AuditEntry.objects.filter(
        action="audit.prune",
        id__gt=checkpoint.last_pruned_id,
        details__last_pruned_id=checkpoint.last_pruned_id,
        details__last_pruned_hash=checkpoint.last_pruned_hash,
        details__pruned=checkpoint.pruned_count,
    ).exists()


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
        last = AuditEntry.objects.filter(created_at__lt=cutoff).order_by("-id").first()
        if last is None:
            return PruneResult(cutoff, 0, None)
        intact, bad, _checked = audit_verify()
        if not intact:
            if bad is not None:
                msg = _("The audit chain is broken at entry #%(id)s; nothing was pruned.") % {"id": bad.pk}
            else:
                msg = _("The audit chain is broken (entries were removed); nothing was pruned.")
            raise AuditPruneError(msg)
        previous = AuditCheckpoint.objects.order_by("-id").first()
        pruned = 0
        doomed = AuditEntry.objects.filter(id__lte=last.pk).order_by("id")
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
            },
        )
    return PruneResult(cutoff, pruned, checkpoint)
