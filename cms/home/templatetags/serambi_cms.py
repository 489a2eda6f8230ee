from django import template

from cms.home.dashboard import panels_html

register = template.Library()


@register.simple_tag(takes_context=True)
def render_panel(context, panel):
    """Render one dashboard panel fragment inside the page's context (request, user, csrf, language) plus its own.
    Like {% include %}: the context processors ran once for the page, not again per panel (each run cost queries)."""
    tpl = context.template.engine.get_template(panel["template"])
    with context.push(**panel.get("context", {})):
        return tpl.render(context)


@register.simple_tag(takes_context=True)
def dashboard_panels(context):
    """Every dashboard panel, rendered as `render_panel` does, through the reader's cache (`cms.home.dashboard`)."""
    return panels_html(context["request"], lambda panel: render_panel(context, panel))


@register.filter
def link_url(link):
    """URL of a quick link block value: the chosen page, else an internal address (never an outside one)."""
    page = link.get("page")
    if page is not None:
        return page.url
    url = link.get("url") or ""
    return url if url.startswith("/") and not url.startswith("//") else ""
