"""An API client tries to use webhooks to reach the internal network (SSRF): receiver URLs on loopback, private,
link-local, shared and reserved addresses are refused at subscription and again at delivery, a redirect to an
internal URL is not followed and counts as a failure, and a name that resolves differently the second time cannot
move the connection (it goes to the address that was checked). Receivers are real HTTP servers on loopback; the
happy path names them in SERAMBI_API_WEBHOOK_ALLOWED_NETWORKS."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache
from django.utils import translation

from api.models import Endpoint, WebhookDelivery
from api.services import ApiClientError, api_client_create, webhook_deliver, webhook_emit, webhook_subscribe

pytestmark = pytest.mark.django_db


class Receiver:
    """A real HTTP server on 127.0.0.1 that records what it receives and answers `status` (and `location`)."""

    def __init__(self, status=200, location=None):
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                receiver.requests.append((self.path, self.rfile.read(length)))
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receivers():
    made = []

    def make(**kw):
        made.append(Receiver(**kw))
        return made[-1]

    yield make
    for r in made:
        r.close()


@pytest.fixture(autouse=True)
def _env(settings):
    translation.activate("en")  # messages are asserted in English; the API answers in the request's language
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SERAMBI_API_WEBHOOK_ALLOW_HTTP = True  # the address is what is under test, not the scheme
    settings.SERAMBI_API_WEBHOOK_ALLOWED_NETWORKS = []
    cache.clear()
    yield
    cache.clear()
    translation.deactivate()


@pytest.fixture
def api(org):
    client, token = api_client_create(name="Sistem Absensi", units=[org["DIR1"]], endpoints=list(Endpoint.values))
    return client, token


INTERNAL_URLS = [
    "http://127.0.0.1:6379/",  # Redis
    "http://127.1:5432/",  # PostgreSQL, short form
    "http://2130706433/",  # 127.0.0.1 as a decimal integer
    "http://0x7f000001/",  # and in hex
    "http://localhost/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped IPv6
    "http://0.0.0.0/",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://100.64.0.1/",  # shared address space (CGNAT)
    "http://[fd00::1]/",  # unique local IPv6
    "http://[fe80::1]/",  # link-local IPv6
    "http://224.0.0.1/",  # multicast
    "http://240.0.0.1/",  # reserved
    "http://198.18.0.1/",  # benchmarking
]


@pytest.mark.parametrize("url", INTERNAL_URLS)
def test_subscription_to_an_internal_address_is_refused(client, api, url):
    _c, token = api
    response = client.post(
        "/api/v1/webhooks",
        data={"url": url, "events": ["leave.approved"]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 400, (url, response.content)
    assert response.json()["error"]["code"] == "invalid_webhook"
    assert not api[0].webhooks.exists()


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/\x00", "http://exa\x00mple.com/", "http://example.com/a b", "http://x/\r\nHost: y"]
)
def test_nul_and_control_characters_give_a_clear_error_not_a_500(client, api, url):
    _c, token = api
    response = client.post(
        "/api/v1/webhooks",
        data={"url": url, "events": ["leave.approved"]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 400  # NUL: refused by the API's body parser already; the rest by the URL check
    assert response.json()["error"]["message"]
    assert not api[0].webhooks.exists()
    # Whatever the entry point (the admin form, a future caller), the service refuses them with a clear message.
    with translation.override("en"), pytest.raises(ApiClientError, match="control characters"):
        webhook_subscribe(client=api[0], url=url, events=["leave.approved"])


def test_admin_form_refuses_an_internal_receiver(settings, api):
    from api.admin import SubscriptionForm

    form = SubscriptionForm(
        data={"client": api[0].pk, "url": "http://169.254.169.254/", "events": ["leave.approved"], "active": "on"}
    )
    assert not form.is_valid()
    assert "internal or reserved" in str(form.errors["url"])


def _deliver_one(sub, org):
    webhook_emit(event="leave.approved", payload={}, unit=org["DIR1"])
    delivery = WebhookDelivery.objects.get(subscription=sub)
    webhook_deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    return delivery


def test_allow_listed_receiver_gets_the_delivery(settings, api, org, receivers):
    settings.SERAMBI_API_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    receiver = receivers()
    sub, _secret = webhook_subscribe(client=api[0], url=receiver.url, events=["leave.approved"])
    delivery = _deliver_one(sub, org)
    assert (delivery.status, delivery.last_status_code) == ("delivered", 200)
    assert [path for path, _body in receiver.requests] == ["/hook"]


def test_address_is_checked_again_at_delivery(settings, api, org, receivers):
    """Allowed when subscribed, no longer allowed when delivered: nothing is sent, the attempt is a failure."""
    settings.SERAMBI_API_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    receiver = receivers()
    sub, _secret = webhook_subscribe(client=api[0], url=receiver.url, events=["leave.approved"])
    settings.SERAMBI_API_WEBHOOK_ALLOWED_NETWORKS = []
    delivery = _deliver_one(sub, org)
    assert delivery.status == "pending" and delivery.last_status_code is None
    assert "internal or reserved" in delivery.last_error
    assert receiver.requests == []


def test_redirect_to_an_internal_url_is_not_followed_and_is_a_failure(settings, api, org, receivers):
    settings.SERAMBI_API_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    internal = receivers()  # stands for Redis, PostgreSQL, the metadata service…
    bouncer = receivers(status=302, location=internal.url)
    sub, _secret = webhook_subscribe(client=api[0], url=bouncer.url, events=["leave.approved"])
    delivery = _deliver_one(sub, org)
    assert delivery.status == "pending" and delivery.delivered_at is None  # retried later, never "delivered"
    assert delivery.last_status_code == 302 and delivery.last_error == "HTTP 302"
    assert len(bouncer.requests) == 1 and internal.requests == []


def test_dns_rebinding_cannot_move_the_connection(settings, api, org, receivers, monkeypatch):
    """A name answering a checked address first and an internal one afterwards: the delivery resolves once and
    connects to the address it checked. (A DNS server that changes its answer is simulated: the only mock here.)"""
    settings.SERAMBI_API_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    receiver = receivers()
    real_getaddrinfo = socket.getaddrinfo
    answers = []

    def rebinding(host, port, *args, **kwargs):
        if host == "hooks.rebind.test":
            answers.append(host)
            ip = "127.0.0.1" if len(answers) % 2 else "10.0.0.1"  # checked, then (if asked again) internal
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    sub, _secret = webhook_subscribe(
        client=api[0], url=f"http://hooks.rebind.test:{receiver.port}/hook", events=["leave.approved"]
    )
    assert answers == ["hooks.rebind.test"]  # resolved and checked when subscribed
    answers.clear()
    delivery = _deliver_one(sub, org)
    assert answers == ["hooks.rebind.test"]  # one resolution per delivery, no second lookup to rebind
    assert (delivery.status, delivery.last_status_code) == ("delivered", 200)
    assert len(receiver.requests) == 1


def test_a_host_that_does_not_resolve_is_refused_clearly(api):
    with translation.override("en"), pytest.raises(ApiClientError, match="could not be resolved"):
        webhook_subscribe(client=api[0], url="https://hooks.does-not-exist.invalid/", events=["leave.approved"])
