"""Demo seeder, beat schedule and the Indonesian catalogue."""

import io
import random
from pathlib import Path

import polib
import pytest
from django.core.management.base import OutputWrapper
from django.core.management.color import no_style

from hr.leave import selectors
from hr.leave.models import LeaveRequest, LedgerEntry
from intranet.accounts.models import User


@pytest.mark.django_db
def test_seed_gives_history_balances_and_pending_approvals(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from demo.management.commands.seed_demo import SeedContext
    from hr.leave import seed as leave_seed
    from hr.org import seed as org_seed

    ctx = SeedContext(employees=120, seed=7, stdout=OutputWrapper(io.StringIO()), style=no_style())
    ctx.rng = random.Random(7)
    org_seed.seed(ctx)
    leave_seed.seed(ctx)
    assert LedgerEntry.objects.count() >= 5 * 120
    assert LeaveRequest.objects.filter(status="approved").count() > 100
    assert selectors.awaiting_action(User.objects.get(username="atasan")).exists()
    assert selectors.awaiting_action(User.objects.get(username="pejabat")).exists()
    before = LedgerEntry.objects.count()
    leave_seed.seed(ctx)  # idempotent
    assert LedgerEntry.objects.count() == before
    pegawai = User.objects.get(username="pegawai").employee
    assert all(b.available >= 0 for b in selectors.balances(pegawai))


def test_beat_schedule_has_yearly_allocation():
    from intranet.celery import BEAT_SCHEDULE

    entry = BEAT_SCHEDULE["leave-allocate-year"]
    assert entry["task"] == "leave.allocate_year"
    assert entry["schedule"].month_of_year == {1} and entry["schedule"].day_of_month == {1}


def test_indonesian_catalogue_is_complete():
    po = polib.pofile(str(Path(__file__).resolve().parents[3] / "hr/leave/locale/id/LC_MESSAGES/django.po"))
    assert len(po) > 200
    assert not po.untranslated_entries()
    assert not po.fuzzy_entries()
