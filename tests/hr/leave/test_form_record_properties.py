"""Section V of the leave form (catatan cuti) against the ledger, over generated histories: four years run through
the real year-end job (allocation, carry-over within the caps, expiry), with leave taken and HR adjustments in between.
For the form's year N:

- the N-2, N-1 and N rows add up to the ledger balances of those three years (a closed year holds nothing);
- no row is negative; N-2 and N-1 together never exceed what was carried into N, and N-2 never exceeds what was
  carried into N-1;
- older days go first: with no leave taken in N the N row is the year's allocation and the older rows are the days
  carried into N; with less taken than was carried, the N row is still whole.

Profiles: `ci` by default, HYPOTHESIS_PROFILE=thorough for many more (tests/conftest.py)."""

import datetime as dt

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import given
from hypothesis import strategies as st

from hr.leave import yearend
from hr.leave.models import LedgerEntry, LedgerYearClose
from hr.leave.official.record import annual_table

pytestmark = pytest.mark.django_db
FIRST = 2030
N = FIRST + 3

year_history = st.tuples(
    st.lists(st.integers(min_value=1, max_value=6), max_size=4),  # leave taken, in days, while the balance lasts
    st.integers(min_value=-2, max_value=3),  # an HR adjustment (0: none)
)


def balance(employee, leave_type, year: int) -> int:
    entries = LedgerEntry.objects.filter(employee=employee, leave_type=leave_type, year=year)
    return entries.aggregate(s=Sum("days"))["s"] or 0


def carried_into(employee, leave_type, year: int) -> int:
    close = LedgerYearClose.objects.filter(employee=employee, leave_type=leave_type, year=year - 1).first()
    return close.carried if close else 0


@given(history=st.lists(year_history, min_size=4, max_size=4))
def test_catatan_cuti_matches_the_ledger(chain, types, history):
    staff, annual = chain.staff, types["tahunan"]
    with transaction.atomic():
        sid = transaction.savepoint()
        taken_in = {}
        for offset, (usages, adjustment) in enumerate(history):
            year = FIRST + offset
            yearend.year_end(year=year, employee_ids=[staff.pk], today=dt.date(year, 1, 2))
            if adjustment:
                adjustment = max(adjustment, -balance(staff, annual, year))
                if adjustment:
                    LedgerEntry.objects.create(
                        employee=staff, leave_type=annual, year=year, kind="adjustment", days=adjustment, reason="t"
                    )
            taken_in[year] = 0
            for days in usages:
                days = min(days, balance(staff, annual, year))
                if days:
                    LedgerEntry.objects.create(employee=staff, leave_type=annual, year=year, kind="usage", days=-days)
                    taken_in[year] += days
        rows = {row.label: row for row in annual_table(staff, N)}
        old, last, current = rows["N-2"].remaining, rows["N-1"].remaining, rows["N"].remaining
        assert [rows[k].year for k in ("N-2", "N-1", "N")] == [N - 2, N - 1, N]

        assert old + last + current == sum(balance(staff, annual, y) for y in (N - 2, N - 1, N))
        assert balance(staff, annual, N - 2) == balance(staff, annual, N - 1) == 0  # closed, nothing pending
        assert min(old, last, current) >= 0
        into_n, into_last = carried_into(staff, annual, N), carried_into(staff, annual, N - 1)
        assert old + last <= into_n and old <= into_last
        # older days go first: what was spent in N (leave, a negative adjustment) comes out of the carried days
        entries = LedgerEntry.objects.filter(
            employee=staff, leave_type=annual, year=N, kind__in=("allocation", "adjustment")
        )
        own = sum(e.days for e in entries if e.days > 0)
        spent = taken_in[N] + sum(-e.days for e in entries if e.days < 0)
        if spent <= into_n:
            assert current == own and old + last == into_n - spent
        transaction.savepoint_rollback(sid)
