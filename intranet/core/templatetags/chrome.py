from django import template
from django.utils.safestring import mark_safe

from intranet.core.chrome import site_header as _site_header

register = template.Library()


@register.simple_tag(takes_context=True)
def site_header(context):
    """The site header (`intranet.core.chrome`): one rendered copy per audience, the reader's own values put in."""
    return mark_safe(_site_header(context))  # noqa: S308 - our template's output and values escaped when put in
