from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from intranet.core.backup_encryption import write_key_file


class Command(BaseCommand):
    help = _(
        "Make an age key pair for encrypted backups: writes the secret key to a new file (mode 0600) and prints the "
        "public key, for SERAMBI_BACKUP_RECIPIENTS."
    )

    def add_arguments(self, parser):
        parser.add_argument("key_file", help=_("Secret key file to create; keep it off the server."))

    def handle(self, *args, key_file, **options):
        path = Path(key_file)
        try:
            public = write_key_file(path)
        except FileExistsError as exc:
            raise CommandError(_("%(file)s already exists; it is not overwritten.") % {"file": path}) from exc
        except OSError as exc:
            raise CommandError(_("Cannot write %(file)s: %(error)s") % {"file": path, "error": exc}) from exc
        # only the public key on stdout, so `SERAMBI_BACKUP_RECIPIENTS=$(manage.py backup_keygen key)` works
        self.stdout.write(public)
        self.stderr.write(
            _("Secret key written to %(file)s. Keep it off the server; without it no backup can be restored.")
            % {"file": path}
        )
