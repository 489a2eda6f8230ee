"""A directory outage must not stall the site, count toward lockouts, or answer 500. Real slapd processes: stopped,
hung (SIGSTOP: the kernel still accepts connections, nothing answers), requiring TLS for simple binds, and searched
under a base DN that does not exist."""

import logging
import os
import signal
import time
from contextlib import contextmanager

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from ldap3.core import exceptions as ldap_exc
from ldap3.core.results import RESULT_CODES

from intranet.accounts.ldap import breaker
from intranet.accounts.ldap.config import get_config
from intranet.accounts.ldap.errors import DirectoryMisconfigured, DirectoryUnavailable, translate
from intranet.accounts.models import User
from tests.ldap_server import GROUPS, USER_PASSWORD

pytestmark = [pytest.mark.slapd, pytest.mark.django_db]

FAST = 0.5  # seconds: "well under a second" while the directory is known down


def post_login(client, username, password=USER_PASSWORD):
    started = time.monotonic()
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    return response, time.monotonic() - started


def problem(response) -> str | None:
    errors = response.context["form"].non_field_errors().as_data() if response.context else []
    return errors[0].code if errors else None


@pytest.fixture(autouse=True)
def _warm(client):
    """The first request of a process imports and compiles templates: not what a login costs."""
    client.get(reverse("accounts:login"))


@contextmanager
def hung(server):
    """slapd stopped in its tracks: connections are accepted by the kernel, never answered."""
    os.kill(server.process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(server.process.pid, signal.SIGCONT)


@pytest.fixture
def outage_settings(ldap_settings, ldap_private_server):
    def apply(**overrides):
        values = {"server": ldap_private_server, "LDAP_CONNECT_TIMEOUT": 1, "LDAP_RECEIVE_TIMEOUT": 1}
        return ldap_settings(**{**values, **overrides})

    apply()
    return apply


class TestFailFast:
    def test_the_defaults_fail_within_seconds(self, settings):
        for name in ("LDAP_CONNECT_TIMEOUT", "LDAP_RECEIVE_TIMEOUT", "LDAP_CIRCUIT_SECONDS"):
            delattr(settings, name)
        config = get_config()
        assert config.connect_timeout <= 5 and config.receive_timeout <= 5 and 0 < config.circuit_seconds <= 60

    def test_a_stopped_directory_answers_at_once(self, client, outage_settings, ldap_private_server):
        ldap_private_server.stop()
        for _ in range(3):
            response, seconds = post_login(client, "siti")
            assert problem(response) == "directory_unavailable"
            assert seconds < FAST, f"a refused connection must not cost {seconds:.1f}s (no pool sleep)"

    def test_a_hung_directory_costs_one_timeout_then_answers_at_once(
        self, client, outage_settings, ldap_private_server
    ):
        with hung(ldap_private_server):
            response, first = post_login(client, "siti")
            assert problem(response) == "directory_unavailable"
            assert first < 1 + 1.5  # one receive timeout, not one per server round
            for _ in range(3):
                response, seconds = post_login(client, "budi")
                assert problem(response) == "directory_unavailable"
                assert seconds < FAST, f"known down: {seconds:.2f}s"
        # the breaker's period over, the recovered directory is used again
        outage_settings(LDAP_CIRCUIT_SECONDS=1)
        time.sleep(1.1)
        breaker.reset([ldap_private_server.uri])
        response, _seconds = post_login(client, "siti")
        assert response.status_code == 302

    def test_with_the_first_server_hung_the_second_is_used(
        self, client, outage_settings, ldap_private_server, ldap_server
    ):
        outage_settings(LDAP_SERVER_URIS=[ldap_private_server.uri, ldap_server.uri])
        with hung(ldap_private_server):
            response, first = post_login(client, "siti")
            assert response.status_code == 302, "the second server must be tried when the first hangs"
            assert first < 1 + 1.5
            client.logout()
            response, seconds = post_login(client, "siti")
            assert response.status_code == 302 and seconds < FAST, "the hung server is skipped while known down"

    def test_the_breaker_is_shared_through_the_cache(self, outage_settings, ldap_private_server):
        from django.core.cache import cache

        ldap_private_server.stop()
        from intranet.accounts.ldap.backend import DirectoryBackend

        DirectoryBackend().authenticate(None, username="siti", password=USER_PASSWORD)
        assert breaker.down_servers([ldap_private_server.uri]) == {ldap_private_server.uri}
        assert any(breaker.PREFIX in key for key in cache._cache), "the mark lives in the shared cache"
        breaker.reset([ldap_private_server.uri])
        assert breaker.down_servers([ldap_private_server.uri]) == set()

    def test_a_server_that_stopped_answering_is_skipped_before_its_timeout(self, outage_settings, ldap_private_server):
        """Other workers must not each wait for the receive timeout while the first one is still waiting."""
        import threading

        from intranet.accounts.ldap.connection import service_connection

        outage_settings(LDAP_RECEIVE_TIMEOUT=3)
        config = get_config()
        with service_connection(config):
            pass  # the server answered once
        with hung(ldap_private_server):
            waiting = threading.Thread(target=lambda: pytest.raises(DirectoryUnavailable, _use, config))
            waiting.start()
            time.sleep(breaker.STALL_SECONDS + 0.3)
            started = time.monotonic()
            with pytest.raises(DirectoryUnavailable):
                _use(config)
            assert time.monotonic() - started < FAST, "a stalled server must not be waited for again"
            waiting.join()


def _use(config):
    from intranet.accounts.ldap.connection import service_connection

    with service_connection(config) as conn:
        conn.search(config.user_base_dn, "(uid=siti)", attributes=["1.1"])


class TestOnlyWrongPasswordsCount:
    def test_retries_against_a_hung_directory_lock_nobody_out(
        self, client, settings, outage_settings, ldap_private_server
    ):
        settings.AXES_FAILURE_LIMIT = 3
        with hung(ldap_private_server):
            for _ in range(5):
                response, _seconds = post_login(client, "siti")
                assert response.status_code == 200 and problem(response) == "directory_unavailable"
        assert not AccessAttempt.objects.exists()
        breaker.reset([ldap_private_server.uri])
        assert post_login(client, "siti")[0].status_code == 302

    def test_the_right_password_on_a_refused_account_is_not_a_failure(self, client, settings, ldap_settings):
        """A blocked employee retrying must find the account open once HR lifts the block."""
        settings.AXES_FAILURE_LIMIT = 3
        ldap_settings(LDAP_DENY_GROUP=f"cn=blocked,{GROUPS}")
        for _ in range(4):
            response, _seconds = post_login(client, "blocked")
            assert response.status_code == 200 and problem(response) == "denied_group"
        assert not AccessAttempt.objects.exists()
        ldap_settings(LDAP_DENY_GROUP="")
        assert post_login(client, "blocked")[0].status_code == 302

    def test_wrong_passwords_still_lock_out(self, client, settings, ldap_settings):
        settings.AXES_FAILURE_LIMIT = 3
        for _ in range(3):
            post_login(client, "siti", "salah-tebak")
        response, _seconds = post_login(client, "siti")
        assert response.status_code in (403, 429) and "_auth_user_id" not in client.session


def require_tls_for_simple_binds(server) -> None:
    """Restart `server` with `security simple_bind=128` (OpenLDAP's equivalent of AD's LDAP signing requirement)."""
    server.stop()
    conf = server.workdir / "slapd.conf"
    conf.write_text(conf.read_text().replace("loglevel none\n", "loglevel none\nsecurity simple_bind=128\n", 1))
    server.start()


class TestResultCodes:
    def test_every_result_code_maps_to_a_message(self):
        for code, name in RESULT_CODES.items():
            if code in (0, 5, 6, 14):  # success, compare results, SASL in progress: never errors
                continue
            exc = ldap_exc.LDAPOperationResult(result=code, description=name, message="")
            error = translate(exc)
            assert isinstance(error, DirectoryUnavailable), code
            assert str(error).strip() and str(code) in str(error)
        busy = translate(ldap_exc.LDAPOperationResult(result=51, description="busy"))
        assert type(busy) is DirectoryUnavailable  # an outage, not a configuration problem
        assert isinstance(translate(ldap_exc.LDAPOperationResult(result=13, description="x")), DirectoryMisconfigured)

    def test_a_directory_requiring_tls_answers_a_clear_message_not_500(
        self, client, settings, outage_settings, ldap_private_server, caplog
    ):
        settings.AXES_FAILURE_LIMIT = 2
        require_tls_for_simple_binds(ldap_private_server)
        with caplog.at_level(logging.ERROR, logger="intranet.accounts.ldap"):
            for _ in range(3):
                response, _seconds = post_login(client, "siti")
                assert response.status_code == 200
                assert problem(response) == "directory_misconfigured"
        assert "karena masalah konfigurasi" in response.content.decode()  # translated (default language)
        logged = caplog.text
        assert "13 confidentialityRequired" in logged and "LDAP_START_TLS" in logged
        assert "service-secret" not in logged
        assert not AccessAttempt.objects.exists()  # not a wrong password either

    def test_a_mistyped_base_dn_answers_a_clear_message_not_500(self, client, ldap_settings, caplog):
        ldap_settings(LDAP_USER_BASE_DN="ou=peopel,dc=serambi,dc=test")
        with caplog.at_level(logging.ERROR, logger="intranet.accounts.ldap"):
            response, _seconds = post_login(client, "siti")
        assert response.status_code == 200 and problem(response) == "directory_misconfigured"
        assert "32 noSuchObject" in caplog.text and "LDAP_USER_BASE_DN" in caplog.text
        assert not User.objects.filter(username="siti").exists()

    def test_ldap_sync_against_a_directory_requiring_tls_ends_with_a_clear_error(
        self, outage_settings, ldap_private_server
    ):
        from django.core.management import call_command
        from django.core.management.base import CommandError

        require_tls_for_simple_binds(ldap_private_server)
        with pytest.raises(CommandError) as raised:
            call_command("ldap_sync")
        message = str(raised.value)
        assert "confidentialityRequired" in message and "LDAP_START_TLS" in message and "ldap_check" in message
