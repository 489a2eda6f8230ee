"""Faster forms on read pages. Form widgets rendered in Python, byte for byte as Django's own widget templates render them.

Django renders every widget, and every <option> of a select, through a template include: a filter form with a few
selects costs several milliseconds a page (the document list's filter form: ~16 ms on the reference server). The
stock input, textarea and select templates are simple enough to build with `format_html`; any other template (the
Wagtail admin's widgets, a custom option template, a project override) still goes through the templates."""

from django.forms.models import ModelChoiceField, ModelChoiceIterator
from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDGETS = "django/forms/widgets/"
INPUT_TEMPLATES = {
    f"{WIDGETS}{name}.html"
    for name in (
        "input", "text", "search", "email", "url", "tel", "number", "password", "hidden", "date", "datetime", "time",
        "color", "checkbox", "file",
    )
}
OPTION_TEMPLATE = f"{WIDGETS}select_option.html"
END_OPTGROUP, END_SELECT = SafeString("\n  </optgroup>"), SafeString("\n</select>")


def _attrs(attrs: dict) -> str:
    # as attrs.html: False leaves the attribute out, True writes its bare name, anything else name="str(value)"
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value)),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else format_html(' value="{}"', str(widget["value"]))
    return format_html('<input type="{}" name="{}"{}{}>', widget["type"], widget["name"], value, _attrs(widget["attrs"]))


def _textarea(widget: dict) -> str:
    body = localize(widget["value"]) if widget["value"] else ""
    return format_html('<textarea name="{}"{}>\n{}</textarea>', widget["name"], _attrs(widget["attrs"]), body)


def _select(widget: dict) -> str | None:
    parts = [format_html('<select name="{}"{}>', widget["name"], _attrs(widget["attrs"]))]
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in group_choices:
            if option["template_name"] != OPTION_TEMPLATE:
                return None  # a custom option template: let the templates render the whole select
            parts.append(
                format_html(
                    '\n  <option value="{}"{}>{}</option>\n',
                    str(option["value"]),
                    _attrs(option["attrs"]),
                    localize(option["label"]),
                )
            )
        if group_name:
            parts.append(END_OPTGROUP)
    parts.append(END_SELECT)  # the option template's file ends with a newline; the whole output is stripped
    return format_html_join("", "{}", ((part,) for part in parts))


class SerambiFormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None:
            if template_name in INPUT_TEMPLATES:
                return _input(widget)
            if template_name == f"{WIDGETS}textarea.html":
                return _textarea(widget)
            if template_name == f"{WIDGETS}select.html":
                html = _select(widget)
                if html is not None:
                    return html
        return super().render(template_name, context, request)


class ListModelChoiceIterator(ModelChoiceIterator):
    """Reads a short choice list with one plain query. Django's iterator() opens a server-side cursor on PostgreSQL
    (DECLARE … WITH HOLD, FETCH, CLOSE: three round trips and a materialised copy), measured at ~4 ms for the dozen
    document categories of the document list's filter form."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in list(self.queryset):
            yield self.choice(obj)


class ShortModelChoiceField(ModelChoiceField):
    """A ModelChoiceField for short lists (categories, leave types, a unit menu)."""

    iterator = ListModelChoiceIterator
