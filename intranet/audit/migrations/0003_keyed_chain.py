"""The audit chain becomes keyed, numbered and independent of foreign keys (see intranet.audit.models).

Existing entries are re-keyed, not left as an unkeyed segment: an unkeyed segment could still be rewritten by anyone
with database access. Before re-sealing, the old chain is verified as it was (unkeyed SHA-256 over the foreign keys);
the outcome is recorded in an `audit.rekey` entry at the end of the re-keyed chain, so tampering or breakage that
happened before this migration stays on record instead of being sealed over silently. Needs AUDIT_HMAC_KEY."""

import hashlib
import json

from django.db import migrations, models
from django.utils import timezone

GENESIS = "0" * 64


def _legacy_hash(e) -> str:
    text = json.dumps(
        {
            "created_at": e.created_at.isoformat(), "actor": e.actor_id, "actor_repr": e.actor_repr,
            "acting_for": e.acting_for, "action": e.action, "object_type": e.object_type, "object_id": e.object_id,
            "subject_employee": e.subject_employee_id, "ip": e.ip, "user_agent": e.user_agent, "outcome": e.outcome,
            "details": e.details, "prev_hash": e.prev_hash,
        },
        sort_keys=True, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def rekey(apps, schema_editor):
    from intranet.audit.keys import current_key_id, seal
    from intranet.audit.models import canonical_text

    Entry = apps.get_model("audit", "AuditEntry")
    Head = apps.get_model("audit", "AuditChainHead")
    Checkpoint = apps.get_model("audit", "AuditCheckpoint")
    checkpoint = Checkpoint.objects.order_by("-id").first()
    base = checkpoint.total_pruned if checkpoint else 0
    prev_legacy = checkpoint.last_pruned_hash if checkpoint else GENESIS
    prev = prev_legacy
    legacy_problem, seq, kid, batch = "", base, current_key_id(), []
    if seal("", kid) is None and (Entry.objects.exists() or checkpoint is not None):
        raise RuntimeError("Set AUDIT_HMAC_KEY before migrating: the existing audit entries are re-keyed with it.")
    for e in Entry.objects.order_by("id").iterator(chunk_size=2000):
        if not legacy_problem and (e.prev_hash != prev_legacy or _legacy_hash(e) != e.entry_hash):
            legacy_problem = f"entry #{e.pk} did not verify before re-keying"
        prev_legacy = e.entry_hash
        seq += 1
        e.seq, e.key_id, e.prev_hash = seq, kid, prev
        e.actor_key = str(e.actor_id) if e.actor_id else ""
        e.subject_key = str(e.subject_employee_id) if e.subject_employee_id else ""
        if e.action == "audit.prune" and "last_pruned_hash" in e.details:
            pruned = Checkpoint.objects.filter(last_pruned_id=e.details.get("last_pruned_id")).first()
            if pruned is not None:
                e.details = {**e.details, "last_pruned_seq": pruned.total_pruned}
        e.entry_hash = seal(canonical_text(e))
        prev = e.entry_hash
        batch.append(e)
        if len(batch) >= 2000:
            Entry.objects.bulk_update(batch, ["seq", "key_id", "prev_hash", "actor_key", "subject_key", "details", "entry_hash"])
            batch = []
    Entry.objects.bulk_update(batch, ["seq", "key_id", "prev_hash", "actor_key", "subject_key", "details", "entry_hash"])
    for cp in Checkpoint.objects.all():
        cp.last_pruned_seq = cp.total_pruned
        cp.save(update_fields=["last_pruned_seq"])
    head = Head.objects.filter(pk=1).first()
    if head is None and seq == base and checkpoint is None:
        return  # an empty chain: nothing to re-key or record
    if head is not None and not legacy_problem and head.last_hash != prev_legacy:
        legacy_problem = "the chain head did not match the newest entry before re-keying"
    seq += 1
    record = Entry(
        created_at=timezone.now(), actor_repr="", acting_for="", action="audit.rekey", object_type="", object_id="",
        ip=None, user_agent="", outcome="allowed" if not legacy_problem else "failed",
        details={"entries": seq - 1 - base, "legacy_intact": not legacy_problem, "legacy_problem": legacy_problem},
        seq=seq, actor_key="", subject_key="", key_id=kid, prev_hash=prev,
    )
    record.entry_hash = seal(canonical_text(record))
    record.save()
    Head.objects.update_or_create(pk=1, defaults={"last_hash": record.entry_hash, "last_seq": seq})


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_checkpoint")]

    operations = [
        migrations.AddField("auditentry", "seq", models.PositiveBigIntegerField(null=True, verbose_name="sequence number")),
        migrations.AddField("auditentry", "actor_key", models.CharField(blank=True, default="", max_length=64)),
        migrations.AddField("auditentry", "subject_key", models.CharField(blank=True, default="", max_length=64)),
        migrations.AddField("auditentry", "key_id", models.CharField(default="", max_length=16), preserve_default=False),
        migrations.AddField("auditchainhead", "last_seq", models.PositiveBigIntegerField(default=0)),
        migrations.AddField(
            "auditcheckpoint", "last_pruned_seq",
            models.PositiveBigIntegerField(default=0, verbose_name="newest removed sequence number"),
        ),
        migrations.RunPython(rekey, migrations.RunPython.noop),
        # The column becomes unique and required in 0004: PostgreSQL alters no table with updates pending in the
        # same transaction.
    ]
