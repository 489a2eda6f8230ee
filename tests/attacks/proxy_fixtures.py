"""Requests as the shipped nginx forwards them, and the shared cache the rate limits count in.

nginx (deploy/nginx/serambi.conf) connects to the app from its own address and sets `X-Forwarded-For` to the address
the client connected from; the deployment trusts that one proxy (SERAMBI_TRUSTED_PROXY_COUNT=1)."""

import os
import socket
from urllib.parse import urlparse

import pytest
from django.urls import reverse

from tests.factories import UserFactory

PROXY = "172.18.0.5"  # the nginx container, as the app sees every request
ATTACKER = "203.0.113.66"
VICTIM_DESK = "10.20.30.40"
PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
LIMITER_REDIS = os.environ.get("SERAMBI_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


def via_proxy(client_address: str, forwarded: str | None = None) -> dict:
    """What the app receives: the proxy as the peer, the client in X-Forwarded-For (or a forged chain)."""
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded or client_address}


def login(client, username, password, address=ATTACKER, forwarded=None, language="en"):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        HTTP_ACCEPT_LANGUAGE=language,
        **via_proxy(address, forwarded),
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def _redis_answers(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _use_cache(settings, config: dict) -> None:
    from django.core.cache import caches

    settings.CACHES = {"default": config}
    caches._settings = caches.settings = settings.CACHES
    caches._connections.__dict__.pop("default", None)


@pytest.fixture
def behind_proxy(settings, db):
    """The deployment as shipped: one trusted proxy, and the rate limits counting in Redis (its database 9; the
    process-local cache when no Redis answers there)."""
    settings.SERAMBI_TRUSTED_PROXY_COUNT = 1
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if _redis_answers(LIMITER_REDIS):
        _use_cache(settings, {"BACKEND": "intranet.core.cache.TolerantRedisCache", "LOCATION": LIMITER_REDIS})
        from django.core.cache import cache

        cache.clear()
    yield settings
    from django.core.cache import cache, caches

    cache.clear()
    caches._connections.__dict__.pop("default", None)


@pytest.fixture
def cache_down(behind_proxy):
    """The shared cache unreachable: a Redis URL on a port where nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    _use_cache(behind_proxy, {"BACKEND": "intranet.core.cache.TolerantRedisCache", "LOCATION": f"redis://127.0.0.1:{port}/9"})
    return behind_proxy


@pytest.fixture
def victim(behind_proxy):
    return UserFactory(username="siti.rahma")


@pytest.fixture
def break_glass(behind_proxy):
    from intranet.accounts.models import User

    return User.objects.create_superuser("admin", "admin@kemencontoh.go.id", PASSWORD)
