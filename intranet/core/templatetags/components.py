"""Template components (templates/components/, in the spirit of GOV.UK Frontend): the tags behind them.

- `{% field_widget field %}`: the widget with `aria-describedby` naming the hint and the error messages that
  components/field.html renders with the same ids, and `aria-invalid` when there are errors.
- `{% data_table caption="…" %}…{% enddata_table %}`: a table in a focusable, labelled region that scrolls
  sideways on a narrow screen with a visible cue; with `stack=True` its rows become stacked blocks there instead (each
  cell says its column through `data-label`)."""

from django import template
from django.conf import settings
from django.forms.widgets import CheckboxSelectMultiple, RadioSelect
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


def hint_id(field) -> str:
    return f"{field.auto_id}_helptext"  # the id Django itself gives the help text of a field


def error_id(field) -> str:
    return f"{field.auto_id}_error"


def described_by(field) -> str:
    ids = []
    if field.help_text:
        ids.append(hint_id(field))
    if field.errors:
        ids.append(error_id(field))
    return " ".join(ids)


@register.simple_tag
def field_widget(field):
    attrs = {}
    if not is_group(field) and (ids := described_by(field)):
        attrs["aria-describedby"] = ids
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def is_group(field) -> bool:
    """Radios and checkbox lists are a group: a fieldset with a legend, the hint and errors tied to the fieldset."""
    return isinstance(field.field.widget, RadioSelect | CheckboxSelectMultiple)


@register.filter
def field_described_by(field) -> str:
    return described_by(field)


@register.filter
def field_hint_id(field) -> str:
    return hint_id(field)


@register.filter
def field_error_id(field) -> str:
    return error_id(field)


@register.filter(is_safe=True)
def page_title(title) -> str:
    """'Slip gaji' → 'Slip gaji · Serambi'; an empty title → 'Serambi'. Used as {% filter page_title %}."""
    title = " ".join(str(title).split())
    return f"{title} · Serambi" if title else "Serambi"


@register.simple_tag
def session_idle_seconds() -> int:
    """The idle timeout (`SERAMBI_SESSION_IDLE_SECONDS`), for components/session_notice.html."""
    return settings.SERAMBI_SESSION_IDLE_SECONDS


@register.filter
def session_minutes(seconds) -> int:
    return max(1, int(seconds) // 60)


class DataTableNode(template.Node):
    def __init__(self, nodelist, options):
        self.nodelist, self.options = nodelist, options

    def render(self, context):
        opts = {key: value.resolve(context) for key, value in self.options.items()}
        caption = opts.get("caption") or ""
        classes = "table table-stack" if opts.get("stack") else "table"
        testid = format_html(' data-testid="{}"', opts["testid"]) if opts.get("testid") else ""
        caption_class = "" if opts.get("show_caption") else ' class="visually-hidden"'
        return format_html(
            '<div class="table-scroll" role="region" aria-label="{}" tabindex="0">'
            '<table class="{}"{}><caption{}>{}</caption>{}</table></div>',
            caption,
            classes,
            testid,
            mark_safe(caption_class),  # noqa: S308 - one of two constant strings
            caption,
            self.nodelist.render(context),
        )


@register.tag
def data_table(parser, token):
    bits = token.split_contents()[1:]
    options = {}
    for bit in bits:
        key, sep, value = bit.partition("=")
        if not sep:
            raise template.TemplateSyntaxError("data_table takes key=value options")
        options[key] = parser.compile_filter(value)
    nodelist = parser.parse(("enddata_table",))
    parser.delete_first_token()
    return DataTableNode(nodelist, options)
