import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from intranet.audit.models import AuditEntry
from intranet.audit.services import audit_record, audit_verify

pytestmark = pytest.mark.django_db


def test_chain_verifies_and_names_the_first_tampered_entry():
    for i in range(5):
        audit_record(action="test.read", object_type="thing", object_id=str(i))
    assert audit_verify() == (True, None, 5)
    third = AuditEntry.objects.order_by("id")[2]
    with connection.cursor() as cursor:  # tamper in SQL, as an attacker with database access would
        cursor.execute(f"UPDATE {AuditEntry._meta.db_table} SET object_id = %s WHERE id = %s", ["999", third.pk])
    intact, bad, checked = audit_verify()
    assert not intact and bad.pk == third.pk and checked == 2
    with pytest.raises(CommandError, match=f"#{third.pk}"):
        call_command("audit_verify")


def test_deleting_the_newest_entry_is_detected():
    for i in range(3):
        audit_record(action="test.read", object_id=str(i))
    AuditEntry.objects.order_by("-id").first().delete()
    intact, bad, _checked = audit_verify()
    assert not intact and bad is None


def test_only_auditors_can_search_and_export(client, org):
    from intranet.accounts.roles import Role
    from tests.factories import EmployeeFactory

    audit_record(action="payslip.view", object_type="payslip", object_id="=cmd|' /C calc'!A0")
    auditor = EmployeeFactory(unit=org["DIR1"], roles=[Role.AUDITOR]).user
    employee = EmployeeFactory(unit=org["DIR1"]).user
    client.force_login(employee)
    assert client.get("/audit/").status_code == 403
    client.force_login(auditor)
    page = client.get("/audit/", {"action": "payslip."})
    assert page.status_code == 200 and "payslip.view" in page.content.decode()
    export = client.get("/audit/", {"action": "payslip.", "format": "csv"})
    body = b"".join(export.streaming_content).decode()
    assert export["Content-Type"].startswith("text/csv")
    assert "'=cmd" in body, "formula-looking values are neutralised"
    assert AuditEntry.objects.filter(action="audit.export", actor=auditor).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # as the other transactional tests: see test_backup
@pytest.mark.skipif(connection.vendor != "postgresql", reason="synchronous_commit is a PostgreSQL setting")
def test_own_transaction_entries_commit_without_waiting_for_the_flush_business_ones_with_their_transaction():
    from django.db import transaction

    from tests.query_bounds import queries

    audit_record(action="test.first")  # the chain's first entry makes its head
    with queries() as alone:
        audit_record(action="payslip.list", details={"year": 2026})
    assert any("set_config('synchronous_commit', 'off', true)" in s for s in alone.sql)
    with queries() as inside, transaction.atomic():
        audit_record(action="leave.approve")
    assert not any("synchronous_commit" in s for s in inside.sql)
    assert audit_verify()[0] and AuditEntry.objects.count() == 3


def test_an_entry_with_awkward_content_is_sealed_as_verification_reads_it(org):
    from tests.factories import EmployeeFactory

    person = EmployeeFactory(unit=org["DIR1"])
    audit_record(action="test.first")
    tricky = {"prev_hash": "p" * 64, "note": 'quotes " and \\ and "prev_hash":"x"', "n": [1, 2.5, None], "ünï": "çødé"}
    entry = audit_record(
        action="document.download", actor=person.user, subject_employee=person, object_type="documents.document",
        object_id="42", acting_for="Kepala Biro SDM", details=tricky, outcome=AuditEntry.Outcome.DENIED,
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.entry_hash == entry.entry_hash == stored.compute_hash()
    assert stored.prev_hash == AuditEntry.objects.get(action="test.first").entry_hash
    assert stored.details == tricky and stored.actor_id == person.user.pk and stored.subject_employee_id == person.pk
    assert audit_verify() == (True, None, 2)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite does not enforce a column's length")
def test_a_value_too_long_for_its_column_fails_whole_and_is_never_cut():
    from django.db import DataError, transaction

    audit_record(action="test.first")
    with pytest.raises(DataError), transaction.atomic():
        audit_record(action="test.read", object_id="9" * 65)
    assert AuditEntry.objects.count() == 1 and audit_verify()[0]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_appends_from_many_connections_at_once_keep_one_unbroken_chain():
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    audit_record(action="test.first")

    def append(n):
        try:
            for i in range(25):
                audit_record(action="test.read", object_id=f"{n}-{i}")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(append, range(8)))
    assert audit_verify() == (True, None, 201)
