from django import template

from intranet.issued.services import latest_document

register = template.Library()


@register.inclusion_tag("issued/state.html")
def issued_state(kind: str, source):
    """A line for the document's holder while it is not ready: "being prepared" or "failed, retrying"."""
    doc = latest_document(kind, source) if source is not None else None
    return {"doc": doc}
