from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from intranet.core.backup import backup_verify, restore, restored


class Command(BaseCommand):
    help = _("Verify a backup folder and restore it into an empty database and file store.")

    def add_arguments(self, parser):
        parser.add_argument("source", help=_("Backup folder (with manifest.json)."))
        parser.add_argument("--database-url", help=_("Restore into this (empty) database instead of the configured one."))
        parser.add_argument("--private-root", help=_("Private-file folder of that database (with --database-url)."))
        parser.add_argument("--media-root", help=_("Media folder of that database (with --database-url)."))
        parser.add_argument("--verify-only", action="store_true", help=_("Only check the checksums."))

    def handle(self, *args, source, database_url=None, verify_only=False, private_root=None, media_root=None, **options):
        folder = Path(source)
        if not (folder / "manifest.json").exists():
            raise CommandError(_("%(folder)s has no manifest.json: is it a Serambi backup?") % {"folder": folder})
        problems = backup_verify(folder)
        if problems:
            raise CommandError(_("Backup is damaged: %(problems)s") % {"problems": "; ".join(problems[:5])})
        self.stdout.write(_("Checksums verified."))
        if verify_only:
            return
        try:
            manifest = restore(
                source=folder,
                database_url=database_url,
                private_root=Path(private_root) if private_root else None,
                media_root=Path(media_root) if media_root else None,
            )
        except Exception as exc:
            raise CommandError(_("Restore failed: %(error)s") % {"error": exc}) from exc
        if database_url is None:
            # a running instance's cache may hold copies made before: every copy of personal data, and the employee
            # records and roles kept per user, carry the organisation generation (content copies expire in minutes)
            restored.send(sender=self.__class__)
        self.stdout.write(self.style.SUCCESS(
            _("Restored %(rows)d records and %(files)d files.")
            % {"rows": sum(manifest["counts"].values()), "files": sum(len(v) for v in manifest["files"].values())}
        ))
