"""deploy/ldap (the demo directory) and hr/org/seed.py agree: every published demo account logs in against it with
the demo password and gets the roles the seed describes."""

import io
from pathlib import Path

import environ
import pytest
from django.core.management.base import OutputWrapper
from django.core.management.color import no_style

from demo.management.commands.seed_demo import SeedContext
from hr.org.models import HRScope
from hr.org.seed import DEMO_ACCOUNTS, DEMO_PASSWORD
from hr.org.seed import seed as seed_org
from intranet.accounts.ldap.backend import DirectoryBackend
from intranet.accounts.models import User
from intranet.accounts.roles import has_role
from tests.ldap_server import Database, SlapdServer, find_slapd

pytestmark = [pytest.mark.slapd, pytest.mark.django_db]

DEPLOY = Path(__file__).resolve().parents[3] / "deploy" / "ldap"
SUFFIX = "dc=kemencontoh,dc=go,dc=id"


@pytest.fixture
def demo_directory(tmp_path):
    if not find_slapd():
        pytest.skip("OpenLDAP slapd is not installed (apt-get install slapd ldap-utils)")
    server = SlapdServer(
        workdir=tmp_path / "demo-slapd",
        databases=[Database(SUFFIX, service_dn=f"cn=serambi,ou=services,{SUFFIX}")],
    ).start()
    try:
        server.load_ldif(DEPLOY / "seed.ldif", suffix=SUFFIX)
        yield server
    finally:
        server.stop()


def deploy_settings(settings, server):
    env = environ.Env()
    parsed = {}
    for line in (DEPLOY / "serambi-ldap.env").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            parsed[key] = value
    env.ENVIRON = parsed
    settings.LDAP_ENABLED = True
    settings.LDAP_SERVER_URIS = [server.uri]
    settings.LDAP_PRESET = env.str("LDAP_PRESET")
    settings.LDAP_BIND_DN = env.str("LDAP_BIND_DN")
    settings.LDAP_BIND_PASSWORD = env.str("LDAP_BIND_PASSWORD")
    settings.LDAP_BASE_DN = env.str("LDAP_BASE_DN")
    settings.LDAP_USER_BASE_DN = env.str("LDAP_USER_BASE_DN")
    settings.LDAP_GROUP_BASE_DN = env.str("LDAP_GROUP_BASE_DN")
    settings.LDAP_REQUIRED_GROUP = env.str("LDAP_REQUIRED_GROUP")
    settings.LDAP_GROUP_ROLE_MAP = env.json("LDAP_GROUP_ROLE_MAP")
    settings.LDAP_START_TLS = False
    settings.LDAP_DEFAULT_ROLES = ["Pegawai"]


def test_demo_accounts_log_in_against_the_demo_directory(settings, demo_directory):
    seed_org(SeedContext(employees=40, seed=2026, stdout=OutputWrapper(io.StringIO()), style=no_style()))
    deploy_settings(settings, demo_directory)
    backend = DirectoryBackend()
    for username, _label, roles in DEMO_ACCOUNTS:
        if username == "admin":  # the local break-glass administrator is not in the directory
            assert backend.authenticate(None, username="admin", password=DEMO_PASSWORD) is None
            continue
        user = backend.authenticate(None, username=username, password=DEMO_PASSWORD)
        assert user is not None, username
        assert user.source == User.Source.DIRECTORY
        assert user.employee.unit is not None  # the seeded employee record stays linked
        for role in roles:
            assert has_role(user, role), (username, role)
    sdm = User.objects.get(username="sdm")
    assert HRScope.objects.filter(user=sdm, unit__code="DJ1.1", kind="hr").exists()
