import pytest

from tests.intranet.security.world import build_cast, build_objects


@pytest.fixture
def world(org, django_capture_on_commit_callbacks, settings):
    """The access-table world: the cast (one user per role) and the owner's objects."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # thirteen accounts, quickly
    cast = build_cast(org)
    objects = build_objects(cast, org, django_capture_on_commit_callbacks)
    objects.owner_employee = cast["owner"]
    objects.cast = cast
    objects.org = org
    return objects
