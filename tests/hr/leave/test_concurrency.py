"""Real row-lock concurrency on PostgreSQL: threads with their own database connections."""

import datetime as dt

import pytest

from hr.leave import services
from hr.leave.models import ApprovalStep, LeaveRequest, LeaveType, LedgerEntry
from tests.concurrency import postgres_only, run_in_threads

from .conftest import monday, submit

pytestmark = [
    pytest.mark.postgres,
    postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _run_in_threads(n, target):
    return run_in_threads(n, target, services.LeaveError)


@pytest.mark.parametrize("by", ["employee", "user"])  # the form's view gives the account, locked by it
def test_twenty_concurrent_five_day_requests_with_twelve_days(chain, year, by):
    annual = LeaveType.objects.get(code="tahunan")
    who = {"employee": chain.staff} if by == "employee" else {"user": chain.staff.user}
    services.allocate_year(year=year, employee_ids=[chain.staff.pk])
    assert services.ledger_balance(chain.staff.pk, annual.pk, year) == 12

    def submit(i):
        start = monday(year, i)  # 20 different Monday–Friday weeks, no holidays in this calendar
        return services.leave_request_submit(
            **who,
            leave_type=annual,
            start_date=start,
            end_date=start + dt.timedelta(days=4),
            reason="uji",
            address_during_leave="Jl. Uji",
            phone_during_leave="0812000000",
        ).pk

    ok, refused = _run_in_threads(20, submit)
    assert len(ok) <= 2 and len(ok) + len(refused) == 20
    assert len(ok) == 2  # 12 days: two 5-day requests fit, a third does not
    assert all("balance" in m for m in refused), refused
    held = sum(r.days for r in LeaveRequest.objects.filter(employee=chain.staff, status__in=LeaveRequest.PENDING))
    assert services.ledger_balance(chain.staff.pk, annual.pk, year) - held >= 0
    # Approving both keeps the ledger balance non-negative.
    for pk in ok:
        services.leave_request_decide(request_id=pk, user=chain.head.user, outcome="approve")
        services.leave_request_decide(request_id=pk, user=chain.director.user, outcome="approve")
    assert services.ledger_balance(chain.staff.pk, annual.pk, year) == 2
    assert LedgerEntry.objects.filter(employee=chain.staff, kind="usage").count() == 2


def test_deciding_twice_concurrently_yields_one_decision(chain, year):
    annual = LeaveType.objects.get(code="tahunan")
    start = monday(year, 2)
    req = submit(chain.staff, annual, start, start + dt.timedelta(days=2))
    services.leave_request_decide(request_id=req.pk, user=chain.head.user, outcome="approve")
    outcomes = ["approve", "refuse"] * 3

    def decide(i):
        return services.leave_request_decide(
            request_id=req.pk, user=chain.director.user, outcome=outcomes[i], reason="alasan"
        ).status

    ok, refused = _run_in_threads(len(outcomes), decide)
    assert len(ok) == 1, (ok, refused)
    assert all("already been decided" in m for m in refused), refused
    assert ApprovalStep.objects.filter(request=req, stage="official").count() == 1
    assert LedgerEntry.objects.filter(request=req, kind="usage").count() <= 1


def test_a_superior_who_loses_a_race_with_their_own_click_is_told_it_moved_on(chain, year):
    annual = LeaveType.objects.get(code="tahunan")
    start = monday(year, 3)
    req = submit(chain.staff, annual, start, start + dt.timedelta(days=1))

    def decide(_i):
        return services.leave_request_decide(request_id=req.pk, user=chain.head.user, outcome="approve").status

    ok, refused = _run_in_threads(4, decide)
    assert len(ok) == 1, (ok, refused)
    assert refused and all("already acted" in m for m in refused), refused
    assert ApprovalStep.objects.filter(request=req, stage="superior").count() == 1


def test_concurrent_renders_of_one_letter_issue_it_once(chain, year):
    from intranet.core.models import StoredFile
    from intranet.issued import services as issued
    from intranet.issued.models import IssuedDocument

    annual = LeaveType.objects.get(code="tahunan")
    services.allocate_year(year=year, employee_ids=[chain.staff.pk])
    start = monday(year, 2)
    req = submit(chain.staff, annual, start, start)
    services.leave_request_decide(request_id=req.pk, user=chain.head.user, outcome="approve")
    services.leave_request_decide(request_id=req.pk, user=chain.director.user, outcome="approve")
    first = IssuedDocument.objects.get(kind="leave.letter")  # issued by the task after commit
    doc = issued.issue("leave.letter", req, replace=True, deferred=True)  # issued again: pending
    ok, _refused = _run_in_threads(8, lambda i: issued.render(doc.pk).state)  # task, sweep and downloads at once
    assert ok == ["ready"] * 8
    doc.refresh_from_db()
    assert (doc.state, doc.attempts) == ("ready", 1)
    assert StoredFile.objects.filter(name__startswith="issued/leave-letter/").count() == 2  # the first and this one
    assert doc.supersedes_id == first.pk and IssuedDocument.objects.get(pk=first.pk).state == "superseded"
