"""A production installation never keeps the published demo password: `check --deploy` fails while any account has
it, and `seed_demo` refuses to run with DEBUG off unless told it is a staging installation."""

import io

import pytest
from django.contrib.auth.hashers import make_password
from django.core.management import CommandError, call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from hr.org.seed import DEMO_PASSWORD
from intranet.accounts.models import User

pytestmark = pytest.mark.django_db


def _deploy_check():
    call_command("check", "--deploy", "--tag", "security", stdout=io.StringIO(), stderr=io.StringIO())


@override_settings(DEBUG=False)
def test_deploy_check_fails_on_a_named_demo_account():
    User.objects.create(username="admin", password=make_password(DEMO_PASSWORD))
    with pytest.raises(SystemCheckError, match=r"serambi\.E001.*admin"):
        _deploy_check()


@override_settings(DEBUG=False)
def test_deploy_check_finds_renamed_accounts_that_share_the_demo_hash():
    shared = make_password(DEMO_PASSWORD)  # as the seeder does: one hash for every demo account
    User.objects.bulk_create([User(username=f"pegawai{i}", password=shared) for i in range(3)])
    with pytest.raises(SystemCheckError, match=r"3 account\(s\).*pegawai0, pegawai1, pegawai2"):
        _deploy_check()


@override_settings(DEBUG=False)
def test_deploy_check_passes_when_the_demo_password_is_gone():
    user = User.objects.create(username="admin", password=make_password(DEMO_PASSWORD))
    user.set_password("a-real-and-long-passphrase-2027")
    user.save()
    shared = make_password("another-shared-one-not-the-demo")
    User.objects.bulk_create([User(username=f"x{i}", password=shared) for i in range(2)])
    _deploy_check()


@override_settings(DEBUG=False)
def test_seed_demo_refuses_without_debug_unless_staging():
    with pytest.raises(CommandError, match="--staging"):
        call_command("seed_demo", "--employees", "20", "--only", "hr.org", stdout=io.StringIO())
    assert not User.objects.exists()
