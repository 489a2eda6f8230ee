"""`check --deploy` refuses a production installation that sends directory passwords in clear text (serambi.E003),
unless the administrator says it is meant; the shipped demo directory settings and CI's production settings pass."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from intranet.accounts.checks import directory_binds_encrypted

DEPLOY_ENV = Path(__file__).resolve().parents[3] / "deploy" / "ldap" / "serambi-ldap.env"


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.LDAP_ENABLED = True
    settings.LDAP_START_TLS = False
    settings.LDAP_ALLOW_PLAINTEXT = False
    return settings


def ids(settings):
    return [e.id for e in directory_binds_encrypted()]


@pytest.mark.parametrize(
    ("uris", "start_tls", "allow", "debug", "expected"),
    [
        (["ldap://dc1.kemencontoh.go.id"], False, False, False, ["serambi.E003"]),
        (["ldaps://dc1:636", "ldap://dc2:389"], False, False, False, ["serambi.E003"]),  # one plain server is enough
        (["LDAP://dc1"], False, False, False, ["serambi.E003"]),
        (["ldaps://dc1:636", "ldaps://dc2:636"], False, False, False, []),
        (["ldap://dc1:389"], True, False, False, []),  # StartTLS
        (["ldap://127.0.0.1:389"], False, True, False, []),  # LDAP_ALLOW_PLAINTEXT: said to be meant
        (["ldap://dc1:389"], False, False, True, []),  # development
    ],
)
def test_plain_text_directory_binds(production, uris, start_tls, allow, debug, expected):
    production.LDAP_SERVER_URIS = uris
    production.LDAP_START_TLS = start_tls
    production.LDAP_ALLOW_PLAINTEXT = allow
    production.DEBUG = debug
    assert ids(production) == expected


def test_no_directory_no_error(production):
    production.LDAP_ENABLED = False
    production.LDAP_SERVER_URIS = ["ldap://dc1"]
    assert ids(production) == []


@pytest.mark.django_db
def test_check_deploy_fails_on_it(production):
    production.LDAP_SERVER_URIS = ["ldap://dc1.kemencontoh.go.id"]
    with pytest.raises(SystemCheckError, match="serambi.E003"):
        call_command("check", deploy=True, tags=["security"])


def test_the_demo_directory_settings_pass(production):
    """deploy/compose.yaml loads deploy/ldap/serambi-ldap.env with LDAP_SERVER_URIS=ldap://ldap:389."""
    import environ

    env = environ.Env()
    env.ENVIRON = dict(
        line.split("=", 1) for line in DEPLOY_ENV.read_text().splitlines() if line.strip() and not line.startswith("#")
    )
    production.LDAP_SERVER_URIS = env.list("LDAP_SERVER_URIS")
    production.LDAP_START_TLS = env.bool("LDAP_START_TLS")
    production.LDAP_ALLOW_PLAINTEXT = env.bool("LDAP_ALLOW_PLAINTEXT", default=False)
    assert production.LDAP_SERVER_URIS == ["ldap://ldap:389"]
    assert ids(production) == []
