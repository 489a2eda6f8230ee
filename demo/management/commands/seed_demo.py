"""`manage.py seed_demo`: deterministic, idempotent demo data, grown module by module.

Each module listed in SEEDERS may provide `seed.py` with `seed(ctx: SeedContext)`. Seeders run in order; a module
without a seed.py is skipped. Each seeder is idempotent on its own (it checks what exists first).
"""

import importlib
import random
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hr.org.signals import bump_org_generation
from intranet.core.progress import Progress

SEEDERS = [
    "hr.org",
    "cms.home",
    "cms.news",
    "cms.training",
    "cms.policies",
    "hr.leave",
    "hr.payslips",
    "hr.documents",
]


@dataclass
class SeedContext:
    """Shared by every seeder in one run."""

    employees: int
    seed: int
    stdout: object
    style: object
    rng: random.Random = field(init=False)
    summary: dict[str, int] = field(default_factory=dict)
    scale: dict[str, int] = field(default_factory=dict)

    def __post_init__(self):
        self.rng = random.Random(self.seed)

    def progress(self, label: str, total: int) -> Progress:
        return Progress(self.stdout, label, total)

    def count(self, key: str, n: int) -> None:
        self.summary[key] = self.summary.get(key, 0) + n


class Command(BaseCommand):
    help = _("Load deterministic demo data (idempotent): org tree, employees, demo accounts and each module's content.")

    def add_arguments(self, parser):
        parser.add_argument("--employees", type=int, default=300, help=_("Number of employees (default 300)."))
        parser.add_argument("--seed", type=int, default=2026, help=_("Random seed (same seed, same data)."))
        parser.add_argument("--only", nargs="*", default=None, help=_("Run only these seeders (e.g. hr.org hr.leave)."))
        parser.add_argument(
            "--scale",
            nargs="*",
            default=[],
            metavar="KEY=N",
            help=_("Per-module sizes, e.g. news=20000 documents=100000."),
        )
        parser.add_argument(
            "--staging",
            action="store_true",
            help=_("Allow demo data with DEBUG off, on a throwaway staging installation only."),
        )

    def handle(self, *args, employees, seed, only, scale, staging, **options):
        if not settings.DEBUG and not staging:
            # demo accounts share a password printed in the README: never on a real installation by accident
            raise CommandError(
                _("DEBUG is off: demo data (accounts with the published password) is for development only. "
                  "Pass --staging on a throwaway staging installation.")
            )
        if employees < 20:
            raise CommandError(_("--employees must be at least 20 so that every role has someone."))
        ctx = SeedContext(employees=employees, seed=seed, stdout=self.stdout, style=self.style)
        for item in scale:
            key, _sep, value = item.partition("=")
            if not value.isdigit():
                raise CommandError(_("--scale takes KEY=NUMBER, got %(item)s.") % {"item": item})
            ctx.scale[key] = int(value)
        started = time.monotonic()
        for name in SEEDERS:
            if only and name not in only:
                continue
            try:
                module = importlib.import_module(f"{name}.seed")
            except ModuleNotFoundError as exc:
                if exc.name == f"{name}.seed":
                    continue
                raise
            t0 = time.monotonic()
            self.stdout.write(self.style.MIGRATE_HEADING(f"[{name}]"))
            module.seed(ctx)
            self.stdout.write(f"  {name}: {time.monotonic() - t0:.1f}s")
        bump_org_generation()  # the seeders write in bulk (no signals): what is cached about who is where is retired
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(_("Demo data ready in %(s).1f s.") % {"s": elapsed}))
        for key, n in ctx.summary.items():
            self.stdout.write(f"  {key}: {n}")
