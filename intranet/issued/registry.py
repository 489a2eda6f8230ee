"""Document kinds: each app that issues a document registers its kind here (in its AppConfig.ready), so this app
needs none of them.

A kind says how to render its source object (HTML; the pipeline turns it into PDF, signs and stores it) and who the
parties are. The renderer takes the source object only: what the page says belongs to its app.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Parties:
    """Who holds the document and who issues it, as printed and shown on the verification page."""

    holder_name: str
    issuer_unit: str
    holder_nip: str = ""
    holder_user_id: int | None = None
    signer_name: str = ""
    signer_nip: str = ""
    signer_title: str = ""


@dataclass(frozen=True)
class Kind:
    code: str  # e.g. "leave.letter"
    label: str  # translatable, shown on the verification page
    render: Callable[[object], str | bytes]  # source object -> HTML (or finished PDF bytes)
    parties: Callable[[object], Parties]
    file_stem: Callable[[object], str] = field(default=lambda source: "dokumen")
    # Bytes to hand over when the PDF must be protected (payslips): source object -> password ('' for none).
    password: Callable[[object], str] | None = None
    # Called after a document is stored (e.g. to keep an app's own pointer to the file up to date).
    on_ready: Callable[[object, object], None] | None = None


_kinds: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    _kinds[kind.code] = kind
    return kind


def get(code: str) -> Kind:
    return _kinds[code]


def label(code: str) -> str:
    kind = _kinds.get(code)
    return str(kind.label) if kind else code
