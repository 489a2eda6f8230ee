"""A real Celery worker against Redis delivers the outbox (CI: the PostgreSQL run; the worker must share the database)."""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from intranet.celery import app as celery_app
from intranet.notifications import services
from intranet.notifications.models import OutboxEmail
from tests.factories import EmployeeFactory
from tests.mailfiles import sent_messages

ROOT = Path(__file__).resolve().parents[2]
REDIS_DB = 14


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="worker tests need PostgreSQL (set DATABASE_URL): a worker process cannot see an SQLite test database"),
    pytest.mark.skipif(not _redis_up(), reason="worker tests need Redis on 127.0.0.1:6379"),
]


def _drop_cached_connections():
    """Earlier tests may have published to the in-memory broker; the app caches its connection and producer pools,
    so forget them for the new broker URL to take effect. They come from kombu's registry, keyed by broker URL: it is
    emptied too, or the next worker test of the same URL would be handed the pool closed here."""
    from kombu import pools

    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
        celery_app._pool = None
    celery_app.amqp._producer_pool = None
    pools.reset()


@pytest.fixture
def worker(tmp_path, django_db_serialized_rollback, transactional_db):
    """A real `celery worker` process on its own queue, sharing the test database; yields the mail folder."""
    db = connection.settings_dict  # the test database, not the configured one
    url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    broker = f"redis://127.0.0.1:6379/{REDIS_DB}"
    queue = f"serambi-test-{uuid.uuid4().hex[:8]}"  # a queue of its own: no other worker can take our tasks
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": broker, "CELERY_TASK_ALWAYS_EAGER": "false", "DEBUG": "true",
           "SECRET_KEY": "worker-test", "SERAMBI_TESTING": "0", "PYTHONUNBUFFERED": "1",
           "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": str(tmp_path / "mail")}
    old = (celery_app.conf.broker_url, celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.update(broker_url=broker, task_always_eager=False, task_default_queue=queue)
    _drop_cached_connections()
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "intranet", "worker", "--pool=solo", "--loglevel=INFO", "-Q", queue,
         "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        yield tmp_path / "mail"
    finally:
        celery_app.conf.update(broker_url=old[0], task_always_eager=old[1], task_default_queue=old[2])
        _drop_cached_connections()
        proc.terminate()
        try:
            output = proc.communicate(timeout=15)[0].decode(errors="replace")
        except subprocess.TimeoutExpired:
            proc.kill()
            output = proc.communicate()[0].decode(errors="replace")
        print("celery worker output:\n" + output[-4000:])


def test_real_worker_delivers_an_events_emails_once_each(worker, org, monkeypatch):
    """One event's e-mails go to the broker as one message (`deliver_outbox_emails`); each is sent once."""
    from intranet.notifications import tasks

    recipients = [EmployeeFactory(unit=org["DIR1"]).user for _ in range(2)]
    assert not connection.in_atomic_block, "autocommit is needed: the task is enqueued on commit"
    published = []
    monkeypatch.setattr(tasks.deliver_outbox_emails, "delay", lambda *a, _d=tasks.deliver_outbox_emails.delay:
                        published.append(a) or _d(*a))
    services.notify_many([services.Notice(r, "test.worker", f"Dari worker untuk {r.username}") for r in recipients])
    assert len(published) == 1 and len(published[0][0]) == 2, published
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and OutboxEmail.objects.filter(status=OutboxEmail.Status.SENT).count() < 2:
        time.sleep(0.3)
    rows = list(OutboxEmail.objects.all())
    assert len(rows) == 2 and {r.status for r in rows} == {OutboxEmail.Status.SENT}, [(r.status, r.last_error)
                                                                                   for r in rows]
    assert {r.attempts for r in rows} == {1}
    bodies = sent_messages(worker)
    assert len(bodies) == 2 and all(sum(f"untuk {r.username}" in b for b in bodies) == 1 for r in recipients), bodies


def test_real_worker_renders_a_published_news_item_in_every_language(worker, org):
    """The worker keeps the article where the web processes look: the shared cache (here the worker's Redis)."""
    import redis
    from django.conf import settings

    from tests.cms.conftest import add_news

    page = add_news("Dirender oleh worker", live=False)
    shared = redis.Redis.from_url(f"redis://127.0.0.1:6379/{REDIS_DB}")
    for stale in shared.scan_iter(match=f"*cms:news:article:{page.pk}:*"):  # an earlier run's database had this id
        shared.delete(stale)
    assert not connection.in_atomic_block, "autocommit is needed: the task is enqueued on commit"
    page.save_revision().publish()
    page.refresh_from_db()
    pattern = f"*cms:news:article:{page.pk}:{page.live_revision_id}:*"
    deadline, kept = time.monotonic() + 60, []
    while time.monotonic() < deadline and len(kept) < len(settings.LANGUAGES):
        kept = list(shared.scan_iter(match=pattern))
        time.sleep(0.3)
    languages = sorted(key.decode().split(":")[-2] for key in kept)
    assert languages == sorted(code for code, _name in settings.LANGUAGES), kept
