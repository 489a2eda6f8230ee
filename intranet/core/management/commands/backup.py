from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from intranet.core.backup import backup_create, file_count
from intranet.core.progress import Progress


class Command(BaseCommand):
    help = _(
        "Back up the database and all private and public files, with a SHA-256 manifest; encrypted to the age public "
        "keys in SERAMBI_BACKUP_RECIPIENTS when it names any."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help=_("Folder to create (default: var/backups/<timestamp>)."))

    def handle(self, *args, output=None, **options):
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        folder = Path(output) if output else Path(settings.VAR_DIR) / "backups" / stamp
        try:
            manifest = backup_create(
                output=folder, progress_factory=lambda label, total: Progress(self.stdout, label, total)
            )
        except (ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        numbers = {"folder": folder, "rows": sum(manifest["counts"].values()), "files": file_count(manifest)}
        if manifest["encryption"]:
            numbers["keys"] = ", ".join(manifest["encryption"]["recipients"])
            message = _("Backup written to %(folder)s, encrypted to %(keys)s: %(rows)d records, %(files)d files.")
        else:
            message = _("Backup written to %(folder)s: %(rows)d records, %(files)d files.")
        self.stdout.write(self.style.SUCCESS(message % numbers))
        if not manifest["encryption"]:
            self.stderr.write(
                self.style.WARNING(
                    _("The backup is not encrypted: set SERAMBI_BACKUP_RECIPIENTS (deploy/README.md, “Backups”).")
                )
            )
