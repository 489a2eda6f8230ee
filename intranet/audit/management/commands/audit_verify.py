from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from intranet.audit.services import audit_verify


class Command(BaseCommand):
    help = _("Verify the audit trail's sealed chain against its external anchors and name the first tampered entry.")

    def handle(self, *args, **options):
        verdict = audit_verify()
        intact, bad, checked = verdict
        if intact:
            self.stdout.write(self.style.SUCCESS(_("Audit chain intact: %(n)d entries verified.") % {"n": checked}))
            return
        if bad is None:
            raise CommandError(
                _("Audit chain broken after %(n)d entries: %(problem)s") % {"n": checked, "problem": verdict.problem}
            )
        raise CommandError(
            _("Audit chain broken at entry #%(id)s (%(when)s, %(action)s): %(problem)s")
            % {"id": bad.pk, "when": bad.created_at, "action": bad.action, "problem": verdict.problem}
        )
