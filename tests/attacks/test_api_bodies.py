"""Hostile bodies on the agency API's write routes: a body over Django's upload limit is a 413 with the API's error
body (not a 500), a body that is not JSON or holds NUL is a 4xx, and none of them writes anything."""

import json

import pytest
from django.conf import settings
from django.urls import reverse

from api.models import Endpoint, WebhookSubscription
from api.services import api_client_create


@pytest.fixture
def token(org, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _client, token = api_client_create(name="Sistem", units=[org["DIR1"]], endpoints=list(Endpoint.values))
    return token


def _post(client, token, body: bytes):
    return client.post(
        reverse("api:v1:webhooks_create"), data=body, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


@pytest.mark.django_db
def test_body_over_the_limit_is_413(client, token):
    body = json.dumps({"url": "https://example.go.id/" + "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE}).encode()
    response = _post(client, token, body)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert not WebhookSubscription.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe{\x00", b'{"url": "https://exa\\u0000mple.go.id/", "events": ["leave.approved"]}', b"[]", b"9" * 5000],
)
def test_malformed_bodies_are_4xx(client, token, body):
    response = _post(client, token, body)
    assert 400 <= response.status_code < 500, response.content[:300]
    assert "error" in response.json()
    assert not WebhookSubscription.objects.exists()
