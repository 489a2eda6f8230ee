"""Lift login lockouts and rate limits (audited):

    manage.py login_throttle_clear --username jdoe                  # jdoe's lockouts, from every address
    manage.py login_throttle_clear --address 10.20.30.40            # that address: lockouts and rate limits
    manage.py login_throttle_clear --username jdoe --address 10.20.30.40   # that pair only
    manage.py login_throttle_clear --global                         # the service-wide login rate limit

Kept with the API, the layer above `intranet.security`: an address's limits include the API's on calls without a token.
"""

from django.core.management.base import BaseCommand, CommandError

from api.auth import FailedAuthThrottle
from intranet.security.login_throttle import login_limits_clear


class Command(BaseCommand):
    help = "Lift login lockouts and rate limits for a user, a client address, or the whole service."

    def add_arguments(self, parser):
        parser.add_argument("--username", help="Login name (any case).")
        parser.add_argument("--address", help="Client IP address, as the audit trail shows it.")
        parser.add_argument("--global", dest="everyone", action="store_true", help="The service-wide login limit.")

    def handle(self, *args, username=None, address=None, everyone=False, **opts):
        if not (username or address or everyone):
            raise CommandError("Give --username, --address and/or --global.")
        try:
            cleared = login_limits_clear(address=address, username=username, everyone=everyone)
        except ValueError:
            raise CommandError(f"Not an IP address: {address}") from None
        if address:
            FailedAuthThrottle().clear(cleared["address"])  # the API's limit on calls without a token
        parts = [f"{key}={value}" for key, value in cleared.items()]
        self.stdout.write("Cleared: " + ", ".join(parts))
