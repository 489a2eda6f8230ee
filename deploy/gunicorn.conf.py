"""gunicorn settings for Serambi. Override any of these with GUNICORN_* environment variables."""

import multiprocessing
import os

from gunicorn.glogging import Logger

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Workers are recycled for memory hygiene, but each restart starts with cold per-process caches (and, without
# preload_app below, re-imports every app): at ministry load 2,000 requests meant a restart every 30–40 s per worker,
# visible as p95 spikes in the load benchmark. Worker memory stays flat (about 160–190 MB).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "2000"))
accesslog = "-"


class _RedactingLogger(Logger):
    """The access log without the iCal feed token (intranet/core/log_redaction.py)."""

    def atoms(self, resp, req, environ, request_time):
        from intranet.core.log_redaction import redact

        atoms = super().atoms(resp, req, environ, request_time)
        # every atom a format could use: the request line, the path, the referrer, {raw_uri}e and the like
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}


logger_class = _RedactingLogger
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# The master imports Django, Wagtail and every app once, and workers are forked from it: starting or recycling a worker
# costs a fork instead of that import (1–2 s of CPU, which five recycled workers took from a busy 2-core host within
# the same dozen seconds), and the workers share the imported code's memory. New code needs a restart of gunicorn
# itself (a HUP re-reads this file but keeps the preloaded code). GUNICORN_PRELOAD=false loads the app per worker.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() not in ("0", "false", "no")


def when_ready(server):
    """Before the first fork: no database connection may be inherited by the workers (the import opens none; this
    keeps it so if an app ever did)."""
    if preload_app:
        from django.db import connections

        connections.close_all()
