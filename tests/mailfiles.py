"""E-mails that a worker process sent through Django's file backend (`EMAIL_BACKEND` filebased), one string each.

Count messages, not files: each backend instance appends its messages to a file named after the current second and
the instance's `id()`, so two sends in the same second share a file when the second instance reuses the memory of the
first (which happened in CI: three e-mails sent, two files)."""

from pathlib import Path

SEPARATOR = "-" * 79  # written after every message (django.core.mail.backends.console)


def sent_messages(directory: Path) -> list[str]:
    messages = []
    for path in sorted(directory.glob("*.log")):
        messages += [m.strip() for m in path.read_text().split(SEPARATOR) if m.strip()]
    return sorted(messages)
