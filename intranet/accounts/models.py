from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


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

    objects = CaseInsensitiveUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def save(self, *args, **kwargs):
        self.username = self.username.casefold()
        super().save(*args, **kwargs)

    @property
    def is_directory_account(self) -> bool:
        return self.source == self.Source.DIRECTORY
