"""Settings for the baseline: django-python3-ldap's `ldap_sync_users` against the benchmark directory.
Used only by tests/perf/test_ldap_sync.py (install with `pip install -e .[bench]` or `pip install django-python3-ldap`)."""

import os

from intranet.settings import *  # noqa: F403
from intranet.settings import AUTHENTICATION_BACKENDS, INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "django_python3_ldap"]
AUTHENTICATION_BACKENDS = ["django_python3_ldap.auth.LDAPBackend", *AUTHENTICATION_BACKENDS]
LDAP_ENABLED = False  # Serambi's own backend stays out of the baseline run

LDAP_AUTH_URL = [os.environ.get("BENCH_LDAP_URI", "ldap://127.0.0.1:389")]
LDAP_AUTH_USE_TLS = False
LDAP_AUTH_SEARCH_BASE = os.environ.get("BENCH_LDAP_PEOPLE", "")
LDAP_AUTH_OBJECT_CLASS = "inetOrgPerson"
LDAP_AUTH_USER_FIELDS = {"username": "uid", "first_name": "givenName", "last_name": "sn", "email": "mail"}
LDAP_AUTH_USER_LOOKUP_FIELDS = ("username",)
LDAP_AUTH_CLEAN_USER_DATA = "django_python3_ldap.utils.clean_user_data"
LDAP_AUTH_SYNC_USER_RELATIONS = "django_python3_ldap.utils.sync_user_relations"
LDAP_AUTH_FORMAT_USERNAME = "tests.perf.ldap_bench.baseline_settings.service_dn"
LDAP_AUTH_CONNECTION_USERNAME = "service"
LDAP_AUTH_CONNECTION_PASSWORD = os.environ.get("BENCH_LDAP_BIND_PASSWORD", "")


def service_dn(model_fields):
    """The baseline binds with the same read-only service account as Serambi."""
    return os.environ.get("BENCH_LDAP_BIND_DN", "")
