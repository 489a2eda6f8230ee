"""`manage.py leave_allocate --year Y`: yearly leave allocation with carry-over and expiry. Idempotent."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from hr.leave import services
from hr.leave.workdays import seed_calendar
from hr.org.models import Employee
from intranet.core.progress import Progress


class Command(BaseCommand):
    help = _("Allocate the yearly leave entitlement and carry over last year's remainder (idempotent).")

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help=_("Year to allocate (default: this year)."))

    def handle(self, *args, year=None, **options):
        year = year or timezone.localdate().year
        if not 2000 <= year <= 2100:
            raise CommandError(_("The year must be between 2000 and 2100."))
        seed_calendar(year)
        total = Employee.objects.filter(active=True).count() * services.ledger_types().count()
        with Progress(self.stdout, _("leave allocation %(year)s") % {"year": year}, total) as bar:
            summary = services.allocate_year(year=year, progress=bar.advance)
        self.stdout.write(self.style.SUCCESS(_("Leave allocation %(year)s done.") % {"year": year}))
        self.stdout.write(_("  employees: %(n)s") % {"n": summary.employees})
        self.stdout.write(_("  allocated now: %(n)s") % {"n": summary.allocated})
        self.stdout.write(_("  already allocated (skipped): %(n)s") % {"n": summary.already_allocated})
        self.stdout.write(_("  not eligible: %(n)s") % {"n": summary.not_eligible})
        self.stdout.write(_("  days carried over: %(n)s") % {"n": summary.carried_days})
        self.stdout.write(_("  days expired: %(n)s") % {"n": summary.expired_days})
