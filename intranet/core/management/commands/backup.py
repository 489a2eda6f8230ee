from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from intranet.core.backup import backup_create
from intranet.core.progress import Progress


class Command(BaseCommand):
    help = _("Back up the database and all private and public files, with a SHA-256 manifest.")

    def add_arguments(self, parser):
        parser.add_argument("--output", help=_("Folder to create (default: var/backups/<timestamp>)."))

    def handle(self, *args, output=None, **options):
        folder = Path(output) if output else Path(settings.VAR_DIR) / "backups" / timezone.now().strftime("%Y%m%d-%H%M%S")
        try:
            manifest = backup_create(output=folder, progress_factory=lambda label, total: Progress(self.stdout, label, total))
        except (ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        files = sum(len(v) for v in manifest["files"].values())
        rows = sum(manifest["counts"].values())
        self.stdout.write(self.style.SUCCESS(
            _("Backup written to %(folder)s: %(rows)d records, %(files)d files.") % {"folder": folder, "rows": rows, "files": files}
        ))
