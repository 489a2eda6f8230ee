"""Case-insensitive lookups that run on every login (and the search by document number) must be served by an index
on PostgreSQL. Django emits `UPPER(col::text) = UPPER(%s)` for `__iexact`; the expression indexes of migrations
accounts 0005 and documents 0005 only help while that stays so. At ministry scale the login's account lookup read all
50,000 accounts (33–40 ms of every login) before the index existed; the directory backend's break-glass check is the
same lookup."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.db import connection

from hr.documents.selectors import find_by_number
from intranet.accounts.models import User
from tests.query_bounds import queries

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="expression indexes are checked on PostgreSQL only"),
]


def _statement(run, table: str) -> tuple[str, object]:
    """The SQL (parameters inlined) of the case-insensitive lookup reading `table` that `run` executes, and what
    `run` returned."""
    with queries() as q:
        result = run()
    found = [s for s in q.reading(table) if "UPPER(" in s]
    assert found, q.listing()
    return found[0], result


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny test table would be read whole otherwise
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_login_finds_the_account_through_the_username_index():
    user = User.objects.create_user("siti.rahma", password="Rahasia-2026")  # noqa: S106
    sql, found = _statement(
        lambda: ModelBackend().authenticate(None, username="Siti.Rahma", password="Rahasia-2026"), "accounts_user"
    )
    assert found == user  # typed in another case, still the account
    assert "user_username_upper" in _plan(sql)


def test_the_search_by_document_number_uses_the_number_index():
    reader = User.objects.create_user("pembaca")
    sql, found = _statement(lambda: find_by_number(reader, "800/12/kp.2026"), "documents_document")
    assert found == []
    assert "document_number_upper" in _plan(sql)
