"""SQL queries per request, one request at a time through Django's test client with the bench settings, against the
same database, Redis and pre-created sessions as the load run (so the session load is counted as it happens live).

    DJANGO_SETTINGS_MODULE=tests.perf.load.settings python -m tests.perf.load.querycount PLAN.json OUT.json

For each page: one request to warm caches, then the counted one (steady state, what the load run sees), and the count
of the first (cold) request. Also times the first-time payslip PDF rendering and each news article's first rendering,
which the load run never sees because every bench user's PDF and every planned article is rendered here first.
"""

import json
import sys
import time

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from demo.management.commands.seed_ministry import counts  # noqa: E402
from hr.payslips import services as payslip_services  # noqa: E402
from hr.payslips.models import Payslip  # noqa: E402


def _client(plan, user):
    client = Client(HTTP_ACCEPT_LANGUAGE="id", HTTP_ACCEPT_ENCODING="gzip")
    if user is not None:
        client.cookies[plan["session_cookie"]] = user["session"]
    return client


def _count(fn):
    with CaptureQueriesContext(connection) as ctx:
        t = time.perf_counter()
        response = fn()
        ms = 1000 * (time.perf_counter() - t)
    return len(ctx.captured_queries), response.status_code, ms


def _summary(timings: list[float]) -> dict:
    """Count, median and maximum of some timings in ms (None for an empty list)."""
    timings = sorted(timings)
    return {"n": len(timings), "median": round(timings[len(timings) // 2], 1) if timings else None,
            "max": round(timings[-1], 1) if timings else None}


def main(plan_path: str, out_path: str) -> None:
    plan = json.load(open(plan_path))  # noqa: SIM115
    users = plan["users"]
    first = {role: next(u for u in users if u["role"] == role) for role in {u["role"] for u in users}}
    emp = first["employee"]
    gets = {
        "auth": (emp, "/_bench/auth"),
        "dashboard": (emp, "/"),
        "news_index": (emp, "/berita/"),
        "news_page": (emp, plan["news"][0]),
        "directory": (emp, f"/direktori/?q={plan['names'][0]}"),
        "profile": (emp, f"/direktori/pegawai/{plan['profiles'][0]}/"),
        "my_leave": (emp, "/cuti/"),
        "inbox": (first["superior"], "/cuti/persetujuan/"),
        "payslips": (emp, "/slip-gaji/"),
        "payslip_pdf": (emp, emp.get("payslip_pdf", "")),
        "documents": (emp, "/dokumen/"),
        "document_download": (emp, emp.get("document_download", "")),
        "search": (emp, f"/cari/?q={plan['search'][0]}"),
    }
    out = {}
    for page, (user, url) in gets.items():
        client = _client(plan, user)
        cold = _count(lambda c=client, u=url: c.get(u))
        warm = _count(lambda c=client, u=url: c.get(u))
        if warm[1] != 200:  # e.g. a session past the idle timeout: counting a redirect would flatter the page
            sys.exit(f"{page} ({url}) answered {warm[1]}, not 200: run prepare.py again for fresh sessions")
        out[page] = {"url": url, "cold": cold[0], "queries": warm[0], "status": warm[1], "ms": round(warm[2], 1)}
        # Other roles on the same page (HR officers and payroll officers see more), steady state.
        for role in ("hr", "payroll", "superior"):
            if role in first and page not in ("inbox", "payslip_pdf", "document_download", "auth"):
                c2 = _client(plan, first[role])
                c2.get(url)
                out[page][f"queries_{role}"] = _count(lambda c=c2, u=url: c.get(u))[0]

    # Login: the real password form (Django's test client does not enforce CSRF).
    client = _client(plan, None)
    client.get("/akun/masuk/")
    n, status, ms = _count(lambda: client.post("/akun/masuk/", {"username": emp["username"],
                                                                "password": plan["password"]}))
    out["login"] = {"url": "/akun/masuk/", "queries": n, "cold": n, "status": status, "ms": round(ms, 1)}

    # Leave request submit (then withdrawn, as in the load run): twice, the first on cold caches (as other pages'
    # "cold" count), the second as every later submit runs.
    client = _client(plan, emp)
    counts_ms = []
    for day in plan["leave_days"][:2]:  # working days of the agency calendar, past the seeded leave
        data = {"leave_type": plan["annual_leave_type"], "start_date": day, "end_date": day,
                "reason": "Keperluan keluarga", "address_during_leave": "Jakarta", "phone_during_leave": "081234567890"}
        client.get("/cuti/ajukan/")
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            r = client.post("/cuti/ajukan/", data)
            ms = 1000 * (time.perf_counter() - t)
        counts_ms.append((len(ctx.captured_queries), ms))
        if r.status_code == 302 and "/cuti/" in r["Location"]:
            client.post(r["Location"].rstrip("/") + "/tarik/")
    out["leave_submit"] = {"url": "/cuti/ajukan/", "queries": counts_ms[1][0], "status": r.status_code,
                           "ms": round(counts_ms[1][1], 1), "cold": counts_ms[0][0]}

    # Every news article of the plan opened once, by the plan's last user (no locust user takes that session at 64
    # users or fewer): the rendered article is kept for all readers for 10 minutes (`cms.news`), and readers in a
    # ministry mostly open the same few recent items, so the load run measures a reader's visit to an article already
    # rendered (as it does for payslip PDFs); the first rendering of each is timed here and reported on its own.
    # This reader's own first-read marks are not the load run's users'.
    client = _client(plan, users[-1])
    timings = []
    for url in plan["news"]:
        _queries, status, ms = _count(lambda c=client, u=url: c.get(u))
        if status != 200:
            sys.exit(f"news page {url} answered {status} to {users[-1]['username']}, not 200")
        timings.append(ms)
    out["_news_first_render_ms"] = _summary(timings)

    # First-time payslip PDF issue (render, sign, store) for every bench user; the load run then measures serving
    # the kept file. The first 24 are timed (on a database whose files were issued by an earlier run, a lookup).
    ids = [u["payslip_pdf"].split("/")[2] for u in users if "payslip_pdf" in u]
    timings = []
    for i, slip in enumerate(Payslip.objects.filter(pk__in=ids).select_related("employee").order_by("pk")):
        t = time.perf_counter()
        payslip_services.payslip_pdf(payslip=slip)
        if i < 24:
            timings.append(1000 * (time.perf_counter() - t))
    out["_pdf_first_render_ms"] = _summary(timings)
    out["_session_engine"] = settings.SESSION_ENGINE
    out["_counts"] = ", ".join(f"{k} {v:,}" for k, v in counts().items())
    json.dump(out, open(out_path, "w"), indent=1)  # noqa: SIM115
    for page, row in out.items():
        print(f"  {page:<20} {row}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
