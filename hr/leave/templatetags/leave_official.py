"""`{% official_letter letter decision %}`: the Surat Izin Cuti of `hr.leave.official.letter` from the context the
letter service renders `leave/letter.html` with, until that service calls `letter_html` itself."""

from django import template
from django.utils.safestring import mark_safe

from hr.leave.official.letter import letter_html

register = template.Library()


@register.simple_tag
def official_letter(letter, decision=None):
    return mark_safe(letter_html(letter, decision))  # noqa: S308 - rendered by our own templates, autoescaped there
