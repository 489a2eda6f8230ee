"""The migration to the keyed chain keeps what was there verifiable: old entries (written by the unkeyed chain) are
re-sealed under the key, renumbered in order, and the verdict on the old chain is recorded in an `audit.rekey` entry."""

import datetime as dt
import hashlib
import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from intranet.audit.services import audit_verify

OLD = [("audit", "0002_checkpoint")]
NEW = [("audit", "0004_seq_unique")]


def _legacy_append(Entry, Head, prev, **fields):
    entry = Entry(created_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC), prev_hash=prev, **fields)
    text = json.dumps(
        {
            "created_at": entry.created_at.isoformat(), "actor": entry.actor_id, "actor_repr": entry.actor_repr,
            "acting_for": "", "action": entry.action, "object_type": "", "object_id": entry.object_id,
            "subject_employee": None, "ip": None, "user_agent": "", "outcome": "allowed", "details": {},
            "prev_hash": prev,
        },
        sort_keys=True, separators=(",", ":"), default=str,
    )
    entry.entry_hash = hashlib.sha256(text.encode()).hexdigest()
    entry.save()
    Head.objects.update_or_create(pk=1, defaults={"last_hash": entry.entry_hash})
    return entry.entry_hash


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    executor.loader.build_graph()
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("tampered", [False, True], ids=["intact", "tampered-before"])
def test_existing_entries_are_rekeyed_and_the_old_verdict_recorded(tampered):
    apps = _migrate(OLD)
    Entry, Head = apps.get_model("audit", "AuditEntry"), apps.get_model("audit", "AuditChainHead")
    prev = "0" * 64
    for i in range(4):
        prev = _legacy_append(Entry, Head, prev, actor_repr="budi", action="payslip.view", object_id=str(i))
    if tampered:
        Entry.objects.filter(object_id="2").update(object_id="999")
    try:
        _migrate(NEW)
        from intranet.audit.models import AuditEntry

        verdict = audit_verify()
        assert verdict[0], verdict.problem
        assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3, 4, 5]
        rekey = AuditEntry.objects.get(seq=5)
        assert rekey.action == "audit.rekey" and rekey.details["entries"] == 4
        assert rekey.details["legacy_intact"] is (not tampered)
        assert ("#" in rekey.details["legacy_problem"]) is tampered
    finally:
        from intranet.audit.models import AuditChainHead, AuditEntry

        AuditEntry.objects.all().delete()
        AuditChainHead.objects.all().delete()
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("audit"))
