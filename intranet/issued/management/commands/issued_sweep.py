"""Render the official documents still pending or failed whose next attempt is due.

manage.py issued_sweep            # queue them for the workers (what the beat does every minute)
manage.py issued_sweep --inline   # render them here, now (no worker needed)
"""

from django.core.management.base import BaseCommand

from intranet.issued import services
from intranet.issued.models import IssuedDocument
from intranet.issued.tasks import render_document


class Command(BaseCommand):
    help = "Queue (or render with --inline) the issued documents still pending or failed."

    def add_arguments(self, parser):
        parser.add_argument("--inline", action="store_true", help="render here instead of queueing")
        parser.add_argument("--limit", type=int, default=200)

    def handle(self, *args, inline=False, limit=200, **options):
        from intranet.core.storage import begin_writes, end_writes

        ids = services.sweep(limit=limit)
        for doc_id in ids:
            if inline:
                token = begin_writes()
                try:
                    doc = services.render(doc_id)
                finally:
                    end_writes(token)
                state = doc.state if doc else "gone"
                self.stdout.write(f"document {doc_id}: {state}")
            else:
                render_document.delay(doc_id)
        waiting = IssuedDocument.objects.filter(state__in=("pending", "failed")).count()
        self.stdout.write(f"{len(ids)} document(s) {'rendered' if inline else 'queued'}; {waiting} not ready yet")
