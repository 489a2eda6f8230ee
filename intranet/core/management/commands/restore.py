from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from intranet.core.backup import backup_verify, file_count, is_encrypted, read_manifest, restore, restored
from intranet.core.backup_encryption import BackupKeyError, load_identities


class Command(BaseCommand):
    help = _("Verify a backup folder and restore it into an empty database and file store.")

    def add_arguments(self, parser):
        parser.add_argument("source", help=_("Backup folder (with manifest.json)."))
        parser.add_argument(
            "--database-url", help=_("Restore into this (empty) database instead of the configured one.")
        )
        parser.add_argument("--private-root", help=_("Private-file folder of that database (with --database-url)."))
        parser.add_argument("--media-root", help=_("Media folder of that database (with --database-url)."))
        parser.add_argument(
            "--identity", help=_("Secret key file (age) of an encrypted backup; with --verify-only, also decrypts.")
        )
        parser.add_argument("--verify-only", action="store_true", help=_("Only check the checksums."))

    def handle(
        self,
        *args,
        source,
        database_url=None,
        verify_only=False,
        private_root=None,
        media_root=None,
        identity=None,
        **options,
    ):
        folder = Path(source)
        if not (folder / "manifest.json").exists():
            raise CommandError(_("%(folder)s has no manifest.json: is it a Serambi backup?") % {"folder": folder})
        encrypted = is_encrypted(read_manifest(folder))
        try:
            identities = load_identities(Path(identity)) if identity else None
        except OSError as exc:
            raise CommandError(_("Cannot read the secret key file: %(error)s") % {"error": exc}) from exc
        except BackupKeyError as exc:
            raise CommandError(str(exc)) from exc
        if encrypted and not identities and not verify_only:
            raise CommandError(
                _("%(folder)s is encrypted: give its secret key file with --identity.") % {"folder": folder}
            )
        try:
            problems = backup_verify(folder, identities)
        except BackupKeyError as exc:
            raise CommandError(str(exc)) from exc
        if problems:
            raise CommandError(_("Backup is damaged: %(problems)s") % {"problems": "; ".join(problems[:5])})
        if encrypted and identities:
            self.stdout.write(_("Checksums verified; every file decrypts with the key given."))
        else:
            self.stdout.write(_("Checksums verified."))
        if verify_only:
            return
        try:
            manifest = restore(
                source=folder,
                database_url=database_url,
                private_root=Path(private_root) if private_root else None,
                media_root=Path(media_root) if media_root else None,
                identities=identities,
            )
        except BackupKeyError as exc:
            raise CommandError(str(exc)) from exc
        except Exception as exc:
            raise CommandError(_("Restore failed: %(error)s") % {"error": exc}) from exc
        if database_url is None:
            # a running instance's cache may hold copies made before: every copy of personal data, and the employee
            # records and roles kept per user, carry the organisation generation (content copies expire in minutes)
            restored.send(sender=self.__class__)
        self.stdout.write(
            self.style.SUCCESS(
                _("Restored %(rows)d records and %(files)d files.")
                % {"rows": sum(manifest["counts"].values()), "files": file_count(manifest)}
            )
        )
