"""Faults survived, against real services: a Redis (cache and broker) of the test's own, stopped and restarted; a real
Celery worker killed with SIGKILL in the middle of a task; a PostgreSQL connection terminated from the server side."""

import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from intranet.celery import app as celery_app
from intranet.notifications.models import OutboxEmail
from tests import factories
from tests.concurrency import end_server_process
from tests.ldap_server import free_port
from tests.mailfiles import sent_messages

ROOT = Path(__file__).resolve().parents[3]
REDIS = shutil.which("redis-server")
# A worker process cannot see an SQLite test database, and connection health checks are a PostgreSQL matter.
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL=postgres://...)"
)
needs_redis = pytest.mark.skipif(REDIS is None, reason="needs the redis-server binary (apt install redis-server)")


def _wait_for(predicate, timeout=30.0, every=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False


class RedisServer:
    """A redis-server process on its own port and folder, without persistence; stop() and start() keep the port."""

    def __init__(self, folder: Path):
        self.folder, self.port, self.proc = folder, free_port(), None
        folder.mkdir(parents=True, exist_ok=True)

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self):
        self.proc = subprocess.Popen(  # noqa: S603 - fixed arguments
            [REDIS, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder), "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--logfile", str(self.folder / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        assert _wait_for(self._answers, 10), "redis-server did not start"

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None
        assert _wait_for(lambda: not self._answers(), 5)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


def _drop_cached_broker_connections():
    """The app caches connection and producer pools (kombu keeps them per broker URL); forget them so the next
    publish connects afresh to the broker of this test."""
    from kombu import pools

    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
        celery_app._pool = None
    celery_app.amqp._producer_pool = None
    pools.reset()


@pytest.fixture
def on_redis(redis_server, settings):
    """Cache and broker on our Redis, as production configures them from REDIS_URL."""
    from django.core.cache import caches

    settings.CACHES = {"default": {"BACKEND": "intranet.core.cache.TolerantRedisCache", "LOCATION": redis_server.url(0)}}
    caches._settings = caches.settings = settings.CACHES
    caches._connections.__dict__.pop("default", None)
    queue = f"serambi-faults-{uuid.uuid4().hex[:8]}"
    old = (celery_app.conf.broker_url, celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.update(broker_url=redis_server.url(1), task_always_eager=False, task_default_queue=queue)
    _drop_cached_broker_connections()
    yield redis_server, queue
    celery_app.conf.update(broker_url=old[0], task_always_eager=old[1], task_default_queue=old[2])
    _drop_cached_broker_connections()
    caches._connections.__dict__.pop("default", None)


def _submit_leave(client, employee_type_pk, start) -> int:
    response = client.post(
        reverse("leave:new"),
        {
            "leave_type": employee_type_pk,
            "start_date": start.isoformat(),
            "end_date": start.isoformat(),
            "reason": "Keperluan keluarga",
            "address_during_leave": "Jl. Melati 2",
            "phone_during_leave": "0812 3456 7890",
        },
    )
    assert response.status_code == 302, getattr(response, "context", {}) and response.context["form"].errors
    return int(response.url.rstrip("/").split("/")[-1])


def _next_working_day(year: int, month: int, day: int) -> dt.date:
    d = dt.date(year, month, day)
    while d.weekday() > 4:
        d += dt.timedelta(days=1)
    return d


@pytest.fixture
def leave_people(org, settings):
    from hr.leave.models import Holiday, LeaveType
    from hr.leave.workdays import seed_calendar

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    year = dt.date.today().year + 1
    Holiday.objects.filter(calendar=seed_calendar(year)).delete()
    sub1, dir1 = org["SUB1"], org["DIR1"]
    staff = factories.EmployeeFactory(unit=sub1, position=factories.PositionFactory(unit=sub1))
    head = factories.EmployeeFactory(unit=sub1, position=sub1.head_position)
    director = factories.EmployeeFactory(unit=dir1, position=dir1.head_position)
    return {"staff": staff, "head": head, "director": director, "year": year,
            "annual": LeaveType.objects.get(code="tahunan")}  # fmt: skip


# --- Redis stopped ----------------------------------------------------------------------------------------------------
@needs_redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # real commits: notifications are enqueued on commit
def test_redis_down_pages_render_outbox_waits_then_delivers_once(on_redis, leave_people, settings):
    """Stop Redis: pages still render, a leave request still files, its notification e-mail waits in the outbox.
    Start it again: the sweep delivers every waiting e-mail exactly once, however often it runs."""
    from intranet.notifications.tasks import sweep_outbox

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    redis, _queue = on_redis
    staff, year = leave_people["staff"], leave_people["year"]
    client = Client()
    client.force_login(staff.user)
    pages = ["/", reverse("org:directory"), reverse("leave:index"), reverse("notifications:list")]
    assert [client.get(p).status_code for p in pages] == [200] * len(pages)
    assert client.get("/healthz").json()["cache"] == "ok"

    redis.stop()
    started = time.monotonic()
    assert [client.get(p).status_code for p in pages] == [200] * len(pages)
    assert client.get("/healthz").status_code == 503  # the load balancer is told, the pages still work
    filed = [_submit_leave(client, leave_people["annual"].pk, _next_working_day(year, m, 10)) for m in (3, 4, 5)]
    assert time.monotonic() - started < 15, "an outage must not make each request wait for timeouts"
    waiting = list(OutboxEmail.objects.all())  # the superior's "awaiting your action" and any other notice
    assert {r.status for r in waiting} == {OutboxEmail.Status.PENDING}
    assert sum(r.to == leave_people["head"].user.email for r in waiting) == len(filed)
    assert mail.outbox == []

    redis.start()
    assert client.get("/healthz").status_code in (200, 503)  # the cache may still be in its short retry pause
    assert _wait_for(lambda: client.get("/healthz").status_code == 200, 10)
    assert sweep_outbox() == len(waiting)
    assert sweep_outbox() == 0  # a second sweep (or a late duplicate task) sends nothing again
    for row in waiting:
        row.refresh_from_db()
        assert (row.status, row.attempts) == (OutboxEmail.Status.SENT, 1)
    assert sorted(m.extra_headers["Message-ID"] for m in mail.outbox) == sorted(r.message_id for r in waiting)


# --- a real worker, killed ----------------------------------------------------------------------------------------------
def _worker(redis_url, queue, tmp_path, name, extra_env=None):
    db = connection.settings_dict  # the test database
    url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url, "CELERY_TASK_ALWAYS_EAGER": "false",
           "DEBUG": "true", "SECRET_KEY": "worker-test", "SERAMBI_TESTING": "0", "PYTHONUNBUFFERED": "1",
           "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"), "CELERY_VISIBILITY_TIMEOUT": "4",
           "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
           "EMAIL_FILE_PATH": str(tmp_path / "mail"), **(extra_env or {})}  # fmt: skip
    log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "celery", "-A", "intranet", "worker", "--pool=solo", "--loglevel=INFO", "-Q", queue,
         "-n", f"{name}@%h", "--without-heartbeat", "--without-gossip", "--without-mingle",
         "--include", "tests.intranet.security.worker_hooks"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    proc.log_file, proc.log_path = log, tmp_path / f"{name}.log"
    return proc


def _end(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    proc.log_file.close()
    return proc.log_path.read_text(errors="replace")[-3000:]


@postgres_only
@needs_redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_killed_mid_letter_the_task_runs_again_and_the_letter_exists_once(on_redis, leave_people, tmp_path):
    """SIGKILL the worker while it holds the letter's transaction open (letter row and number written, PDF not yet
    rendered). With late acks the unacknowledged task is handed to the next worker once the visibility timeout
    passes; the rolled-back first attempt leaves nothing behind, so exactly one letter, numbered 1, exists."""
    from hr.leave import services
    from hr.leave.models import LeaveLetter

    redis, queue = on_redis
    marker = tmp_path / "held"
    hold = {"SERAMBI_TEST_HOLD_MARKER": str(marker)}
    first = _worker(redis.url(1), queue, tmp_path, "first", hold)
    second = None
    try:
        staff, year = leave_people["staff"], leave_people["year"]
        start = _next_working_day(year, 3, 10)
        req = services.leave_request_submit(
            employee=staff, leave_type=leave_people["annual"], start_date=start, end_date=start,
            reason="Keperluan keluarga", address_during_leave="Jl. Melati 2", phone_during_leave="0812 3456 7890",
        )  # fmt: skip
        services.leave_request_decide(request_id=req.pk, user=leave_people["head"].user, outcome="approve")
        services.leave_request_decide(request_id=req.pk, user=leave_people["director"].user, outcome="approve")
        # autocommit: the letter task was published on commit; the first worker takes it and is held mid-task.
        assert _wait_for(marker.exists, 60), "the first worker never reached the letter:\n" + _end(first)
        pid = int(marker.read_text().split()[0])
        assert pid == first.pid
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        assert not LeaveLetter.objects.filter(request=req).exists(), "the killed attempt's transaction rolled back"
        # Let the visibility timeout (4 s) pass before the next worker starts: kombu scans for abandoned messages on
        # its first poll and then only every ~100 s (unacked_restore_interval × unacked_restore_throttle).
        time.sleep(5)

        second = _worker(redis.url(1), queue, tmp_path, "second", hold)
        done = _wait_for(lambda: LeaveLetter.objects.filter(request=req).exclude(file_name="").exists(), 90, 0.5)
        assert done, "the task was not run again:\n" + _end(second)
        time.sleep(6)  # past another visibility timeout: a duplicate run would show now
        letters = list(LeaveLetter.objects.filter(request=req))
        assert len(letters) == 1 and letters[0].sequence == 1
        pdfs = list((tmp_path / "private").rglob("surat-izin-cuti-*.pdf"))
        assert len(pdfs) == 1 and pdfs[0].read_bytes()[:5] == b"%PDF-"
        assert LeaveLetter.objects.count() == 1
    finally:
        _end(first)
        if second is not None:
            print("second worker:\n" + _end(second))


@postgres_only
@needs_redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_after_a_broker_outage_a_real_worker_delivers_each_email_once(on_redis, leave_people, tmp_path):
    """The outbox across a broker outage with a real worker: e-mails queued while Redis was down, then duplicate
    deliveries and two sweeps sent through the restarted broker; each e-mail arrives exactly once."""
    from intranet.notifications.services import notify
    from intranet.notifications.tasks import deliver_outbox_email, sweep_outbox

    redis, queue = on_redis
    head = leave_people["head"].user
    redis.stop()
    for i in range(3):
        notify(head, "test.outage", f"Pemberitahuan {i}")  # the enqueue fails and is logged; the row stays
    rows = list(OutboxEmail.objects.filter(to=head.email))
    assert len(rows) == 3 and {r.status for r in rows} == {OutboxEmail.Status.PENDING}
    redis.start()
    _drop_cached_broker_connections()
    worker = _worker(redis.url(1), queue, tmp_path, "mailer")
    try:
        for row in rows:  # a late duplicate of every delivery task, as a retrying publisher could produce
            deliver_outbox_email.delay(row.pk)
            deliver_outbox_email.delay(row.pk)
        sweep_outbox.delay()
        sweep_outbox.delay()
        sent = lambda: OutboxEmail.objects.filter(to=head.email, status=OutboxEmail.Status.SENT).count() == 3  # noqa: E731
        assert _wait_for(sent, 60), "not delivered:\n" + _end(worker)
        time.sleep(3)  # let the remaining duplicates run
        bodies = sent_messages(tmp_path / "mail")
        assert len(bodies) == 3, bodies
        for i in range(3):
            assert sum(f"Pemberitahuan {i}" in b for b in bodies) == 1
        assert set(OutboxEmail.objects.filter(to=head.email).values_list("attempts", flat=True)) == {1}
    finally:
        print("mailer worker:\n" + _end(worker))


# --- PostgreSQL connection dropped ------------------------------------------------------------------------------------
def _wsgi_get(path: str, cookie: str) -> int:
    """One request through Django's real WSGI handler, as gunicorn calls it. (The test client switches off the
    request-start connection housekeeping, so it cannot show a reconnect.)"""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.client import RequestFactory

    environ = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD="GET", HTTP_COOKIE=cookie)
    status = []
    response = WSGIHandler()(environ, lambda s, headers, exc_info=None: status.append(s))
    b"".join(response)
    response.close()  # request_finished: the connection is kept (CONN_MAX_AGE) for the next request
    return int(status[0].split()[0])


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_dropped_database_connection_is_replaced_on_the_next_request(org, settings):
    """The server ends our persistent connection (pg_terminate_backend, as a failover or an idle-killer would) right
    after it answered a request. The next request checks it before use (CONN_HEALTH_CHECKS), finds it dead and opens
    a new one: no error page, no restart."""
    from django.conf import settings as conf

    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True and connection.settings_dict["CONN_MAX_AGE"] > 0
    user = factories.EmployeeFactory(unit=org["DIR1"]).user
    client = Client()
    client.force_login(user)
    cookie = f"{conf.SESSION_COOKIE_NAME}={client.cookies[conf.SESSION_COOKIE_NAME].value}"
    path = reverse("org:directory")
    assert _wsgi_get(path, cookie) == 200
    old_pid = connection.connection.info.backend_pid  # the persistent connection the next request would reuse

    from django.db import connections

    killer = connections.create_connection("default")  # a second session, as the DBA's
    try:
        with killer.cursor() as cursor:
            end_server_process(cursor, old_pid)
    finally:
        killer.close()

    assert [_wsgi_get(path, cookie) for _ in range(2)] == [200, 200]
    assert connection.connection.info.backend_pid != old_pid
