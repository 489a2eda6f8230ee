import os

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests import factories
from tests.disks import small_private_disk  # noqa: F401 - a fixture for every test directory

# Property-based tests: `ci` (the default) runs a few examples so the suite keeps its time budget; `thorough` explores
# far more (HYPOTHESIS_PROFILE=thorough), for a nightly run or before touching the ledger.
hypothesis_settings.register_profile(
    "ci",
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
hypothesis_settings.register_profile(
    "thorough",
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Each test writes private and public files to its own temporary folder."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "intranet.core.storage.PrivateStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }
    from django.core.files.storage import storages

    storages._storages.clear()
    yield
    storages._storages.clear()


@pytest.fixture(autouse=True, scope="session")
def _demo_signer(tmp_path_factory):
    """Issued documents are signed by a demo CA made once per run in a temporary folder (never under var/)."""
    from django.conf import settings

    from intranet.issued import signing

    settings.SERAMBI_DEMO_CA_DIR = str(tmp_path_factory.mktemp("demo-ca"))
    signing.reset()
    yield
    signing.reset()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Pages keep data in the shared cache (site lookup, view restrictions, leave types, dashboard panels); a test's
    database rollback cannot take those entries back, so every test starts with an empty cache."""
    from django.core.cache import cache

    from intranet.core.caching import near_clear

    cache.clear()
    near_clear()  # and what each process keeps of it
    yield


@pytest.fixture(autouse=True)
def _second_factor_off_unless_asked(settings, request):
    """Most tests exercise features, not the second-factor gate: privileged test users skip it. The security tests
    (marker `enforce_2fa`) switch it back on and prove the gate."""
    settings.SERAMBI_2FA_ENFORCE = request.node.get_closest_marker("enforce_2fa") is not None


@pytest.fixture
def org(db):
    """A small ministry: KEM → DJ1 (Eselon I) → DIR1 (Eselon II) → SUB1 (Eselon III) and DIR2 beside DIR1,
    each with a head position."""
    kem = factories.unit("KEM", "Kementerian Contoh", level=0)
    dj1 = factories.unit("DJ1", "Direktorat Jenderal Satu", parent=kem)
    dir1 = factories.unit("DIR1", "Direktorat Satu", parent=dj1)
    dir2 = factories.unit("DIR2", "Direktorat Dua", parent=dj1)
    sub1 = factories.unit("SUB1", "Subdirektorat Satu", parent=dir1)
    for u, esl in ((kem, "I.a"), (dj1, "I.a"), (dir1, "II.a"), (dir2, "II.a"), (sub1, "III.a")):
        factories.head_position(u, esl)
    return {u.code: _fresh(u) for u in (kem, dj1, dir1, dir2, sub1)}


def _fresh(u):
    u.refresh_from_db()
    return u


@pytest.fixture
def employee_factory(db):
    return factories.EmployeeFactory


def pytest_collection_modifyitems(config, items):
    """Transactional tests flush the database when they end, which would also wipe what data migrations created
    (role groups, leave types, payslip components, Wagtail's page tree) for every later transactional test. Give all
    of them serialized rollback, so each starts from the migrated state."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            serialized = pytest.mark.django_db(*marker.args, **{**marker.kwargs, "serialized_rollback": True})
            item.add_marker(serialized, append=False)  # first, so it is the closest even to a function's own mark
