"""External anchors of the audit chain. `write_anchor` (manage.py audit_checkpoint, and the beat task) appends an
`audit.checkpoint` entry, committed with a flush to disk, then writes its number and seal, signed with the audit key,
as one line to settings.AUDIT_ANCHOR_FILE and to the `serambi.audit.anchor` log. The database cannot take back what
left it: a rewritten chain no longer carries the anchored seals, and a cut one ends before the newest anchor."""

import json
import logging
import os
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .keys import current_key_id, matches, seal

logger = logging.getLogger("serambi.audit.anchor")


class AnchorError(Exception):
    pass


def _signed_text(line: dict) -> str:
    fields = {k: line[k] for k in ("seq", "hash", "at", "key_id")}
    return "anchor|" + json.dumps(fields, sort_keys=True, separators=(",", ":"))


def anchor_path() -> Path | None:
    return Path(settings.AUDIT_ANCHOR_FILE) if settings.AUDIT_ANCHOR_FILE else None


def write_anchor() -> dict:
    """Anchor the chain's head outside the database; returns the anchor line."""
    from .services import audit_record

    with transaction.atomic():
        if connection.vendor == "postgresql":  # committing waits for the flush of every earlier (async) entry too
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO ON")
        entry = audit_record(action="audit.checkpoint", object_type="audit.anchor")
    line = {"seq": entry.seq, "hash": entry.entry_hash, "at": timezone.now().isoformat(), "key_id": current_key_id()}
    line["sig"] = seal(_signed_text(line))
    text = json.dumps(line, sort_keys=True, separators=(",", ":"))
    path = anchor_path()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # One write of one line in append mode: whole lines, whatever else appends; fsync so a crash keeps it.
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, (text + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)
    logger.info(text)
    return line


def read_anchors() -> dict[int, str]:
    """{sequence number: seal} of every anchor in the file. A line that does not bear a valid signature under a
    configured key is forged or damaged: AnchorError. Lines signed with a key since retired and removed are skipped."""
    path = anchor_path()
    if path is None or not path.exists():
        return {}
    anchors = {}
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            try:
                line = json.loads(text)
                kid, signed, sig = line["key_id"], _signed_text(line), line["sig"]
                seq, sealed = int(line["seq"]), str(line["hash"])
            except (ValueError, KeyError, TypeError) as exc:
                raise AnchorError(_("Line %(n)d of the anchor file is damaged.") % {"n": number}) from exc
            if seal("", kid) is None:
                continue
            if not matches(signed, kid, sig):
                raise AnchorError(_("Line %(n)d of the anchor file bears no valid signature.") % {"n": number})
            anchors[seq] = sealed
    return anchors
