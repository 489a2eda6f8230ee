"""What clients see: unit scope, work fields only (NIP when granted), cursor pagination and incremental pulls,
approved leave with working days, the holiday calendar, exports; query counts independent of data and page size."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from hr.leave.models import LeaveRequest, LeaveType
from hr.org.models import Employee
from tests import factories
from tests.query_bounds import assert_flat

from .conftest import make_leave

WORK_FIELDS = {
    "id",
    "name",
    "full_name",
    "front_title",
    "back_title",
    "position",
    "unit_code",
    "unit_name",
    "work_email",
    "work_phone",
    "active",
    "updated_at",
}


def pull_all(call, token, path, **params):
    items, cursor, pages = [], params.pop("cursor", None), 0
    while True:
        body = call(token, path, **params, **({"cursor": cursor} if cursor else {})).json()
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        assert body["has_more"] is (cursor is not None)
        if not cursor:
            return items, pages


# --- employees -------------------------------------------------------------------------------------------------------
def test_employees_only_in_scope_and_only_work_fields(call, make_client, org, people):
    _c, token = make_client(units=[org["DIR1"]])
    items = call(token, "/api/v1/employees").json()["items"]
    assert {e["name"] for e in items} == {"Ani Direktorat", "Budi Subdit"}
    for item in items:
        assert set(item) == WORK_FIELDS  # no nip, birth date, golongan, home address, personal phone
    ani = next(e for e in items if e["name"] == "Ani Direktorat")
    assert ani["full_name"] == "Dr. Ani Direktorat, M.T."
    assert ani["unit_code"] == "DIR1" and ani["work_phone"] == "021-111"


def test_nip_only_for_clients_granted_it(call, make_client, org, people):
    _c, token = make_client(units=[org["DIR2"]], fields=["nip"])
    (item,) = call(token, "/api/v1/employees").json()["items"]
    assert item["nip"] == people["dir2"].nip


def test_several_scope_units_and_unit_filter(call, make_client, org, people):
    _c, token = make_client(units=[org["SUB1"], org["DIR2"]])
    names = {e["name"] for e in call(token, "/api/v1/employees").json()["items"]}
    assert names == {"Budi Subdit", "Citra Lain"}
    names = {e["name"] for e in call(token, "/api/v1/employees", unit="DIR2").json()["items"]}
    assert names == {"Citra Lain"}
    # a unit outside the scope answers exactly like a unit that does not exist
    assert call(token, "/api/v1/employees", unit="DIR1").json()["error"]["code"] == "not_found"
    assert call(token, "/api/v1/employees", unit="NOPE").json()["error"]["code"] == "not_found"


def test_client_without_units_sees_nothing(call, make_client, org, people):
    _c, token = make_client(units=[])
    assert call(token, "/api/v1/employees").json()["items"] == []
    assert call(token, "/api/v1/units").json()["items"] == []
    assert call(token, "/api/v1/leave").json()["items"] == []


def test_cursor_pagination_visits_every_employee_once(call, make_client, org):
    for i in range(7):
        factories.EmployeeFactory(unit=org["SUB1"], name=f"Pegawai {i}")
    _c, token = make_client(units=[org["DIR1"]])
    items, pages = pull_all(call, token, "/api/v1/employees", limit=3)
    assert pages == 3
    assert len(items) == 7 == len({e["id"] for e in items})


def test_cursor_is_stable_while_rows_change_and_incremental_pull(call, make_client, org):
    emps = [factories.EmployeeFactory(unit=org["SUB1"], name=f"Pegawai {i}") for i in range(6)]
    _c, token = make_client(units=[org["DIR1"]])
    first = call(token, "/api/v1/employees", limit=3).json()
    seen = [e["id"] for e in first["items"]]
    # a row from the first page changes, and a new one arrives, during the pull
    changed = Employee.objects.get(pk=seen[0])
    changed.work_phone = "021-999"
    changed.save()
    newcomer = factories.EmployeeFactory(unit=org["SUB1"], name="Pendatang Baru")
    rest, _pages = pull_all(call, token, "/api/v1/employees", limit=3, cursor=first["next_cursor"])
    rest_ids = [e["id"] for e in rest]
    # nothing skipped; the changed row is seen again (at the end), with its new value
    assert set(seen + rest_ids) == {e.pk for e in emps} | {newcomer.pk}
    assert rest_ids[-2:] == [changed.pk, newcomer.pk]
    assert rest[-2]["work_phone"] == "021-999"

    # incremental pull: only rows changed at or after the last updated_at seen
    mark = max(e["updated_at"] for e in rest)
    assert call(token, "/api/v1/employees", updated_since=mark).json()["items"][-1]["id"] == newcomer.pk
    later = timezone.now() + dt.timedelta(seconds=1)
    Employee.objects.filter(pk=emps[3].pk).update(updated_at=later, active=False)
    items = call(token, "/api/v1/employees", updated_since=later.isoformat()).json()["items"]
    assert [(e["id"], e["active"]) for e in items] == [(emps[3].pk, False)]
    assert [e["id"] for e in call(token, "/api/v1/employees", active="false").json()["items"]] == [emps[3].pk]


def test_a_cursor_from_another_list_is_rejected(call, make_client, org):
    for _ in range(3):
        factories.EmployeeFactory(unit=org["SUB1"])
    _c, token = make_client(units=[org["KEM"]])
    cursor = call(token, "/api/v1/units", limit=1).json()["next_cursor"]
    assert call(token, "/api/v1/employees", cursor=cursor).json()["error"]["code"] == "invalid_cursor"


def test_employee_page_query_count_is_constant(call, make_client, org):
    """A page of 20 employees and a full page of 1,000 (of 2,000) run the same queries."""
    _c, token = make_client(units=[org["DIR1"]], fields=["nip"])
    body = assert_flat(
        lambda: call(token, "/api/v1/employees", limit=1000).json(),
        grow=lambda n: factories.bulk_employees(n, [org["SUB1"]]),
        at_most=8,
    )
    assert len(body["items"]) == 1000 and body["has_more"]


# --- units -----------------------------------------------------------------------------------------------------------
def test_units_in_scope_with_parents_inside_scope_only(call, make_client, org):
    _c, token = make_client(units=[org["DJ1"]])
    items, _ = pull_all(call, token, "/api/v1/units", limit=2)
    by_code = {u["code"]: u for u in items}
    assert set(by_code) == {"DJ1", "DIR1", "DIR2", "SUB1"}  # not KEM
    assert by_code["DJ1"]["parent_code"] is None  # its parent is outside the scope
    assert by_code["SUB1"]["parent_code"] == "DIR1"
    assert by_code["DIR1"]["head_position"] == "Kepala Direktorat Satu"


# --- holidays --------------------------------------------------------------------------------------------------------
def test_holiday_calendar(call, make_client, org, calendar):
    _c, token = make_client(units=[org["DIR1"]], endpoints=["holidays"])
    body = call(token, "/api/v1/holidays/2026").json()
    assert body["year"] == 2026 and body["working_weekdays"] == [0, 1, 2, 3, 4]
    assert body["holidays"] == [{"date": "2026-03-18", "name": "Hari Raya Nyepi", "kind": "national"}]


# --- leave -----------------------------------------------------------------------------------------------------------
def test_approved_leave_by_period_with_working_days(call, make_client, org, people, calendar):
    mon = dt.date(2026, 3, 16)  # Mon 16 – Fri 27 March, holiday Wed 18 March
    make_leave(people["dir1"], mon, mon + dt.timedelta(days=11), 9)
    make_leave(people["sub1"], mon, mon, 1, status=LeaveRequest.Status.AWAITING_SUPERIOR)  # not approved
    make_leave(people["dir2"], mon, mon, 1)  # out of scope
    make_leave(people["sub1"], dt.date(2026, 5, 4), dt.date(2026, 5, 4), 1)  # outside the period
    _c, token = make_client(units=[org["DIR1"]])
    (item,) = call(token, "/api/v1/leave", start="2026-03-01", end="2026-03-20").json()["items"]
    assert item["employee"]["full_name"] == "Dr. Ani Direktorat, M.T." and "nip" not in item["employee"]
    assert (item["leave_type_code"], item["days"], item["days_unit"]) == ("tahunan", 9, "working_days")
    assert (item["period_start"], item["period_end"]) == ("2026-03-16", "2026-03-20")
    assert item["working_days_in_period"] == 4  # Mon, Tue, Thu, Fri: Wednesday is Nyepi
    assert item["unit_code"] == "DIR1"
    assert "reason" not in item and "address_during_leave" not in item
    # by unit, within scope
    assert call(token, "/api/v1/leave", unit="SUB1").json()["items"][0]["employee"]["name"] == "Budi Subdit"
    assert call(token, "/api/v1/leave", unit="DIR2").status_code == 404
    assert call(token, "/api/v1/leave", start="2026-03-20", end="2026-03-01").json()["error"]["code"] == (
        "invalid_period"
    )


def test_leave_summary_per_employee_and_type(call, make_client, org, people, calendar):
    make_leave(people["dir1"], dt.date(2026, 3, 16), dt.date(2026, 3, 27), 9)  # 9 working days (Nyepi on the 18th)
    make_leave(people["dir1"], dt.date(2026, 3, 30), dt.date(2026, 4, 3), 5, code="sakit")  # 2 in March
    make_leave(people["sub1"], dt.date(2026, 3, 2), dt.date(2026, 3, 2), 1)
    make_leave(people["dir2"], dt.date(2026, 3, 2), dt.date(2026, 3, 2), 1)  # out of scope
    _c, token = make_client(units=[org["DIR1"]], endpoints=["leave"])
    items, pages = pull_all(call, token, "/api/v1/leave/summary", start="2026-03-01", end="2026-03-31", limit=1)
    assert pages == 2
    by_name = {i["employee"]["name"]: i for i in items}
    assert set(by_name) == {"Ani Direktorat", "Budi Subdit"}
    assert by_name["Ani Direktorat"]["by_type"] == {"tahunan": 9, "sakit": 2}
    assert by_name["Ani Direktorat"]["working_days"] == 11
    assert by_name["Budi Subdit"]["working_days"] == 1
    assert call(token, "/api/v1/leave/summary", start="2026-03-01").status_code == 422  # the period is required


def test_cancelled_leave_on_request_and_nip_when_granted(call, make_client, org, people, calendar):
    req = make_leave(people["dir1"], dt.date(2026, 3, 16), dt.date(2026, 3, 17), 2)
    _c, token = make_client(units=[org["DIR1"]], fields=["nip"])
    assert call(token, "/api/v1/leave").json()["items"][0]["employee"]["nip"] == people["dir1"].nip
    req.status = LeaveRequest.Status.CANCELLED
    req.save()
    assert call(token, "/api/v1/leave").json()["items"] == []
    (item,) = call(token, "/api/v1/leave", include_cancelled="true").json()["items"]
    assert item["status"] == "cancelled"


def _on_leave(org, length: int):
    """`grow` for assert_flat: n employees of DIR1 and SUB1, each with approved leave of `length` days in March 2026."""

    def grow(n):
        people = factories.bulk_employees(n, [org["SUB1"], org["DIR1"]], name="Pegawai Cuti")
        annual = LeaveType.objects.get(code="tahunan")
        LeaveRequest.objects.bulk_create(
            LeaveRequest(
                employee=employee,
                leave_type=annual,
                start_date=dt.date(2026, 3, 2) + dt.timedelta(days=i % 10),
                end_date=dt.date(2026, 3, 2) + dt.timedelta(days=i % 10 + length - 1),
                days=length,
                reason="Keperluan keluarga",
                address_during_leave="Bandung",
                phone_during_leave="0812",
                status=LeaveRequest.Status.APPROVED,
            )
            for i, employee in enumerate(people)
        )

    return grow


def test_leave_summary_query_count_is_constant(call, make_client, org, calendar):
    """Summary pages of 20 and of 1,000 (of 2,000) employees run the same queries."""
    _c, token = make_client(units=[org["DIR1"]])
    body = assert_flat(
        lambda: call(token, "/api/v1/leave/summary", start="2026-03-01", end="2026-03-31", limit=1000).json(),
        grow=_on_leave(org, 5),
        at_most=11,
    )
    assert len(body["items"]) == 1000


def test_leave_page_query_count_is_constant(call, make_client, org, calendar):
    """A page of 20 and a page of 1,000 (of 2,000) approved leave rows in one month run the same queries."""
    _c, token = make_client(units=[org["DIR1"]])
    body = assert_flat(
        lambda: call(token, "/api/v1/leave", start="2026-03-01", end="2026-03-31", limit=1000).json(),
        grow=_on_leave(org, 1),
        at_most=10,
    )
    assert len(body["items"]) == 1000


# --- exports ---------------------------------------------------------------------------------------------------------
@pytest.fixture
def risky_leave(org, people, calendar):
    evil = factories.EmployeeFactory(unit=org["SUB1"], name='=HYPERLINK("http://x")', back_title="+1")
    make_leave(evil, dt.date(2026, 3, 16), dt.date(2026, 3, 16), 1)
    make_leave(people["dir1"], dt.date(2026, 3, 17), dt.date(2026, 3, 17), 1)
    make_leave(people["dir2"], dt.date(2026, 3, 17), dt.date(2026, 3, 17), 1)
    return evil


def test_csv_export_for_api_clients_is_scoped_and_neutralised(call, make_client, org, risky_leave):
    _c, token = make_client(units=[org["DIR1"]], endpoints=["exports"])
    response = call(token, "/api/v1/exports/leave", start="2026-03-01", end="2026-03-31")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    names = [r[2] for r in rows[1:]]
    assert names == ["Dr. Ani Direktorat, M.T.", '\'=HYPERLINK("http://x"), +1']
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)


def test_xlsx_export_holds_no_formulas(call, make_client, org, risky_leave):
    from openpyxl import load_workbook

    _c, token = make_client(units=[org["DIR1"]], endpoints=["exports"])
    response = call(token, "/api/v1/exports/leave", start="2026-03-01", end="2026-03-31", format="xlsx")
    ws = load_workbook(io.BytesIO(response.content)).active
    cells = {c.value: c for row in ws.iter_rows() for c in row}
    risky = cells['=HYPERLINK("http://x"), +1']  # kept as written, stored as text that Excel never runs
    assert risky.data_type == "s" and risky.quotePrefix
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert ws.max_row == 3


def test_hr_officer_export_view_covers_their_scope_only(client, org, people, risky_leave):
    hr = factories.EmployeeFactory(unit=org["DIR1"]).user
    factories.give_scope(hr, org["SUB1"])
    client.force_login(hr)
    page = client.get("/api/ekspor/cuti/")
    assert page.status_code == 200 and b'data-testid="leave-export-form"' in page.content
    response = client.get("/api/ekspor/cuti/", {"start": "2026-03-01", "end": "2026-03-31", "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][2].startswith("'=HYPERLINK")
    assert rows[1][3] == risky_leave.nip  # HR in scope may see the NIP


def test_export_view_is_for_hr_officers(client, people):
    client.force_login(people["dir1"].user)
    assert client.get("/api/ekspor/cuti/").status_code == 403
