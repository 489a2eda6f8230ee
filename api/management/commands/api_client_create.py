"""Create an API client and print its token once:

    manage.py api_client_create "SIMPEG Absensi" --endpoints units employees leave holidays \
        --units DJ1 --fields nip --expires-days 365 --rate-limit 120
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from api.models import Endpoint, RestrictedField
from api.services import ApiClientError, api_client_create
from hr.org.models import OrgUnit


class Command(BaseCommand):
    help = "Create an API client (token shown once)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--endpoints", nargs="+", required=True, choices=Endpoint.values)
        parser.add_argument("--units", nargs="+", required=True, help="Unit codes; each covers its sub-units.")
        parser.add_argument("--fields", nargs="*", default=[], choices=RestrictedField.values)
        parser.add_argument("--expires-days", type=int, default=365, help="0: never expires.")
        parser.add_argument("--rate-limit", type=int, default=60, help="Requests per minute.")
        parser.add_argument("--contact-email", default="")

    def handle(self, *args, **opts):
        units = list(OrgUnit.objects.filter(code__in=opts["units"]))
        missing = set(opts["units"]) - {u.code for u in units}
        if missing:
            raise CommandError(f"Unknown unit codes: {', '.join(sorted(missing))}")
        expires = timezone.now() + dt.timedelta(days=opts["expires_days"]) if opts["expires_days"] > 0 else None
        try:
            client, token = api_client_create(
                name=opts["name"],
                endpoints=opts["endpoints"],
                units=units,
                fields=opts["fields"],
                expires_at=expires,
                rate_limit=opts["rate_limit"],
                contact_email=opts["contact_email"],
            )
        except ApiClientError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"API client {client.name} (#{client.pk}) created.")
        self.stdout.write(f"expires: {client.expires_at or 'never'} · endpoints: {', '.join(client.endpoints)}")
        self.stdout.write("Token (shown once, store it in the client system's secret store):")
        self.stdout.write(token)
