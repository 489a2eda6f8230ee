"""Prepare a load run: logged-in sessions for bench users spread over roles, and the URLs each of them requests.

Run with the bench settings against the generated database (tests/perf/load/run.py does this):

    DJANGO_SETTINGS_MODULE=tests.perf.load.settings python -m tests.perf.load.prepare OUT.json

Sessions are created the way django.contrib.auth.login() and django_otp.login() leave them, directly in the configured
session store, so the measured pages are not dominated by password hashing (login itself is a page of its own, with
real passwords). Privileged roles (HR, payroll) must pass the second factor: each gets a confirmed TOTP device and its
session carries that device's persistent id plus the verification time — exactly what a verified login stores.
Every user gets a session of its own; no two locust users share a cookie. The directory-login row has employees of its
own, written to a directory file beside the plan (tests/perf/load/directory.py).
"""

import json
import sys
import time
from datetime import timedelta
from pathlib import Path

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.hashers import get_hasher, identify_hasher  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from cms.news.models import NewsPage  # noqa: E402
from hr.documents import selectors as document_selectors  # noqa: E402
from hr.leave import services as leave_services  # noqa: E402
from hr.leave.models import LeaveRequest, LeaveType  # noqa: E402
from hr.leave.workdays import year_calendar  # noqa: E402
from hr.org.models import Employee, HRScope, OrgUnit  # noqa: E402
from hr.org.seed import DEMO_PASSWORD  # noqa: E402
from hr.payslips.selectors import own_payslips  # noqa: E402
from intranet.security.models import UserSession  # noqa: E402
from intranet.security.twofactor import VERIFIED_AT, is_privileged  # noqa: E402
from tests.perf.load import directory  # noqa: E402

# How many distinct users of each role; locust users take sessions round-robin from the mixed list.
LEAVE_AHEAD = (50, 250)  # bench leave requests fall this many days ahead, past the seeded future leave
ROLE_COUNTS = {"employee": 96, "superior": 24, "hr": 8, "payroll": 8}
SEARCH_WORDS = ["rapat koordinasi", "sosialisasi", "reformasi birokrasi", "zona integritas", "pelayanan publik",
                "bimbingan teknis", "SPBE", "manajemen risiko", "pengadaan", "arsip"]


def _session(user, device=None) -> str:
    store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
    now = int(time.time())
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store["serambi_login_at"] = now
    store["serambi_seen_at"] = now
    if device is not None:
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id
        store[VERIFIED_AT] = now
    store.create()
    UserSession.objects.update_or_create(session_key=store.session_key, defaults={"user": user, "user_agent": "locust"})
    return store.session_key


def _current_hash(user) -> None:
    """A password hash from an older hasher is upgraded at the user's next login, and a new hash ends the user's
    other sessions (their auth hash changes): the login row would log out the sessions made here mid-run. Upgrade
    it now, before the sessions are made, as that first login would."""
    if not user.has_usable_password():
        return
    current, preferred = identify_hasher(user.password), get_hasher("default")
    if current.algorithm != preferred.algorithm or preferred.must_update(user.password):
        if not user.check_password(DEMO_PASSWORD):  # verifies and saves the hash with the current hasher
            raise SystemExit(f"bench user {user.username} does not have the demo password")


def _device(user):
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)


def _urls_for(user) -> dict:
    out = {}
    slip = own_payslips(user).first()
    if slip is not None:
        out["payslip_pdf"] = f"/slip-gaji/{slip.pk}/pdf/"
    docs = document_selectors.my_personnel_file(user)[:20]
    for doc in docs:
        if doc.current_version_id and document_selectors.can_download(user, doc):
            out["document_download"] = f"/dokumen/{doc.pk}/unduh/"
            break
    return out


def _working_days(first: int, last: int) -> list[str]:
    """Working days (the agency calendar: weekends, holidays, cuti bersama) from `first` to `last` days ahead."""
    today = timezone.localdate()
    days = [today + timedelta(days=n) for n in range(first, last)]
    cals = {y: year_calendar(y) for y in {d.year for d in days}}
    return [d.isoformat() for d in days if cals[d.year].is_working_day(d)]


def _withdraw_leftovers(employees) -> None:
    """A load run that stops between a leave submit and its withdrawal leaves a pending request, which a later run's
    submit for the same day would overlap: withdraw those (through the service, as the employee would)."""
    first = timezone.localdate() + timedelta(days=LEAVE_AHEAD[0])
    pending = LeaveRequest.objects.filter(
        employee__in=employees, start_date__gte=first, status__in=[LeaveRequest.Status.AWAITING_SUPERIOR,
                                                                   LeaveRequest.Status.AWAITING_OFFICIAL]
    ).select_related("employee__user")
    n = 0
    for req in pending:
        leave_services.leave_request_withdraw(request_id=req.pk, user=req.employee.user)
        n += 1
    if n:
        print(f"withdrew {n} pending leave requests left by an earlier run")


def main(out_path: str) -> None:
    heads = OrgUnit.objects.filter(level=4).values_list("head_position_id", flat=True)
    picked = {
        "superior": list(
            Employee.objects.filter(active=True, position_id__in=heads).select_related("user").order_by("pk")[
                : ROLE_COUNTS["superior"]
            ]
        ),
        "hr": [
            s.user.employee
            for s in HRScope.objects.filter(kind=HRScope.Kind.HR).select_related("user__employee")[: ROLE_COUNTS["hr"]]
        ],
        "payroll": [
            s.user.employee
            for s in HRScope.objects.filter(kind=HRScope.Kind.PAYROLL).select_related("user__employee")[
                : ROLE_COUNTS["payroll"]
            ]
        ],
    }
    taken = {e.pk for group in picked.values() for e in group}
    staff = (
        Employee.objects.filter(active=True, user__isnull=False, user__is_staff=False)
        .exclude(position__headed_unit__isnull=False)
        .exclude(pk__in=taken)
        .select_related("user")
        .order_by("pk")
    )
    picked["employee"] = [e for e in staff[:400] if not is_privileged(e.user)][: ROLE_COUNTS["employee"]]
    _withdraw_leftovers([e for group in picked.values() for e in group])
    users = []
    for role, employees in picked.items():
        for emp in employees:
            user = emp.user
            _current_hash(user)
            device = _device(user) if is_privileged(user) else None
            users.append({"role": role, "username": user.username, "employee": emp.pk,
                          "session": _session(user, device), **_urls_for(user)})
    # Interleave roles so that any N consecutive users are a mix: 70% employees, 18% superiors, 6% HR, 6% payroll.
    by_role = {r: [u for u in users if u["role"] == r] for r in ROLE_COUNTS}
    mixed = []
    pattern = ["employee"] * 12 + ["superior"] * 3 + ["hr", "payroll"]
    while any(by_role.values()):
        for role in pattern:
            if by_role[role]:
                mixed.append(by_role[role].pop(0))
    pool = directory.pick_pool(taken | {u["employee"] for u in users})
    if directory.find_slapd():  # else run.py reports the directory-login row as not measured
        directory.write_ldif(Path(out_path).with_name("directory.ldif"), pool)
    news = list(NewsPage.objects.live().filter(locale__language_code="id").order_by("?")[:300])
    plan = {
        "password": DEMO_PASSWORD,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "users": mixed,
        "news": [p.get_url() for p in news],
        "profiles": list(Employee.objects.filter(active=True).order_by("?").values_list("pk", flat=True)[:500]),
        "names": sorted({e.name.split()[-1] for e in Employee.objects.order_by("?")[:200]}),
        "search": SEARCH_WORDS,
        "annual_leave_type": LeaveType.objects.get(code="tahunan").pk,
        "leave_days": _working_days(*LEAVE_AHEAD),
        # the directory-login row's own employees (tests/perf/load/directory.py)
        "directory_users": [{"role": "employee", "username": e.user.username, "employee": e.pk} for e in pool],
        "directory_password": directory.PASSWORD,
    }
    with open(out_path, "w") as fh:
        json.dump(plan, fh)
    counts = {r: len([u for u in mixed if u["role"] == r]) for r in ROLE_COUNTS}
    missing = {k: sum(1 for u in mixed if k not in u) for k in ("payslip_pdf", "document_download")}
    print(f"sessions: {counts}; users without a payslip/document to fetch: {missing}; news urls: {len(plan['news'])}; "
          f"directory-login employees: {len(pool)}")


if __name__ == "__main__":
    main(sys.argv[1])
