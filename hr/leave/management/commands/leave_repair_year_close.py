"""`manage.py leave_repair_year_close [--apply]`: find leave years closed before they ended and rebuild them.
Dry run by default; `--apply` writes, in one transaction (`hr.leave.repair`)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from hr.leave.repair import repair_early_closes


class Command(BaseCommand):
    help = _("Find leave years closed before their end (carry-over or expiry posted early) and rebuild them.")

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help=_("Write the repair (default: dry run)."))

    def handle(self, *args, apply=False, **options):
        report = repair_early_closes(apply=apply)
        if not report:
            self.stdout.write(_("No year was closed early."))
            return
        for item in report:
            e = item.employee
            y = item.year
            after = (
                _("closed again: %(c)s carried, %(x)s expired") % {"c": item.carried, "x": item.expired}
                if item.carried is not None
                else _("left open for the year-end job")
            )
            self.stdout.write(
                _(
                    "%(nip)s %(name)s, %(year)s: early close of %(c)s carried and %(x)s expired reversed; %(after)s; "
                    "balance %(year)s %(b0)s → %(a0)s, %(next)s %(b1)s → %(a1)s"
                )
                % {
                    "nip": e.nip,
                    "name": e.full_name,
                    "year": y,
                    "next": y + 1,
                    "c": item.early_carried,
                    "x": item.early_expired,
                    "after": after,
                    "b0": item.balance_before[y],
                    "a0": item.balance_after[y],
                    "b1": item.balance_before[y + 1],
                    "a1": item.balance_after[y + 1],
                }
            )
            if item.balance_after[y + 1] < 0:
                self.stdout.write(
                    self.style.WARNING(
                        _("  %(next)s is negative: leave was approved on the early carry-over; HR must adjust it.")
                        % {"next": y + 1}
                    )
                )
        employees = len({item.employee.pk for item in report})
        if apply:
            self.stdout.write(self.style.SUCCESS(_("Repaired: %(n)s employees.") % {"n": employees}))
        else:
            self.stdout.write(
                self.style.WARNING(_("Dry run: %(n)s employees would change; run with --apply.") % {"n": employees})
            )
