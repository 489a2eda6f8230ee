"""`{% official_css %}`: the official documents' stylesheet (`static/css/official-document.css`) inlined, for the
HTML that is rendered to PDF (no static server there). The web pages link the same file."""

from functools import cache

from django import template
from django.contrib.staticfiles import finders
from django.utils.safestring import mark_safe

register = template.Library()
STYLESHEET = "css/official-document.css"


@cache
def _stylesheet() -> str:
    path = finders.find(STYLESHEET)
    with open(path, encoding="utf-8") as fh:
        return fh.read()


@register.simple_tag
def official_css():
    return mark_safe(f"<style>{_stylesheet()}</style>")  # noqa: S308 - our own stylesheet, no user input
