from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from intranet.audit.anchor import anchor_path, write_anchor


class Command(BaseCommand):
    help = _("Anchor the audit chain's head outside the database (a signed line in the anchor file and the log).")

    def handle(self, *args, **options):
        line = write_anchor()
        where = anchor_path() or _("the log only (AUDIT_ANCHOR_FILE is empty)")
        self.stdout.write(
            self.style.SUCCESS(_("Anchored entry number %(seq)s in %(where)s.") % {"seq": line["seq"], "where": where})
        )
