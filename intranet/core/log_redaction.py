"""Secrets that travel in URL paths (the iCal feed token: a calendar client can send no header) are kept out of
logs: Django's request and server loggers and gunicorn's access log go through `redact`; nginx has its own map
with the same pattern (deploy/nginx/serambi.conf)."""

import logging
import re

_FEED_TOKEN = re.compile(r"(/cuti/ical/)[^/?\s\"]+(\.ics)")


def redact(text: str) -> str:
    return _FEED_TOKEN.sub(r"\1[redacted]\2", text)


class RedactSecretsFilter(logging.Filter):
    """Rewrites the record's message with the secrets replaced (the arguments are merged into it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
            if hasattr(record, "request"):  # django.request keeps the request for other handlers (admin e-mails)
                record.request = None
        return True
