from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from intranet.audit.services import AuditPruneError, audit_prune


class Command(BaseCommand):
    help = _("Remove audit entries older than the retention period, keeping the hash chain verifiable.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help=_("Retention in days (default: AUDIT_RETENTION_DAYS; 0 keeps all).")
        )

    def handle(self, *args, **options):
        days = settings.AUDIT_RETENTION_DAYS if options["days"] is None else options["days"]
        if days <= 0:
            self.stdout.write(_("Retention is 0 (keep forever): nothing pruned."))
            return
        self.stdout.write(_("Pruning audit entries older than %(days)d days…") % {"days": days})
        try:
            result = audit_prune(
                retention_days=days, progress=lambda n: self.stdout.write(_("  %(n)d removed") % {"n": n})
            )
        except AuditPruneError as exc:
            raise CommandError(str(exc)) from exc
        if not result.pruned:
            self.stdout.write(self.style.SUCCESS(_("Nothing older than %(cutoff)s.") % {"cutoff": result.cutoff}))
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("Pruned %(n)d entries older than %(cutoff)s; checkpoint #%(cp)s anchors the chain at entry #%(id)s.")
                % {
                    "n": result.pruned,
                    "cutoff": result.cutoff,
                    "cp": result.checkpoint.pk,
                    "id": result.checkpoint.last_pruned_id,
                }
            )
        )
