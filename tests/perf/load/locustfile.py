"""Locust users for the load benchmark: one page per locust run (BENCH_PAGE), so that each page's throughput can be
set against the two baselines measured the same way.

Environment: BENCH_PAGE (a key of PAGES), BENCH_PLAN (the JSON written by prepare.py), BENCH_OUT (where the raw
samples go: one [t, name, ms, failed] per request). Each locust user takes the next pre-created session in the plan
(roles interleaved), so pages are measured without login in the loop; `login` posts the real password form.

BENCH_RATE (iterations/s over all BENCH_USERS users) paces the users instead of the closed loop: each starts its
iterations at random (Poisson) moments, so that together they arrive at that rate as long as the server keeps up.
This is run.py's capacity measurement.
"""

import itertools
import json
import os
import random
import re
import time

import gevent
from locust import FastHttpUser, constant, events, task

PLAN = json.load(open(os.environ["BENCH_PLAN"]))  # noqa: SIM115 - read once at import
PAGE = os.environ["BENCH_PAGE"]
RATE = float(os.environ.get("BENCH_RATE") or 0)
USERS = int(os.environ.get("BENCH_USERS") or 1)
SAMPLES: list = []
_next = itertools.count()
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ERROR = re.compile(r'class="(?:errorlist|errors)[^"]*"[^>]*>\s*<(?:li|p)[^>]*>([^<]+)')
LEAVE_ID = re.compile(r"/cuti/(\d+)/")

# Which users each page is for (None: the whole interleaved mix of roles).
ROLES = {"inbox": {"superior"}, "leave_submit": {"employee"}, "login": {"employee"}}


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception, **kw):
    SAMPLES.append((time.time(), name, response_time, exception is not None))


@events.quitting.add_listener
def _dump(environment, **kw):
    with open(os.environ["BENCH_OUT"], "w") as fh:
        json.dump(SAMPLES, fh)


def _users_for(page):
    if page == "directory_login":
        return PLAN["directory_users"]  # employees of the bench directory (tests/perf/load/directory.py)
    roles = ROLES.get(page)
    return [u for u in PLAN["users"] if roles is None or u["role"] in roles]


POOL = _users_for(PAGE)


def _paced(user) -> float:
    """Until this user's next iteration: an exponential gap (mean USERS / RATE) counted from the start of the last
    one. The sum of the users' arrivals is then a Poisson stream at RATE; an iteration that outlasts its gap starts the
    next at once (the server is not keeping up, which the achieved rate shows)."""
    gap = user.pace.expovariate(RATE / USERS)
    return max(0.0, gap - (time.time() - user.started))


class BenchUser(FastHttpUser):
    # Closed loop, no think time: the question is how many requests/s the stack serves at N concurrent users.
    # With BENCH_RATE: paced arrivals at that rate (how many per second the stack serves within the p95 target).
    wait_time = _paced if RATE else constant(0)

    def on_start(self):
        self.me = POOL[next(_next) % len(POOL)]
        self.rng = random.Random(self.me["username"])
        self.pace = random.Random()  # arrival gaps: independent per user and per run
        if RATE:  # the first arrival too, or every user would start at once when spawned
            gevent.sleep(self.pace.expovariate(RATE / USERS))
        self.headers = {"Accept-Encoding": "gzip", "Accept-Language": "id"}
        if PAGE not in ("login", "directory_login", "bare"):
            self.client.cookiejar.set_cookie(_cookie(PLAN["session_cookie"], self.me["session"]))

    def get(self, url, name):
        with self.client.get(url, name=name, headers=self.headers, catch_response=True, allow_redirects=False) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code} {r.headers.get('Location', '')}")
        return r

    @task
    def page(self):
        self.started = time.time()
        getattr(self, PAGE)()

    # --- baselines ---
    def bare(self):
        self.get("/_bench/bare", "(a) bare Django")

    def auth(self):
        self.get("/_bench/auth", "(b) authenticated")

    # --- pages ---
    def login(self, password=PLAN["password"], name="login"):
        self.client.cookiejar.clear()
        form = self.client.get("/akun/masuk/", name=f"{name} form", headers=self.headers)
        token = CSRF.search(form.text or "")
        data = {"username": self.me["username"], "password": password,
                "csrfmiddlewaretoken": token.group(1) if token else ""}
        with self.client.post("/akun/masuk/", data=data, name=name, headers=self.headers,
                              catch_response=True, allow_redirects=False) as r:
            if r.status_code != 302:
                r.failure(f"HTTP {r.status_code}: no redirect after login")

    def directory_login(self):
        self.login(PLAN.get("directory_password", ""), "directory login")

    def dashboard(self):
        self.get("/", "dashboard")

    def news_index(self):
        self.get("/berita/", "news index")

    def news_page(self):
        self.get(self.rng.choice(PLAN["news"]), "news page")

    def directory(self):
        self.get(f"/direktori/?q={self.rng.choice(PLAN['names'])}", "directory search")

    def profile(self):
        self.get(f"/direktori/pegawai/{self.rng.choice(PLAN['profiles'])}/", "profile")

    def my_leave(self):
        self.get("/cuti/", "my leave")

    def inbox(self):
        self.get("/cuti/persetujuan/", "approvals inbox")

    def leave_submit(self):
        """File a one-day annual leave on a random working day 7-35 weeks ahead (past the seeded future leave; the
        plan lists the agency calendar's working days), then withdraw it (not measured as
        the page) so the balance never runs out. A refusal shown on the form (e.g. overlap) counts as a failure."""
        form = self.client.get("/cuti/ajukan/", name="leave form", headers=self.headers)
        token = CSRF.search(form.text or "")
        day = self.rng.choice(PLAN["leave_days"])
        data = {"leave_type": PLAN.get("annual_leave_type", ""), "start_date": day, "end_date": day, "reason": "Keperluan keluarga", "address_during_leave": "Jakarta",
                "phone_during_leave": "081234567890", "csrfmiddlewaretoken": token.group(1) if token else ""}
        with self.client.post("/cuti/ajukan/", data=data, name="leave request submit", headers=self.headers,
                              catch_response=True, allow_redirects=False) as r:
            found = LEAVE_ID.search(r.headers.get("Location", "")) if r.status_code == 302 else None
            if found is None:
                why = ERROR.search(r.text or "")
                r.failure(f"HTTP {r.status_code}: not filed: {why.group(1).strip()[:120] if why else ''}")
                return
        self.client.post(f"/cuti/{found.group(1)}/tarik/", data={"csrfmiddlewaretoken": data["csrfmiddlewaretoken"]},
                         name="leave withdraw", headers=self.headers, allow_redirects=False)

    def payslips(self):
        self.get("/slip-gaji/", "my payslips")

    def payslip_pdf(self):
        self.get(self.me.get("payslip_pdf", "/slip-gaji/missing/pdf/"), "payslip PDF")

    def documents(self):
        self.get("/dokumen/", "document list")

    def document_download(self):
        self.get(self.me.get("document_download", "/dokumen/0/unduh/"), "document download")

    def search(self):
        self.get(f"/cari/?q={self.rng.choice(PLAN['search'])}", "global search")


def _cookie(name, value):
    from http.cookiejar import Cookie

    return Cookie(0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None, False, None, None, {})
