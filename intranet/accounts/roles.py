"""Roles are Django groups with fixed names, so Wagtail's own permission checks (Editors, Moderators) just work.

A role is granted by a directory group mapping (see the directory issue) or by an administrator in the admin.
Scope (which org units an HR or payroll officer covers) is a separate record: `hr.org.models.HRScope`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from intranet.core.caching import kept_with_generation


class Role(models.TextChoices):
    EMPLOYEE = "Pegawai", _("Employee")
    HR_OFFICER = "Pengelola Kepegawaian", _("HR officer")
    PAYROLL_OFFICER = "Pengelola Gaji", _("Payroll officer")
    EDITOR = "Editors", _("Communications editor")
    MODERATOR = "Moderators", _("Moderator")
    ADMINISTRATOR = "Administrator", _("Administrator")
    AUDITOR = "Auditor", _("Auditor")


# The organisation generation: who is where and in which role. hr.org bumps it on every write to units, employees,
# scopes and role groups (`hr.org.signals`), the directory sync after its bulk writes. Named here, below hr.org,
# because the roles kept per user are read under it.
ORG_GENERATION_KEY = "org:generation"
ROLES_SECONDS = 300  # bounds a role change whose bump was lost while Redis was failing


def roles_key(user_id: int) -> str:
    """The cache key of a user's role names (read with every signed-in request's prefetch: `hr.org.apps`)."""
    return f"accounts:roles-of:{user_id}"


def role_names(user) -> frozenset[str]:
    """The user's role (group) names, memoised on the user object for the request. Kept in the cache with the
    organisation generation they were read under: any change of a user's groups (the admin, a directory sync or a
    directory login) or of a group itself (renamed, deleted) bumps it (`hr.org.signals`, `intranet.accounts.ldap.provisioning`)."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_serambi_roles", None)
    if cached is None:
        cached = kept_with_generation(
            roles_key(user.pk),
            ORG_GENERATION_KEY,
            lambda: frozenset(user.groups.values_list("name", flat=True)),
            ROLES_SECONDS,
        )
        user._serambi_roles = cached
    return cached


def has_role(user, role: Role) -> bool:
    return role.value in role_names(user)


def is_administrator(user) -> bool:
    return user.is_authenticated and (user.is_superuser or has_role(user, Role.ADMINISTRATOR))
