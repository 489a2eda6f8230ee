"""`manage.py payslip_import FILE --user USERNAME [--reason TEXT] [--publish]`: the same service as the upload page,
with a progress bar. Exit status 1 when the file has problems (they are printed with row, column and hint)."""

import os
import time

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from intranet.accounts.models import User
from intranet.core.progress import Progress

from ... import services
from ...models import PayslipBatch


class Command(BaseCommand):
    help = _("Import a payroll results file (CSV or XLSX) as a payslip batch; optionally publish it.")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("Path of the .csv or .xlsx file."))
        parser.add_argument("--user", required=True, help=_("Username of the payroll officer whose scope applies."))
        parser.add_argument("--reason", default="", help=_("Reason, when the file replaces published payslips."))
        parser.add_argument(
            "--publish", action="store_true", help=_("Publish the batch when the file has no problems.")
        )

    def handle(self, *args, file, user, reason, publish, **options):
        try:
            importer = User.objects.get(username=user)
        except User.DoesNotExist:
            raise CommandError(_("No user named %(u)s.") % {"u": user}) from None
        if not os.path.isfile(file):
            raise CommandError(_("No such file: %(f)s") % {"f": file})
        started = time.monotonic()
        with open(file, "rb") as fh:
            try:
                batch = services.batch_upload(
                    user=importer, uploaded_file=File(fh, name=os.path.basename(file)), reason=reason, run_async=False
                )
            except services.PayslipError as exc:
                raise CommandError(exc.messages[0]) from None
        batch = self._validate(batch)
        if batch.sheet_count:
            self.stdout.write(
                _("Read worksheet “%(name)s” (%(n)s in the workbook; only the first is read).")
                % {"name": batch.sheet_name, "n": batch.sheet_count}
            )
        if batch.status != PayslipBatch.Status.READY:
            self._refuse(batch)
        checked = time.monotonic() - started
        self.stdout.write(
            _("Checked %(rows)s rows for %(period)s in %(s).1f s; %(missing)s employees in scope not in the file.")
            % {
                "rows": batch.row_count,
                "period": batch.period.strftime("%Y-%m"),
                "s": checked,
                "missing": batch.missing_count,
            }
        )
        if publish:
            t0 = time.monotonic()
            batch = services.batch_publish(batch_id=batch.pk, user=importer)
            self.stdout.write(
                self.style.SUCCESS(
                    _("Published %(rows)s payslips (%(rep)s replaced) in %(s).1f s; employees notified: %(n)s.")
                    % {
                        "rows": batch.row_count,
                        "rep": batch.replaces_count,
                        "s": time.monotonic() - t0,
                        "n": PayslipBatch.objects.get(pk=batch.pk).notified_count,
                    }
                )
            )
        else:
            self.stdout.write(
                _("Batch %(id)s is ready; publish it on the batch page or rerun with --publish.") % {"id": batch.pk}
            )

    def _validate(self, batch):
        """Check the file with a progress bar per phase."""
        bars: dict[str, Progress] = {}
        labels = {"reading": _("Reading rows"), "checking": _("Checking employees"), "saving": _("Saving")}

        def progress(phase, done, total):
            bar = bars.get(phase)
            if bar is None:
                for other in bars.values():
                    if other.done < other.total:
                        other.finish()
                bar = bars[phase] = Progress(self.stdout, labels.get(phase, phase), total)
            bar.advance(done - bar.done)

        batch = services.batch_validate(batch_id=batch.pk, progress=progress)
        for bar in bars.values():
            if bar.done < bar.total:
                bar.finish()
        return batch

    def _refuse(self, batch):
        self.stdout.write(self.style.ERROR(_("%(n)s problems; nothing was imported.") % {"n": batch.error_count}))
        for p in batch.errors:
            row = p["row"] if p["row"] is not None else "-"
            self.stdout.write(f"  {_('row')} {row} [{p['column']}] {p['message']} → {p['hint']}")
        raise SystemExit(1)
