"""`manage.py ldap_check [--login NAME]`: test the directory settings against the directory itself and explain what
is wrong. Its output is meant for a support ticket (no password; the sample user's NIP and e-mail masked).
Exits with an error when a problem was found."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hr.org.directory_sync import nip_problem
from hr.org.models import OrgUnit
from intranet.accounts.ldap.config import get_config
from intranet.accounts.ldap.doctor import check_directory


class Command(BaseCommand):
    help = "Check the directory (LDAP / Active Directory) settings against the directory and explain problems."
    requires_system_checks = []  # the system checks' findings are part of this report

    def add_arguments(self, parser):
        parser.add_argument("--login", help="Show this user (username, NIP or e-mail) as the sample.")

    def handle(self, *args, login=None, **options):
        try:
            config = get_config()
        except (ImproperlyConfigured, KeyError, TypeError) as exc:
            raise CommandError(_("The LDAP settings cannot be read: %(error)s") % {"error": exc}) from None
        if not config.server_uris:
            raise CommandError(_("The directory is not configured: LDAP_SERVER_URIS is empty."))
        org_units = set(OrgUnit.objects.values_list("code", flat=True))
        report = check_directory(
            config, login=(login or "").strip() or None, org_units=org_units, nip_problem=nip_problem
        )
        for line in report.lines:
            self.stdout.write(line)
        for text in report.warnings:
            self.stdout.write(self.style.WARNING(_("WARNING: %(text)s") % {"text": text}))
        for text in report.errors:
            self.stdout.write(self.style.ERROR(_("PROBLEM: %(text)s") % {"text": text}))
        if report.errors:
            raise CommandError(_("%(n)d problem(s) found; see above.") % {"n": len(report.errors)})
        self.stdout.write(self.style.SUCCESS(_("No problem found.")))
