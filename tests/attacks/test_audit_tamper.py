"""The audit chain, attacked by someone who can write the database but cannot read the server's environment (the
audit key) nor write the anchor file. Every tampering pattern is caught by `audit_verify`; ordinary traffic, deleting
a user and rotating the key are not mistaken for tampering."""

import hashlib
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from intranet.audit.anchor import write_anchor
from intranet.audit.models import AuditChainHead, AuditEntry
from intranet.audit.services import audit_record, audit_verify

pytestmark = pytest.mark.django_db

ENTRIES = AuditEntry._meta.db_table
HEAD = AuditChainHead._meta.db_table


@pytest.fixture
def anchored(settings, tmp_path):
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.jsonl")
    return tmp_path / "anchors.jsonl"


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def chain(n=6):
    for i in range(n):
        audit_record(action="payslip.view", object_type="payslip", object_id=str(i))
    return list(AuditEntry.objects.order_by("seq"))


def assert_caught(fragment=""):
    with translation.override("en"):  # the fragments are the English messages
        verdict = audit_verify()
    assert not verdict[0], "tampering went unnoticed"
    assert fragment in verdict.problem
    with translation.override("en"), pytest.raises(CommandError, match="broken"):
        call_command("audit_verify")
    return verdict


def move_head_to(entry):
    sql(f"UPDATE {HEAD} SET last_hash = %s, last_seq = %s WHERE id = 1", [entry.entry_hash, entry.seq])  # noqa: S608


def test_editing_an_entry_is_caught():
    rows = chain()
    sql(f"UPDATE {ENTRIES} SET object_id = %s WHERE id = %s", ["999", rows[2].pk])  # noqa: S608
    assert assert_caught("seal")[1].pk == rows[2].pk


def test_deleting_an_entry_in_the_middle_is_caught():
    rows = chain()
    sql(f"DELETE FROM {ENTRIES} WHERE id = %s", [rows[3].pk])  # noqa: S608
    assert assert_caught()[1].pk == rows[4].pk


def test_cutting_the_tail_and_moving_the_head_back_is_caught_by_the_anchor(anchored):
    chain()
    write_anchor()
    rows = list(AuditEntry.objects.order_by("seq"))
    sql(f"DELETE FROM {ENTRIES} WHERE seq > %s", [rows[2].seq])  # noqa: S608
    move_head_to(rows[2])
    assert_caught("anchor")


def test_wiping_every_entry_and_resetting_the_head_is_caught_by_the_anchor(anchored):
    chain()
    write_anchor()
    sql(f"DELETE FROM {ENTRIES}")  # noqa: S608
    sql(f"UPDATE {HEAD} SET last_hash = %s, last_seq = 0", ["0" * 64])  # noqa: S608
    assert_caught("anchor")


def test_reordering_entries_is_caught():
    rows = chain()
    a, b = rows[1], rows[4]
    sql(f"UPDATE {ENTRIES} SET seq = %s WHERE id = %s", [10_000, a.pk])  # noqa: S608
    sql(f"UPDATE {ENTRIES} SET seq = %s WHERE id = %s", [a.seq, b.pk])  # noqa: S608
    sql(f"UPDATE {ENTRIES} SET seq = %s WHERE id = %s", [b.seq, a.pk])  # noqa: S608
    assert_caught()


@pytest.mark.parametrize("key", [None, b"a-guessed-key"], ids=["plain-sha256", "wrong-key"])
def test_forging_an_entry_and_recomputing_the_chain_without_the_key_is_caught(key):
    import hmac

    chain()
    sql(f"UPDATE {ENTRIES} SET object_id = %s WHERE seq = 2", ["forged"])  # noqa: S608
    prev = AuditEntry.objects.get(seq=1).entry_hash
    for entry in AuditEntry.objects.filter(seq__gte=2).order_by("seq"):  # the attacker recomputes every later seal
        entry.prev_hash = prev
        text = entry.canonical().encode()
        seal = hashlib.sha256(text).hexdigest() if key is None else hmac.new(key, text, hashlib.sha256).hexdigest()
        sql(f"UPDATE {ENTRIES} SET prev_hash = %s, entry_hash = %s WHERE id = %s", [prev, seal, entry.pk])  # noqa: S608
        prev = seal
    sql(f"UPDATE {HEAD} SET last_hash = %s WHERE id = 1", [prev])  # noqa: S608
    assert assert_caught("seal")[1].seq == 2


def test_a_forged_anchor_line_is_caught(anchored):
    chain()
    write_anchor()
    line = json.loads(anchored.read_text().splitlines()[-1])
    line["seq"] = 1
    anchored.write_text(json.dumps(line) + "\n")
    assert_caught("signature")


def test_deleting_a_user_does_not_break_the_chain(org):
    from tests.factories import EmployeeFactory

    person = EmployeeFactory(unit=org["DIR1"])
    audit_record(action="leave.submit", actor=person.user, subject_employee=person)
    audit_record(action="leave.approve", subject_employee=person)
    person.user.delete()  # SET_NULL on the foreign keys, which the seal does not cover
    verdict = audit_verify()
    assert verdict[0], verdict.problem
    assert AuditEntry.objects.filter(action="leave.submit", actor__isnull=True).exclude(actor_key="").exists()


def test_rotating_the_key_keeps_old_entries_verifiable(settings):
    chain(3)
    old = settings.AUDIT_HMAC_KEY
    settings.AUDIT_HMAC_KEY, settings.AUDIT_HMAC_OLD_KEYS = "a-new-key-after-rotation-0123456789abcdef", [old]
    chain(3)
    assert len(set(AuditEntry.objects.values_list("key_id", flat=True))) == 2
    assert audit_verify()[0]
    settings.AUDIT_HMAC_OLD_KEYS = []  # the old key thrown away too early: its entries can no longer be verified
    assert not audit_verify()[0]


def test_checkpoint_command_writes_a_signed_anchor_that_verifies(anchored):
    chain(2)
    call_command("audit_checkpoint")
    line = json.loads(anchored.read_text().splitlines()[-1])
    assert line["seq"] == 3 and line["sig"] and AuditEntry.objects.get(seq=3).action == "audit.checkpoint"
    assert audit_verify()[0]


def test_production_refuses_to_start_without_an_audit_key(settings):
    from intranet.audit.checks import audit_key_configured

    settings.DEBUG = False
    for key in ("", "short", settings.SECRET_KEY):
        settings.AUDIT_HMAC_KEY = key
        assert [e.id for e in audit_key_configured()] == ["serambi.E002"]
    settings.AUDIT_HMAC_KEY = "x" * 48
    assert audit_key_configured() == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers and snapshots need PostgreSQL")
def test_verification_is_silent_while_others_write_and_anchor(anchored, settings):
    """Six writer threads and an anchoring thread against repeated verification, in this process and by the command
    in processes of their own: never a false alarm."""
    from django.db import connections

    audit_record(action="test.first")
    stop, verdicts = threading.Event(), []

    def write(n):
        try:
            i = 0
            while not stop.is_set():
                audit_record(action="test.read", object_id=f"{n}-{i}")
                i += 1
        finally:
            connections.close_all()

    def anchor():
        try:
            while not stop.is_set():
                write_anchor()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)] + [threading.Thread(target=anchor)]
    db = connection.settings_dict
    env = {
        **os.environ, "DEBUG": "true", "SECRET_KEY": "x", "LANGUAGE_CODE": "en", "AUDIT_ANCHOR_FILE": str(anchored),
        "AUDIT_HMAC_KEY": settings.AUDIT_HMAC_KEY,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
    }
    command = [sys.executable, str(Path(__file__).resolve().parents[2] / "manage.py"), "audit_verify"]
    for thread in threads:
        thread.start()
    runs = []
    try:
        for _ in range(10):
            verdicts.append(audit_verify())
        for _ in range(3):  # and as operators run it: the command, in a process of its own
            runs.append(subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False))
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert all(v[0] for v in verdicts), [v.problem for v in verdicts if not v[0]]
    assert verdicts[-1][2] > verdicts[0][2], "the writers really wrote while verification ran"
    assert all(r.returncode == 0 and r.stdout.strip() for r in runs), [(r.returncode, r.stdout[-300:], r.stderr[-300:]) for r in runs]
    assert audit_verify()[0]


def test_the_beat_anchors_the_chain_periodically(anchored, settings):
    from intranet.audit.tasks import checkpoint
    from intranet.celery import BEAT_SCHEDULE

    entry = BEAT_SCHEDULE["audit-checkpoint"]
    assert entry["task"] == "audit.checkpoint" and entry["schedule"] <= 3600
    chain(2)
    assert checkpoint() == 3
    assert json.loads(anchored.read_text().splitlines()[-1])["seq"] == 3


def test_a_retention_prune_behind_an_anchor_still_verifies(anchored):
    import datetime as dt

    from django.utils import timezone

    from intranet.audit.services import audit_prune

    chain(4)
    write_anchor()
    result = audit_prune(retention_days=1, now=timezone.now() + dt.timedelta(days=2))
    assert result.pruned == 5 and result.checkpoint.last_pruned_seq == 5
    chain(2)
    write_anchor()
    verdict = audit_verify()
    assert verdict[0], verdict.problem
