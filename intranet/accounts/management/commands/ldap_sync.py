"""`manage.py ldap_sync [--dry-run]`: bring accounts, employees' directory fields, unit placement and roles in line
with the directory; deactivate accounts that left it (their sessions end at once)."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from intranet.accounts.ldap.connection import DirectoryMisconfigured, DirectoryUnavailable
from intranet.accounts.ldap.provisioning import SyncAborted
from intranet.accounts.ldap.sync import SyncNotConfigured, run_sync
from intranet.core.progress import Progress


class Command(BaseCommand):
    help = "Synchronise accounts and roles from the directory (LDAP / Active Directory)."
    requires_system_checks = []  # a periodic batch job: start-up checks cost more than a no-op sync's writes

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Compute and report the changes, write nothing.")
        parser.add_argument(
            "--verify",
            action="store_true",
            help="Re-apply every entry, also those unchanged since the last run (undoes local edits of directory fields).",
        )
        parser.add_argument("--show-errors", type=int, default=50, help="How many per-entry problems to print.")

    def handle(self, *args, dry_run=False, verify=False, show_errors=50, **options):
        try:
            report = run_sync(
                dry_run=dry_run,
                verify=verify,
                progress_factory=lambda label, total: Progress(self.stdout, label, total),
            )
        except (SyncNotConfigured, ImproperlyConfigured) as exc:
            raise CommandError(str(exc)) from None
        except DirectoryMisconfigured as exc:
            raise CommandError(
                _("The directory refused the sync; nothing was changed. %(problem)s") % {"problem": exc.summary()}
                + "\n"
                + _("Run `manage.py ldap_check` for a full diagnosis.")
            ) from None
        except DirectoryUnavailable as exc:
            raise CommandError(
                _("The directory is unreachable (%(reason)s); nothing was changed.") % {"reason": exc}
            ) from None
        except SyncAborted as exc:
            raise CommandError(str(exc)) from None
        for line in report.errors[:show_errors]:
            self.stdout.write(self.style.WARNING(f"  ! {line}"))
        if len(report.errors) > show_errors:
            self.stdout.write(
                self.style.WARNING(_("  … and %(n)d more problems") % {"n": len(report.errors) - show_errors})
            )
        summary = (
            _(
                "created %(created)d, updated %(updated)d, deactivated %(deactivated)d, unchanged %(unchanged)d, "
                "skipped %(skipped)d, errors %(errors)d, sessions ended %(sessions_ended)d"
            )
            % report.as_dict()
        )
        prefix = _("Dry run (nothing written): ") if dry_run else _("Directory sync: ")
        self.stdout.write(self.style.SUCCESS(prefix + summary))
