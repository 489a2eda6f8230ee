"""The ministry-scale load benchmark (issue #10) under `make bench`: generates or reuses the `serambi_bench` database,
runs gunicorn with the production settings and locust at 16 and 64 users, prints the table with both baselines and
the targets (pass/fail). The figures are a report, not assertions; the test fails only if the benchmark cannot run.

  SERAMBI_BENCH_FRACTION=0.02 SERAMBI_BENCH_SECONDS=5 .venv/bin/pytest tests/perf/test_load.py -s -o addopts= \
      -p no:cacheprovider

Environment: SERAMBI_BENCH_FRACTION (share of ministry scale, default 1), SERAMBI_BENCH_SECONDS (per page and user
level, default 20), SERAMBI_BENCH_USERS (default 16,64), SERAMBI_BENCH_PAGES (subset of page keys),
SERAMBI_BENCH_CAPACITY (pages whose capacity within p95 ≤ 150 ms is measured; default login,directory_login,
leave_submit; empty: none), SERAMBI_BENCH_WRITE_DOC=1 (save the table to docs/performance.md), BENCH_PG, BENCH_REDIS_URL. The same runs without
pytest: `.venv/bin/python -m tests.perf.load.run --help`.
"""

import os

import pytest

from tests.perf.load import run


def _reachable() -> str:
    import psycopg
    import redis

    try:
        with psycopg.connect(f"{os.environ.get('BENCH_PG', 'postgres://postgres@127.0.0.1:5432')}/postgres"):
            pass
    except psycopg.Error as exc:
        return f"PostgreSQL not reachable ({exc}); set BENCH_PG"
    try:
        redis.Redis.from_url(os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")).ping()
    except redis.RedisError as exc:
        return f"Redis not reachable ({exc}); set BENCH_REDIS_URL"
    return ""


def test_load_at_ministry_scale():
    missing = _reachable()
    if missing:
        pytest.skip(f"load benchmark needs PostgreSQL and Redis: {missing}")
    args = [
        "--fraction", os.environ.get("SERAMBI_BENCH_FRACTION", "1"),
        "--seconds", os.environ.get("SERAMBI_BENCH_SECONDS", "20"),
        "--users", os.environ.get("SERAMBI_BENCH_USERS", "16,64"),
    ]
    if os.environ.get("SERAMBI_BENCH_PAGES"):
        args += ["--pages", os.environ["SERAMBI_BENCH_PAGES"]]
    if "SERAMBI_BENCH_CAPACITY" in os.environ:
        args += ["--capacity", os.environ["SERAMBI_BENCH_CAPACITY"]]
    if os.environ.get("SERAMBI_BENCH_WRITE_DOC") == "1":
        args.append("--write-doc")
    assert run.main(args) == 0
