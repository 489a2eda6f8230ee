"""`manage.py leave_allocate --year Y`: the year-end job — close Y − 1 once it has ended (carry-over, expiry), allocate
Y, re-check Y's pending requests. Idempotent."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from hr.leave import services, yearend
from hr.leave.workdays import seed_calendar
from hr.org.models import Employee
from intranet.core.progress import Progress


class Command(BaseCommand):
    help = _("Close last year's leave once it has ended (carry-over, expiry) and allocate the year (idempotent).")

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help=_("Year to allocate (default: this year)."))

    def handle(self, *args, year=None, **options):
        year = year or timezone.localdate().year
        if not 2000 <= year <= 2100:
            raise CommandError(_("The year must be between 2000 and 2100."))
        seed_calendar(year)
        total = Employee.objects.filter(active=True).count() * services.ledger_types().count()
        with Progress(self.stdout, _("leave allocation %(year)s") % {"year": year}, total) as bar:
            summary = yearend.year_end(year=year, progress=bar.advance)
        self.stdout.write(self.style.SUCCESS(_("Leave allocation %(year)s done.") % {"year": year}))
        self.stdout.write(_("  employees: %(n)s") % {"n": summary.employees})
        self.stdout.write(_("  allocated now: %(n)s") % {"n": summary.allocated})
        self.stdout.write(_("  already allocated (skipped): %(n)s") % {"n": summary.already_allocated})
        self.stdout.write(_("  not eligible: %(n)s") % {"n": summary.not_eligible})
        self.stdout.write(_("  days carried over: %(n)s") % {"n": summary.carried_days})
        self.stdout.write(_("  days expired: %(n)s") % {"n": summary.expired_days})
        if not yearend.year_ended(year - 1):
            self.stdout.write(_("  %(year)s has not ended: it was not closed.") % {"year": year - 1})
        else:
            self.stdout.write(_("  years closed now: %(n)s") % {"n": summary.closed})
            self.stdout.write(_("  pending requests no longer covered: %(n)s") % {"n": summary.short_requests})
