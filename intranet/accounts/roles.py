"""Roles are Django groups with fixed names, so Wagtail's own permission checks (Editors, Moderators) just work.

A role is granted by a directory group mapping (see the directory issue) or by an administrator in the admin.
Scope (which org units an HR or payroll officer covers) is a separate record: `hr.org.models.HRScope`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    EMPLOYEE = "Pegawai", _("Employee")
    HR_OFFICER = "Pengelola Kepegawaian", _("HR officer")
    PAYROLL_OFFICER = "Pengelola Gaji", _("Payroll officer")
    EDITOR = "Editors", _("Communications editor")
    MODERATOR = "Moderators", _("Moderator")
    ADMINISTRATOR = "Administrator", _("Administrator")
    AUDITOR = "Auditor", _("Auditor")


def role_names(user) -> frozenset[str]:
    """The user's role (group) names, memoised on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_serambi_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._serambi_roles = cached
    return cached


def has_role(user, role: Role) -> bool:
    return role.value in role_names(user)


def is_administrator(user) -> bool:
    return user.is_authenticated and (user.is_superuser or has_role(user, Role.ADMINISTRATOR))
