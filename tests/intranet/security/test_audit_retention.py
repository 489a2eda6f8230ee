"""Audit retention: old entries are pruned behind a checkpoint; what remains still verifies, and tampering (with the
entries or with the checkpoint) is still found."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone, translation

from intranet.audit.models import AuditCheckpoint, AuditEntry
from intranet.audit.services import AuditPruneError, audit_prune, audit_record, audit_verify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Command output is asserted in English (the msgids)."""
    with translation.override("en"):
        yield
TABLE = AuditEntry._meta.db_table


def _entries(n, prefix="old"):
    return [audit_record(action=f"test.{prefix}", object_id=str(i)) for i in range(n)]


def _sql(query, params):
    with connection.cursor() as cursor:  # as an attacker with database access would
        cursor.execute(query, params)


def test_prune_then_verify_then_tamper_is_still_detected():
    old = _entries(3)
    boundary = timezone.now()
    recent = _entries(2, "recent")
    # Retention one day, "now" a day after the boundary: the three older entries are past retention.
    result = audit_prune(retention_days=1, now=boundary + dt.timedelta(days=1))
    assert result.pruned == 3
    assert not AuditEntry.objects.filter(pk__in=[e.pk for e in old]).exists()
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.last_pruned_id, checkpoint.last_pruned_hash) == (old[-1].pk, old[-1].entry_hash)
    assert checkpoint.total_pruned == 3
    prune_entry = AuditEntry.objects.get(action="audit.prune")  # the prune is itself audited
    assert prune_entry.details["pruned"] == 3 and prune_entry.details["last_pruned_id"] == old[-1].pk
    assert audit_verify() == (True, None, 3)  # two recent entries and the prune entry
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "3" in out.getvalue()

    _sql(f"UPDATE {TABLE} SET object_id = %s WHERE id = %s", ["999", recent[1].pk])  # noqa: S608 - test tampering
    intact, bad, checked = audit_verify()
    assert not intact and bad.pk == recent[1].pk and checked == 1
    with pytest.raises(CommandError, match=f"#{recent[1].pk}"):
        call_command("audit_verify")


def test_moving_the_checkpoint_to_hide_a_deletion_is_detected():
    _entries(3)
    boundary = timezone.now()
    recent = _entries(3, "recent")
    audit_prune(retention_days=1, now=boundary + dt.timedelta(days=1))
    assert audit_verify()[0]
    # Delete the oldest remaining entry and move the anchor onto it, so the chain would start cleanly after it.
    victim = recent[0]
    _sql(f"DELETE FROM {TABLE} WHERE id = %s", [victim.pk])  # noqa: S608 - test tampering
    AuditCheckpoint.objects.update(last_pruned_id=victim.pk, last_pruned_hash=victim.entry_hash)
    intact, bad, _checked = audit_verify()
    assert not intact and bad is None
    with pytest.raises(CommandError, match="checkpoint"):
        call_command("audit_verify")


def test_deleting_an_old_entry_without_a_checkpoint_is_detected():
    """Pruning by hand (no checkpoint) breaks the chain at the first remaining entry."""
    entries = _entries(4)
    _sql(f"DELETE FROM {TABLE} WHERE id = %s", [entries[0].pk])  # noqa: S608 - test tampering
    intact, bad, _checked = audit_verify()
    assert not intact and bad.pk == entries[1].pk


def test_repeated_prunes_chain_their_checkpoints():
    _entries(2)
    first_boundary = timezone.now()
    _entries(2, "middle")
    second_boundary = timezone.now()
    _entries(1, "recent")
    assert audit_prune(retention_days=1, now=first_boundary + dt.timedelta(days=1)).pruned == 2
    second = audit_prune(retention_days=1, now=second_boundary + dt.timedelta(days=1))
    assert second.pruned == 2
    assert second.checkpoint.total_pruned == 4
    assert AuditCheckpoint.objects.count() == 2
    assert audit_verify() == (True, None, 3)  # the recent entry and both prune entries (the first one is newer)


def test_retention_zero_keeps_everything_and_a_broken_chain_is_never_pruned(settings):
    entries = _entries(3)
    settings.AUDIT_RETENTION_DAYS = 0
    assert audit_prune(now=timezone.now() + dt.timedelta(days=9999)).pruned == 0
    out = io.StringIO()
    call_command("audit_prune", stdout=out)
    assert "nothing pruned" in out.getvalue()
    assert AuditEntry.objects.count() == 3

    _sql(f"UPDATE {TABLE} SET action = %s WHERE id = %s", ["test.forged", entries[1].pk])  # noqa: S608 - tampering
    with pytest.raises(AuditPruneError):
        audit_prune(retention_days=1, now=timezone.now() + dt.timedelta(days=2))
    assert AuditEntry.objects.count() == 3, "the evidence stays"
    assert not AuditCheckpoint.objects.exists()


def test_command_prints_progress_and_summary(settings):
    _entries(3)
    settings.AUDIT_RETENTION_DAYS = 1826
    out = io.StringIO()
    call_command("audit_prune", stdout=out)
    assert "Nothing older than" in out.getvalue()
    assert AuditEntry.objects.count() == 3
    call_command("audit_prune", "--days", "1", stdout=out)  # nothing is a day old yet
    assert AuditEntry.objects.count() == 3
