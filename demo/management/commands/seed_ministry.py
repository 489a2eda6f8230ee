"""`manage.py seed_ministry`: the demo data at ministry scale, for the load benchmark (tests/perf/load) and sizing.

At `--fraction 1` (the default): 50,000 employees in about 2,000 org units, 20,000 news pages, 200 courses, 12 months
of payslips (600,000), a year of leave (about seven ledger entries per employee, > 300,000) and 100,000 HR documents.
`--fraction 0.02` gives the same shape at 2% for development. It runs `seed_demo` with the matching sizes (its bulk
paths: cms/news/bulk.py, the payslip and leave bulk inserts, bulk_create everywhere) and adds the extra courses.

Idempotent like seed_demo: a second run on the same database finds everything in place and only prints the counts,
so the benchmark can reuse one generated database (`serambi_bench`) between load runs.
"""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.news.models import NewsPage
from cms.training.models import CourseModule, CoursePage, TrainingIndexPage
from hr.documents.models import Document
from hr.leave.models import LeaveRequest, LedgerEntry
from hr.org.models import Employee, OrgUnit
from hr.payslips.models import Payslip
from intranet.accounts.models import User

# Ministry scale as stated in issue #10.
MINISTRY = {"employees": 50_000, "news": 20_000, "courses": 200, "documents": 100_000}


def sizes(fraction: float) -> dict[str, int]:
    return {
        "employees": max(int(MINISTRY["employees"] * fraction), 100),
        "news": max(int(MINISTRY["news"] * fraction), 40),
        "courses": max(int(MINISTRY["courses"] * fraction), 3),
        "documents": max(int(MINISTRY["documents"] * fraction), 200),
    }


def counts() -> dict[str, int]:
    """What the database holds now, by the issue's headings."""
    return {
        "employees": Employee.objects.count(),
        "org units": OrgUnit.objects.count(),
        "news pages": NewsPage.objects.count(),
        "courses": CoursePage.objects.count(),
        "payslips": Payslip.objects.count(),
        "leave ledger entries": LedgerEntry.objects.count(),
        "leave requests": LeaveRequest.objects.count(),
        "documents": Document.objects.count(),
    }


class Command(BaseCommand):
    help = _("Generate demo data at ministry scale (50,000 employees; --fraction for a smaller copy). Idempotent.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--fraction", type=float, default=1.0, help=_("Share of ministry scale, e.g. 0.02 (default 1).")
        )
        parser.add_argument("--seed", type=int, default=2026, help=_("Random seed (same seed, same data)."))

    def handle(self, *args, fraction, seed, **options):
        if not 0 < fraction <= 4:
            raise CommandError(_("--fraction must be above 0 and at most 4."))
        want = sizes(fraction)
        self.stdout.write(
            _("Ministry scale x %(f)s: %(sizes)s")
            % {"f": fraction, "sizes": ", ".join(f"{k}={v}" for k, v in want.items())}
        )
        started = time.monotonic()
        call_command(
            "seed_demo",
            employees=want["employees"],
            seed=seed,
            staging=True,  # benchmark data on a bench database, never a real installation
            scale=[f"news={want['news']}", f"documents={want['documents']}"],
            stdout=self.stdout,
        )
        t0 = time.monotonic()
        made = self._courses(want["courses"])
        self.stdout.write(f"  extra courses: {made} in {time.monotonic() - t0:.1f}s")
        if connection.vendor == "postgresql":
            t0 = time.monotonic()
            with connection.cursor() as cursor:
                # Fresh planner statistics after millions of bulk rows, and the visibility map set so index-only
                # scans work at once (a server with autovacuum off would otherwise never vacuum the new tables).
                cursor.execute("VACUUM (ANALYZE)")
            self.stdout.write(f"  VACUUM (ANALYZE): {time.monotonic() - t0:.1f}s")
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(_("Ministry data ready in %(s).1f s.") % {"s": elapsed}))
        for key, n in counts().items():
            self.stdout.write(f"  {key:<22} {n:>10,}")

    def _courses(self, target: int) -> int:
        """Courses beyond seed_demo's three, as live pages (no revisions, as after an import)."""
        index = TrainingIndexPage.objects.filter(locale__language_code="id").first()
        if index is None:
            return 0
        existing = CoursePage.objects.filter(locale=index.locale).count()
        owner = User.objects.filter(username="editor").first()
        today = timezone.localdate()
        made = 0
        for n in range(existing, target):
            page = CoursePage(
                title=f"Pelatihan Kompetensi Teknis {n + 1}",
                slug=f"pelatihan-kompetensi-{n + 1}",
                intro="Pelatihan daring untuk pengembangan kompetensi teknis pegawai.",
                learning_hours="2.0",
                content_owner=owner,
                review_by=today + timezone.timedelta(days=365),
            )
            page.modules.add(CourseModule(title="Modul 1", body="<p>Materi pelatihan.</p>"))
            index.add_child(instance=page)
            index.refresh_from_db()
            made += 1
        return made
