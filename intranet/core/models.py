from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredFile(models.Model):
    """What a private file must be: written by the storage in the same transaction as the row that names the file, so
    a file without one was never committed (the cleanup command removes it) and a file that differs from it is
    damaged (it is not served; a generated document is rendered again)."""

    storage = models.CharField(max_length=20)
    name = models.CharField(max_length=255)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    stored_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("stored file")
        constraints = [models.UniqueConstraint(fields=["storage", "name"], name="core_storedfile_unique_name")]

    def __str__(self):
        return f"{self.storage}:{self.name}"
