"""Verification of the audit chain, in one consistent snapshot of the database.

Checked: every entry's seal (HMAC under a configured key), its link to the previous seal, the numbering (no gap from
the retention checkpoint to the head), the head (seal and number of the newest entry), the retention checkpoint
against the audited prune, and the external anchors (intranet.audit.anchor): each anchored position still carries the
anchored seal, and the chain reaches at least the newest anchor, so cutting the tail or wiping the table and resetting
the head shows even though the database agrees with itself."""

from django.db import connection, transaction
from django.utils.translation import gettext as _

from .anchor import AnchorError, read_anchors
from .models import AuditChainHead, AuditCheckpoint, AuditEntry

GENESIS = "0" * 64


class Verdict(tuple):
    """(intact, first bad entry or None, entries checked), with `problem`: what is wrong, in words."""

    def __new__(cls, intact: bool, bad: AuditEntry | None, checked: int, problem: str = ""):
        verdict = super().__new__(cls, (intact, bad, checked))
        verdict.problem = problem
        return verdict


def audit_verify() -> Verdict:
    """Verify the whole chain. The anchors are read first, then the database in one snapshot (REPEATABLE READ on
    PostgreSQL, one read transaction on SQLite): an anchor is only written after the entry it names has committed,
    so everything it names is in that snapshot, and entries appended meanwhile are simply not seen."""
    try:
        anchors = read_anchors()
    except AnchorError as exc:
        return Verdict(False, None, 0, str(exc))
    if connection.in_atomic_block:  # the caller's transaction (the prune, which holds the head's lock) is the snapshot
        return _verify(anchors)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return _verify(anchors)


def _verify(anchors: dict[int, str]) -> Verdict:
    checkpoint = AuditCheckpoint.objects.order_by("-id").first()
    prev, seq = (checkpoint.last_pruned_hash, checkpoint.last_pruned_seq) if checkpoint else (GENESIS, 0)
    entries = AuditEntry.objects.order_by("seq")
    if checkpoint is not None:
        if entries.filter(seq__lte=checkpoint.last_pruned_seq).exists():
            return Verdict(False, entries.first(), 0, _("Entries older than the retention checkpoint are back."))
        if not _checkpoint_confirmed(checkpoint):
            return Verdict(False, None, 0, _("The retention checkpoint disagrees with the audited prune: it was moved."))
        if checkpoint.last_pruned_seq in anchors and anchors[checkpoint.last_pruned_seq] != checkpoint.last_pruned_hash:
            return Verdict(False, None, 0, _("The retention checkpoint disagrees with the external anchor."))
    checked = 0
    for entry in entries.iterator(chunk_size=2000):
        seq += 1
        if entry.seq != seq:
            problem = _("Entry #%(id)s has number %(seq)s where %(expected)s was due: entries were removed or moved.")
            return Verdict(False, entry, checked, problem % {"id": entry.pk, "seq": entry.seq, "expected": seq})
        if entry.prev_hash != prev:
            return Verdict(False, entry, checked, _("Entry #%(id)s is not linked to the one before it.") % {"id": entry.pk})
        if not entry.seal_matches():
            return Verdict(False, entry, checked, _("Entry #%(id)s does not match its seal.") % {"id": entry.pk})
        if seq in anchors and anchors[seq] != entry.entry_hash:
            return Verdict(False, entry, checked, _("Entry #%(id)s differs from the external anchor.") % {"id": entry.pk})
        prev = entry.entry_hash
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash, head.last_seq) != (prev, seq) and (checked or checkpoint or head.last_seq):
        return Verdict(False, None, checked, _("The chain head does not match the newest entry: entries were removed."))
    newest_anchor = max(anchors, default=0)
    if newest_anchor > seq:
        problem = _("The external anchor names entry number %(anchor)s but the chain ends at %(seq)s: entries were removed.")
        return Verdict(False, None, checked, problem % {"anchor": newest_anchor, "seq": seq})
    return Verdict(True, None, checked)


def _checkpoint_confirmed(checkpoint: AuditCheckpoint) -> bool:
    return AuditEntry.objects.filter(
        action="audit.prune",
        seq__gt=checkpoint.last_pruned_seq,
        details__last_pruned_seq=checkpoint.last_pruned_seq,
        details__last_pruned_hash=checkpoint.last_pruned_hash,
        details__pruned=checkpoint.pruned_count,
    ).exists()
