"""Hostile input on every route: each URL pattern of the project (walked from the resolver; of the two third-party
admins, a sample), requested by signed-in users with hostile path parameters, query strings and form bodies — huge
integers, NUL bytes, invalid UTF-8, very long strings, wrong content types. No answer may be a 5xx, and no request
may write a domain row: the SQL each request runs is captured, and an INSERT, UPDATE or DELETE on a domain table is a
finding (the audit trail, sessions, lockout records and notifications of a refusal may be written)."""

import re
import urllib.parse

import pytest
from django.db import transaction
from django.test import Client

from tests.intranet.security.conftest import world  # noqa: F401 - the access table's world
from tests.intranet.security.routes import SHADOWED, all_routes, is_admin_route, sample_path
from tests.query_bounds import queries

HUGE = "9" * 19
LONG = "x" * 20_000
# Query strings, raw (so invalid UTF-8 and NUL stay as sent): each names the parameters the project's views read.
QUERIES = [
    f"page={HUGE}&year={HUGE}&month={HUGE}&unit={HUGE}&type={HUGE}&leave_type={HUGE}&status={HUGE}",
    "page=-1&year=-2026&month=13&unit=-1&start=2026-02-30&end=0000-00-00&period=2026-99",
    "q=%00&search=%00&unit=%00&status=%00&year=%00&page=%00&next=%00",
    f"q=%FF%FE%FD&page=%FF&year=%C0%AF&next=%FF&search={LONG}",
]
BODY = {
    "q": "\x00", "page": HUGE, "year": HUGE, "month": HUGE, "days": HUGE, "amount": "1e999", "unit": HUGE,
    "start": "9999-99-99", "end": "2026-02-30", "leave_type": HUGE, "reason": LONG, "address": "\x00" * 10,
    "nip": HUGE, "url": "http://\x00example", "token": "\x00", "code": HUGE, "outcome": "\x00", "employee": HUGE,
}
POSTS = [
    {"data": urllib.parse.urlencode(BODY).encode(), "content_type": "application/x-www-form-urlencoded"},
    {"data": b"\xff\xfe{\x00", "content_type": "application/json"},
    {"data": b"--x\r\n\x00", "content_type": "multipart/form-data; boundary=x"},
]
# Tables a refused request may legitimately write: the audit trail of the refusal, sessions, lockout and throttle
# records, notifications of the refusal, and the admins' own log.
MAY_WRITE = re.compile(r'^(audit_|django_session|axes_|notifications_|security_|django_admin_log|wagtailcore_)')
# Actions whose only input is the request itself, so a hostile body is simply ignored: the owner withdrawing her own
# request, renewing her calendar-feed token; the enrolment page keeps the pending device whose QR code it shows.
ACTIONS = {
    "leave:withdraw": {"leave_leaverequest", "leave_approvalstep"},
    "leave:feed_settings": {"leave_calendarfeedtoken"},
    "security:2fa_setup": {"otp_totp_totpdevice"},
}
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
# Who asks: an employee (sees only their own things) and a scoped HR officer (the most forms); the administrator
# for the admin sample.
ACTORS = ("owner", "hr_in")
ADMIN_SAMPLE = ("django-admin/accounts", "django-admin/org", "cms-admin/pages/<int:page_id>/edit")


def _hostile_paths(route: str) -> list[str]:
    paths = {sample_path(route)}
    if "<" in route or "(?P" in route:
        paths.add(sample_path(route).replace("/1/", f"/{HUGE}/"))  # each integer parameter huge
        paths.add(sample_path(route).replace("/x/", "/%00/"))  # NUL where a text parameter goes
    return sorted(paths)


def _routes():
    """(route, name, actors) to attack."""
    for route, name in all_routes():
        if name in SHADOWED or route.startswith("api/"):  # the API has its own fuzz test (tests/api)
            continue
        if is_admin_route(route):
            if route.startswith(ADMIN_SAMPLE):
                yield route, name, ("administrator",)
            continue
        yield route, name, ACTORS


def _send(client, method, path, **extra) -> tuple[int, set[str]]:
    with transaction.atomic(), queries() as q:
        if method == "GET":
            response = client.generic("GET", path.split("?")[0], QUERY_STRING=path.partition("?")[2], **extra)
        else:
            response = client.generic(method, path, **extra)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        transaction.set_rollback(True)
    written = {m.group(1) for s in q.sql if (m := WRITE.match(s))}
    return response.status_code, {t for t in written if not MAY_WRITE.match(t)}


@pytest.mark.django_db
def test_no_route_answers_5xx_or_writes_on_hostile_input(world):  # noqa: F811 - the imported fixture
    clients = {}
    for actor in (*ACTORS, "administrator"):
        clients[actor] = Client(raise_request_exception=False)
        clients[actor].force_login(world.cast[actor].user)
    findings, sent = [], 0
    for route, name, actors in _routes():
        for actor in actors:
            client = clients[actor]
            for path in _hostile_paths(route):
                attempts = [("GET", f"{path}?{q}", {}) for q in QUERIES] + [("POST", path, body) for body in POSTS]
                for method, target, extra in attempts:
                    status, written = _send(client, method, target, **extra)
                    sent += 1
                    if status >= 500:
                        findings.append(f"{method} {target[:120]} ({name}) as {actor}: {status}")
                    elif written - ACTIONS.get(name, set()) and status < 400:
                        findings.append(f"{method} {target[:120]} ({name}) as {actor}: wrote {sorted(written)}")
                client.force_login(world.cast[actor].user)  # a hostile POST to a logout route ends the session
    assert sent > 1000, "the route enumeration looks broken"
    assert not findings, f"{len(findings)} of {sent} hostile requests failed:\n" + "\n".join(findings[:80])


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/cari/?q=%00", "/direktori/?q=a%00b", "/direktori/unit/%00/", "/cuti/?page=%00"])
def test_nul_in_an_address_is_a_plain_400(client, django_user_model, path):
    client.force_login(django_user_model.objects.create_user("pegawai-nul", password="x"))
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 400
    assert "Kembali dan coba lagi." in response.content.decode()  # the branded 400 page, in the reader's language
