"""Benchmark (not in the default run): one page of 1,000 employees from GET /api/v1/employees?limit=1000, with
API_BENCH_EMPLOYEES employees in scope (default 5,000) — token check, rate limit, scope, page, audit entry included.
Prints median and worst latency and the query count; the target is ≤ 200 ms per page.

  .venv/bin/pytest tests/perf/test_api.py -s -o addopts= -p no:cacheprovider
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/serambi_api .venv/bin/pytest tests/perf/test_api.py \
      -s -o addopts= -p no:cacheprovider
"""

import datetime as dt
import os
import statistics
import time

import pytest
from django.core.cache import cache
from django.db import connection

from api.models import Endpoint
from api.services import api_client_create
from hr.org.models import Employee, Position, bare_name_key
from tests.query_bounds import queries

N = int(os.environ.get("API_BENCH_EMPLOYEES", "5000"))
RUNS = int(os.environ.get("API_BENCH_RUNS", "15"))
TARGET_MS = 200


@pytest.mark.django_db
def test_thousand_employees_per_page(client, org):
    units = [org["DIR1"], org["SUB1"], org["DIR2"]]
    positions = [
        Position.objects.create(unit=u, name_id=f"Analis {u.code}", name_en=f"Analyst {u.code}") for u in units
    ]
    t0 = time.perf_counter()
    Employee.objects.bulk_create(
        [
            Employee(
                nip=f"19850314201002{i:04d}",
                name=f"Pegawai Contoh {i}",
                sort_name=bare_name_key(f"Pegawai Contoh {i}"),
                front_title="Dr." if i % 5 == 0 else "",
                back_title="S.Kom., M.T." if i % 3 == 0 else "",
                gender="F",
                birth_date=dt.date(1985, 3, 14),
                employment_type="PNS",
                golongan="III/a",
                unit=units[i % 3],
                position=positions[i % 3],
                tmt_cpns=dt.date(2010, 2, 1),
                work_email=f"pegawai{i}@example.go.id",
                work_phone="021-3456789",
            )
            for i in range(N)
        ],
        batch_size=2000,
    )
    print(f"\n{N} employees created in {time.perf_counter() - t0:.1f} s on {connection.vendor}")
    _client, token = api_client_create(
        name="Bench", endpoints=list(Endpoint.values), units=[org["KEM"]], fields=["nip"], rate_limit=10_000
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client.get("/api/v1/employees", {"limit": 1000}, **auth)  # warm-up
    timings, cursor = [], None
    for _ in range(RUNS):
        params = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
        t = time.perf_counter()
        with queries() as q:
            response = client.get("/api/v1/employees", params, **auth)
        timings.append(1000 * (time.perf_counter() - t))
        assert response.status_code == 200
        body = response.json()
        assert len(body["items"]) == 1000 or not body["has_more"]
        cursor = body["next_cursor"]  # walk the pages, then start again
    cache.clear()
    median, worst = statistics.median(timings), max(timings)
    print(
        f"GET /api/v1/employees?limit=1000: median {median:.0f} ms, worst {worst:.0f} ms over {RUNS} pages, "
        f"{len(q)} queries per page (target ≤ {TARGET_MS} ms)"
    )
    assert median <= TARGET_MS
