from django import template
from django.template.loader import render_to_string

register = template.Library()


@register.simple_tag(takes_context=True)
def render_panel(context, panel):
    """Render one dashboard panel fragment with its own context (plus request/user for {% url %}, csrf...)."""
    request = context.get("request")
    return render_to_string(panel["template"], panel.get("context", {}), request=request)


@register.filter
def link_url(link):
    """URL of a quick link block value: the chosen page, else an internal address (never an outside one)."""
    page = link.get("page")
    if page is not None:
        return page.url
    url = link.get("url") or ""
    return url if url.startswith("/") and not url.startswith("//") else ""
