import datetime as dt

import pytest
from django.core.cache import cache

from api.models import Endpoint
from api.services import api_client_create
from hr.leave.models import Holiday, LeaveRequest, LeaveType
from hr.leave.workdays import seed_calendar
from tests import factories

ALL = list(Endpoint.values)


@pytest.fixture(autouse=True)
def _api_test_env(settings):
    """Fresh rate-limit counters per test (primary keys repeat after rollbacks); fast passwords; http receivers on
    loopback."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SERAMBI_API_WEBHOOK_ALLOW_HTTP = True
    settings.SERAMBI_API_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]  # the test receivers listen on loopback
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_client(db):
    """make_client(units=[...], endpoints=[...], fields=[...], **kw) -> (ApiClient, token)."""
    counter = iter(range(1, 1000))

    def make(*, units, endpoints=None, fields=None, **kw):
        kw.setdefault("name", f"Sistem {next(counter)}")
        return api_client_create(units=units, endpoints=ALL if endpoints is None else endpoints, fields=fields, **kw)

    return make


@pytest.fixture
def call(client):
    """call(token, path, **params) -> response: a GET with the bearer token (no session)."""

    def do(token, path, method="get", data=None, **params):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        fn = getattr(client, method)
        if method == "get":
            return fn(path, params, **headers)
        return fn(path, data=data, content_type="application/json", **headers)

    return do


@pytest.fixture
def people(org):
    """Two employees in DIR1 (one in SUB1), one in DIR2, one in DJ1 itself."""
    f = factories.EmployeeFactory
    return {
        "dir1": f(
            unit=org["DIR1"],
            name="Ani Direktorat",
            front_title="Dr.",
            back_title="M.T.",
            work_phone="021-111",
            home_address="Jl. Rumah 1",
        ),
        "sub1": f(unit=org["SUB1"], name="Budi Subdit"),
        "dir2": f(unit=org["DIR2"], name="Citra Lain"),
        "dj1": f(unit=org["DJ1"], name="Dedi Eselon Satu"),
    }


@pytest.fixture
def year():
    return 2026


@pytest.fixture
def calendar(db, year):
    """The 2026 calendar with exactly one holiday: Wednesday 18 March 2026."""
    cal = seed_calendar(year)
    Holiday.objects.filter(calendar=cal).delete()
    Holiday.objects.create(calendar=cal, date=dt.date(2026, 3, 18), name="Hari Raya Nyepi", kind="national")
    return cal


def make_leave(employee, start, end, days, status=LeaveRequest.Status.APPROVED, code="tahunan"):
    return LeaveRequest.objects.create(
        employee=employee,
        leave_type=LeaveType.objects.get(code=code),
        start_date=start,
        end_date=end,
        days=days,
        reason="Keperluan keluarga",
        address_during_leave="Bandung",
        phone_during_leave="0812",
        status=status,
    )
