"""The audit chain's keys. Every entry is sealed with HMAC-SHA256 under a key kept outside the database
(settings.AUDIT_HMAC_KEY, from the environment), so someone who can write the database but not read the server's
environment cannot forge an entry or recompute the chain. Entries name their key by an id derived from it; keys retired
by a rotation stay in AUDIT_HMAC_OLD_KEYS until the retention prune has removed the last entry sealed with them."""

import hashlib
import hmac
from functools import lru_cache

from django.conf import settings

MIN_KEY_LENGTH = 32


def key_id(key: str) -> str:
    """A short, public name for a key: its id is stored with each entry, the key never is."""
    return hashlib.sha256(b"serambi-audit-key-id:" + key.encode()).hexdigest()[:12]


@lru_cache(maxsize=8)
def _keyring(current: str, old: tuple[str, ...]) -> tuple[str, dict[str, bytes]]:
    ring = {key_id(k): k.encode() for k in (*old, current) if k}
    return key_id(current), ring


def keyring() -> tuple[str, dict[str, bytes]]:
    """(id of the key new entries are sealed with, {key id: key} of every key that verifies)."""
    return _keyring(settings.AUDIT_HMAC_KEY, tuple(settings.AUDIT_HMAC_OLD_KEYS))


def seal(text: str, kid: str | None = None) -> str | None:
    """HMAC-SHA256 of `text` under the key `kid` (the current key by default); None for an unknown key."""
    current, ring = keyring()
    key = ring.get(kid or current)
    if key is None:
        return None
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def matches(text: str, kid: str, mac: str) -> bool:
    expected = seal(text, kid)
    return expected is not None and hmac.compare_digest(expected, mac)


def current_key_id() -> str:
    return keyring()[0]
