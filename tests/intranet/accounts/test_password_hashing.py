"""Local passwords are hashed with Argon2id at OWASP's parameters; older PBKDF2 hashes still work and are upgraded."""

import pytest
from django.contrib.auth.hashers import identify_hasher, make_password

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_new_passwords_use_argon2id_with_owasp_parameters():
    encoded = make_password("Serambi-Demo-2026")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert identify_hasher(encoded).algorithm == "argon2"


def test_a_pbkdf2_hash_still_logs_in_and_is_upgraded(client):
    user = UserFactory(username="lama")
    user.password = make_password("Kata-Sandi-Lama-2020", hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    response = client.post("/akun/masuk/", {"username": "lama", "password": "Kata-Sandi-Lama-2020"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
