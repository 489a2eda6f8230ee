"""Deploy check: no account may still carry the published demo password on a production installation.

The demo seeder hashes the password once and gives every demo account that same hash, so checking the named demo
accounts plus every hash shared by several accounts finds a seeded installation with a handful of Argon2 checks,
whatever the number of users."""

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.checks import Error, Tags, register
from django.db import DatabaseError
from django.db.models import Count

from intranet.accounts.models import User

from .seed import DEMO_ACCOUNTS, DEMO_PASSWORD

SHARED_HASHES_CHECKED = 20


def accounts_with_demo_password() -> list[str]:
    usernames = [name for name, _label, _roles in DEMO_ACCOUNTS]
    hashes = set(User.objects.filter(username__in=usernames).values_list("password", flat=True))
    hashes.update(
        User.objects.values("password")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("-n")
        .values_list("password", flat=True)[:SHARED_HASHES_CHECKED]
    )
    demo = [encoded for encoded in hashes if encoded and check_password(DEMO_PASSWORD, encoded)]
    return list(User.objects.filter(password__in=demo).order_by("username").values_list("username", flat=True))


@register(Tags.security, deploy=True)
def no_demo_accounts(app_configs=None, **kwargs):
    if settings.DEBUG:
        return []
    try:
        found = accounts_with_demo_password()
    except DatabaseError:  # no database yet (image build, first check before migrate): nothing can be seeded either
        return []
    if not found:
        return []
    shown = ", ".join(found[:10]) + (" …" if len(found) > 10 else "")
    return [
        Error(
            f"{len(found)} account(s) still have the published demo password: {shown}.",
            hint="Demo data belongs on development machines only. Set new passwords (or remove the accounts) "
            "with `manage.py changepassword`, or rebuild the database without `seed_demo`.",
            id="serambi.E001",
        )
    ]
