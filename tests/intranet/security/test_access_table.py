"""Authorization, proven over every URL: each route of the project has a decision (public, token, admin prefix rule,
or a row of the access table), and every cell of the table is asserted with a real request by a real user against
real objects. Every request runs in a savepoint that is rolled back, so one world serves the whole table.

The second factor is switched off here (conftest); the gate itself is proven in test_security.py."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.intranet.security.access_table import LOGIN, TABLE, expand
from tests.intranet.security.routes import (
    ADMIN_ASSETS,
    ADMIN_PREFIXES,
    PUBLIC,
    PUBLIC_DOCS,
    SHADOWED,
    all_routes,
    is_admin_route,
    is_token_route,
    sample_path,
)
from tests.intranet.security.world import ACTORS

LOGIN_PATH = "/akun/masuk/"


def test_every_route_has_an_access_decision():
    """A new view cannot land without a decision: public, token-authenticated, admin prefix rule, or the table."""
    undecided, decided_names = [], set()
    for route, name in all_routes():
        if name in PUBLIC | SHADOWED | PUBLIC_DOCS or is_token_route(route, name) or is_admin_route(route):
            continue
        if name in TABLE:
            decided_names.add(name)
            continue
        undecided.append(f"{route} ({name})")
    assert not undecided, "routes without an access decision (add them to access_table.TABLE):\n" + "\n".join(undecided)
    stale = set(TABLE) - decided_names
    assert not stale, f"access table rows for routes that no longer exist: {sorted(stale)}"


def _path(name: str, row, world) -> str:
    if name == "wagtail_serve":
        return "/"
    args = []
    for a in row.args:
        if isinstance(a, str) and a in world.org:
            args.append(a)  # a unit code
        elif isinstance(a, str) and hasattr(world, a):
            args.append(getattr(world, a).pk)
        else:
            args.append(a)
    return reverse(name, args=args)


def _clients(world) -> dict[str, Client]:
    clients = {"anonymous": Client()}
    for actor in ACTORS[1:]:
        clients[actor] = Client()
        clients[actor].force_login(world.cast[actor].user)
    return clients


def _request(client, row, path, world):
    data = {k: v(world) if callable(v) else v for k, v in row.data.items()}
    with transaction.atomic():
        response = client.post(path, data) if row.method == "POST" else client.get(path)
        transaction.set_rollback(True)  # the next cell sees the same world
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)  # the test client closes the response (and the file) at the end
    return response


def _outcome(response):
    if response.status_code == 302 and response.url.split("?")[0] == LOGIN_PATH:
        return LOGIN
    return response.status_code


@pytest.mark.django_db
def test_access_table(world):
    clients = _clients(world)
    mismatches, cells = [], 0
    for name, row in TABLE.items():
        path = _path(name, row, world)
        for actor, expected in expand(row).items():
            got = _outcome(_request(clients[actor], row, path, world))
            cells += 1
            if got != expected:
                mismatches.append(f"{row.method} {path} ({name}) as {actor}: expected {expected}, got {got}")
            if row.method == "POST" and actor != "anonymous":
                clients[actor].force_login(world.cast[actor].user)  # logout and "sign out others" end sessions
    assert cells == len(TABLE) * len(ACTORS)
    assert not mismatches, f"{len(mismatches)} of {cells} cells differ:\n" + "\n".join(mismatches)


# --- the two staff admins: one explicit prefix rule --------------------------------------------------------------------
# Rule: every route under ADMIN_PREFIXES refuses an account without a staff role (employee, HR, payroll, auditor):
# never a 200. The Django admin lets in staff accounts only (is_staff: the administrator); the Wagtail admin lets in
# editors, moderators and administrators, and each of its sections applies Wagtail's own permissions.
ADMIN_SAMPLES = {
    # path: actors who get the page (everyone else is refused)
    "/django-admin/": {"administrator"},
    "/django-admin/accounts/user/": {"administrator"},
    "/django-admin/audit/auditentry/": {"administrator"},
    "/django-admin/auth/group/": {"administrator"},
    "/django-admin/org/orgunit/": {"administrator"},  # the tree admin (django-treebeard)
    "/cms-admin/": {"editor", "moderator", "administrator"},
    "/cms-admin/pages/": {"editor", "moderator", "administrator"},
    "/cms-admin/users/": {"administrator"},
    "/cms-admin/groups/": {"administrator"},
}


LOGIN_PATHS = {LOGIN_PATH, "/django-admin/login/", "/cms-admin/login/"}  # the admins' login routes redirect to ours


def _refused(response, *, admin_user=False) -> bool:
    if response.status_code in (403, 404, 405):
        return True
    if response.status_code != 302:
        return False
    target = response.url.split("?")[0]
    # To the login page; or, for a Wagtail admin user lacking one section's permission, to the admin home.
    return target in LOGIN_PATHS or (admin_user and target == "/cms-admin/")


@pytest.mark.django_db
def test_admin_prefix_rule_samples(world):
    assert set(ADMIN_PREFIXES) == {"django-admin/", "cms-admin/"}
    clients = _clients(world)
    wrong = []
    for path, allowed in ADMIN_SAMPLES.items():
        for actor, client in clients.items():
            response = client.get(path)
            if actor in allowed and response.status_code != 200:
                wrong.append(f"{path} as {actor}: expected 200, got {response.status_code}")
            elif actor not in allowed and not _refused(response, admin_user=actor in ("editor", "moderator")):
                wrong.append(f"{path} as {actor}: expected a refusal, got {response.status_code} {response.get('Location')}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
def test_every_admin_route_refuses_an_employee(client, org):
    """Not a sample: every admin route, with plausible parameters, is refused to a signed-in employee."""
    from tests.factories import EmployeeFactory

    client.raise_request_exception = False  # a 500 is a finding, reported with the others
    client.force_login(EmployeeFactory(unit=org["SUB1"]).user)
    admin_routes = [(r, n) for r, n in all_routes() if is_admin_route(r) and n not in PUBLIC | SHADOWED | ADMIN_ASSETS]
    assert len(admin_routes) > 300, "the admin route enumeration looks broken"
    leaks = []
    for route, name in admin_routes:
        path = sample_path(route)
        response = client.get(path)
        if not _refused(response):
            leaks.append(f"{path} ({name}): {response.status_code} {response.get('Location', '')}")
    assert not leaks, "admin routes open to a plain employee:\n" + "\n".join(leaks)
    for name in ADMIN_ASSETS:  # the assets work (no 500) and hold no data
        path = sample_path(next(r for r, n in all_routes() if n == name))
        response = client.get(path)
        assert response.status_code in (200, 302, 405), f"{path}: {response.status_code}"
        if response.status_code == 200:
            assert response["Content-Type"].split(";")[0] in ("text/javascript", "image/svg+xml", "text/html"), path
