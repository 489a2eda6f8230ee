from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from .roles import Role


class CaseInsensitiveUserManager(UserManager):
    """Directory usernames are case-folded: `JDoe` and `jdoe` are one account."""

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractUser):
    """A person who can log in. Most come from the directory; a few local accounts are break-glass administrators."""

    class Source(models.TextChoices):
        DIRECTORY = "directory", _("Directory (LDAP/AD)")
        LOCAL = "local", _("Local account")

    source = models.CharField(_("account source"), max_length=16, choices=Source.choices, default=Source.LOCAL)
    directory_dn = models.CharField(_("directory DN"), max_length=512, blank=True, default="")
    directory_synced_at = models.DateTimeField(_("last directory sync"), null=True, blank=True)
    # The directory entry's immutable identifier ("objectguid:…" on Active Directory, "entryuuid:…" on OpenLDAP):
    # a username or DN given later to someone else never reaches this account. Empty until first seen; an
    # administrator clears it when the same person's entry was deleted and created again.
    directory_anchor = models.CharField(
        _("directory identifier"),
        max_length=128,
        blank=True,
        default="",
        help_text=_(
            "Set by the directory. Clear it only when this person's directory entry was deleted and created again: "
            "the next sign-in or sync then links the new entry to this account."
        ),
    )

    objects = CaseInsensitiveUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        # Logins look the account up case-insensitively (username__iexact is UPPER(username) = UPPER(%s)): without this
        # index every login read the whole table (33–40 ms at 50,000 accounts, on PostgreSQL).
        indexes = [models.Index(Upper("username"), name="user_username_upper")]
        constraints = [
            models.UniqueConstraint(
                fields=["directory_anchor"],
                condition=~models.Q(directory_anchor=""),
                name="user_directory_anchor_unique",
            )
        ]

    def save(self, *args, **kwargs):
        self.username = self.username.casefold()
        super().save(*args, **kwargs)

    @property
    def is_directory_account(self) -> bool:
        return self.source == self.Source.DIRECTORY


class DirectoryGroupMapping(models.Model):
    """A directory group (by DN) grants a role, optionally with an HR/payroll unit scope. Editable in the admin;
    rows from the LDAP_GROUP_ROLE_MAP setting are created when missing (never overwritten)."""

    class ScopeKind(models.TextChoices):
        NONE = "", _("No scope")
        HR = "hr", _("HR officer")
        PAYROLL = "payroll", _("Payroll officer")

    group_dn = models.CharField(
        _("directory group DN"), max_length=512, help_text=_("e.g. cn=sdm,ou=groups,dc=kemencontoh,dc=go,dc=id")
    )
    role = models.CharField(_("role"), max_length=64, choices=Role.choices)
    scope_unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("scope unit (with sub-units)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Only for the HR officer and payroll officer roles."),
    )
    scope_kind = models.CharField(_("scope kind"), max_length=8, choices=ScopeKind.choices, blank=True, default="")
    active = models.BooleanField(_("active"), default=True)
    from_settings = models.BooleanField(_("seeded from settings"), default=False, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("directory group mapping")
        verbose_name_plural = _("directory group mappings")
        ordering = ["group_dn", "role"]
        constraints = [
            models.UniqueConstraint(fields=["group_dn", "role", "scope_unit", "scope_kind"], name="dirmap_unique")
        ]

    def __str__(self):
        return f"{self.group_dn} → {self.get_role_display()}"

    def save(self, *args, **kwargs):
        from .ldap.config import normalize_dn

        self.group_dn = normalize_dn(self.group_dn)
        super().save(*args, **kwargs)

    def clean(self):
        scoped_roles = {Role.HR_OFFICER: self.ScopeKind.HR, Role.PAYROLL_OFFICER: self.ScopeKind.PAYROLL}
        if self.scope_unit_id and self.role not in scoped_roles:
            raise ValidationError({"scope_unit": _("Only the HR officer and payroll officer roles have a unit scope.")})
        if self.scope_unit_id:
            self.scope_kind = scoped_roles[self.role]
        elif self.scope_kind:
            raise ValidationError({"scope_unit": _("Choose the unit the scope covers.")})


class RoleGrant(models.Model):
    """Records that the directory (not an administrator) put `user` into role group `group`, so the membership can
    be removed when the directory group membership is gone. Memberships without a grant are manual and left alone."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="directory_role_grants"
    )
    group = models.ForeignKey("auth.Group", verbose_name=_("role"), on_delete=models.CASCADE, related_name="+")
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)

    class Meta:
        verbose_name = _("role granted by the directory")
        verbose_name_plural = _("roles granted by the directory")
        constraints = [models.UniqueConstraint(fields=["user", "group"], name="rolegrant_unique")]

    def __str__(self):
        return f"{self.user} — {self.group}"


class DirectoryAccount(models.Model):
    """Directory attributes with no home on User or Employee (title, unit code, manager), as last seen."""

    user = models.OneToOneField(
        User, verbose_name=_("user"), primary_key=True, on_delete=models.CASCADE, related_name="directory_account"
    )
    nip = models.CharField(_("NIP"), max_length=32, blank=True, default="")
    title = models.CharField(_("title"), max_length=255, blank=True, default="")
    unit_code = models.CharField(_("unit code"), max_length=64, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=64, blank=True, default="")
    manager_dn = models.CharField(_("manager DN"), max_length=512, blank=True, default="")
    # Hash of the entry as last applied (attributes, mapped groups, mapping configuration); an entry with the same
    # hash is skipped by the sync without reading anything else. Empty when the entry could not be applied in full
    # (no HR record yet, unknown unit or manager, ...), so it is looked at again on the next run.
    fingerprint = models.CharField(_("sync fingerprint"), max_length=32, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("directory account")
        verbose_name_plural = _("directory accounts")

    def __str__(self):
        return str(self.user)
