from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from intranet.audit.services import audit_verify


class Command(BaseCommand):
    help = _("Verify the audit trail's hash chain and name the first tampered entry.")

    def handle(self, *args, **options):
        intact, bad, checked = audit_verify()
        if intact:
            self.stdout.write(self.style.SUCCESS(_("Audit chain intact: %(n)d entries verified.") % {"n": checked}))
            return
        if bad is None:
            raise CommandError(
                _(
                    "Audit chain broken after %(n)d entries: entries were removed (the newest ones, or old ones "
                    "behind a moved retention checkpoint)."
                ) % {"n": checked}
            )
        raise CommandError(
            _("Audit chain broken at entry #%(id)s (%(when)s, %(action)s): its content or link was altered.")
            % {"id": bad.pk, "when": bad.created_at, "action": bad.action}
        )
