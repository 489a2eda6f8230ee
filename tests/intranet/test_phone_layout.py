"""What a phone needs that can be checked without a browser (the browser journeys in tests/e2e/test_phone.py measure
the rest): the stylesheet's narrow-screen rules, the components' markup and accessibility ties, and that the site's
templates use them."""

import re
from pathlib import Path

import pytest
from django import forms
from django.template import Context, Template

ROOT = Path(__file__).resolve().parents[2]
CSS = (ROOT / "static/css/serambi.css").read_text()
# Our own page templates; PDFs, certificates and letters are paper, not screens.
TEMPLATES = [
    p
    for base in ("templates", "cms", "hr", "intranet")
    for p in (ROOT / base).rglob("*.html")
    if p.name not in ("pdf.html", "certificate.html", "letter.html")
]
PHONE_PX = 360


def _rules(css: str) -> dict[str, str]:
    """selector → declarations, media queries flattened (later rules win, as in the browser)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    out = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        for selector in selectors.split(","):
            out[selector.strip()] = out.get(selector.strip(), "") + ";" + body
    return out


def _narrow_block() -> str:
    """Every rule inside the stylesheet's `@media (max-width:40rem)` blocks."""
    found = []
    for m in re.finditer(r"@media \(max-width:40rem\)\{", CSS):
        depth, i = 1, m.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(CSS[i], 0)
            i += 1
        found.append(CSS[m.end() : i - 1])
    assert found, "narrow-screen rules"
    return "\n".join(found)


def test_nothing_in_the_stylesheet_is_wider_than_a_phone():
    for value, unit in re.findall(r"(?<![-\w])(?:min-)?width:(\d+(?:\.\d+)?)(px|rem)", CSS):
        px = float(value) * (16 if unit == "rem" else 1)
        assert px < PHONE_PX, f"a fixed width of {value}{unit}"
    rules = _rules(CSS)
    assert "max-width:100%" in rules["img"] and "height:auto" in rules["img"]
    assert "overflow-x:auto" in rules[".table-scroll"] and "local" in rules[".table-scroll"], "scrolls, with a cue"
    assert "overflow-x:auto" in rules["pre"]


def test_button_links_are_one_unbroken_box():
    btn = _rules(CSS)[".btn"]
    assert "display:inline-block" in btn and "max-width:100%" in btn and "text-decoration:none" in btn


def test_the_narrow_screen_rules_fold_the_navigation_and_stack_tables():
    narrow = _narrow_block()
    assert ".main-nav{display:none}" in narrow and ".nav-menu{display:block}" in narrow
    assert ".table-stack" in narrow and "content:attr(data-label)" in narrow
    assert _rules(CSS)[".nav-menu"].count("display:none"), "the disclosure is hidden on wide screens"


def test_every_wide_table_is_a_focusable_labelled_region_or_stacks():
    for template in TEMPLATES:
        text = template.read_text()
        if '<div class="doc' in text:  # an A4 official document: on the web it is shown whole inside a scrolling region
            continue
        for tag in re.findall(r'<div class="table-scroll"[^>]*>', text):
            assert 'role="region"' in tag and 'tabindex="0"' in tag, (template, tag)
            assert "aria-label" in tag, (template, tag)
        tables = text.count("<table")
        wrapped = text.count('class="table-scroll"') + text.count("{% data_table")
        small = text.count('<table><thead><tr><th scope="col">{% translate "Column" %}')  # the 3-column legend
        assert tables <= wrapped + small + text.count('data-testid="earnings"') + text.count(
            'data-testid="deductions"'
        ), f"{template}: a table outside a scrolling region"


def test_the_stacked_tables_label_every_cell():
    for template in TEMPLATES:
        text = template.read_text()
        for block in re.findall(r"\{% data_table [^%]*stack=True %\}(.*?)\{% enddata_table %\}", text, flags=re.S):
            body = block.split("</thead>", 1)[-1]
            for cell in re.findall(r"<td[^>]*>", body):
                if cell == "<td>" and "<td></td>" in body:
                    continue  # an empty spacer cell
                assert "data-label" in cell, (template, cell)


def test_no_image_of_ours_has_a_fixed_width_above_a_phone():
    for template in TEMPLATES:
        for spec in re.findall(r"\{% (?:srcset_)?image \S+ (\S+)", template.read_text()):
            widths = [int(w) for w in re.findall(r"(?:max|fill|width)-\{?(\d+)", spec)]
            if "srcset_image" not in spec and widths:
                assert min(widths) <= PHONE_PX or "{" in spec, (template, spec)
    article = (ROOT / "cms/news/templates/news/article.html").read_text()
    assert article.count("{% srcset_image") == 2 and article.count("sizes=") == 2


class _Form(forms.Form):
    nip = forms.CharField(label="NIP", help_text="18 angka")
    reason = forms.CharField(label="Alasan", required=False)
    kind = forms.ChoiceField(
        label="Jenis", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect, help_text="Pilih satu"
    )


def _render(form) -> str:
    return Template('{% for f in form %}{% include "components/field.html" with field=f %}{% endfor %}').render(
        Context({"form": form})
    )


def _ids(html) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', html))


@pytest.mark.parametrize("data", [None, {"nip": "", "kind": "x"}])
def test_a_field_ties_its_hint_and_error_to_the_control(data):
    html = _render(_Form(data))
    ids = _ids(html)
    described = re.findall(r'aria-describedby="([^"]+)"', html)
    assert described, html
    for value in described:
        for ref in value.split():
            assert ref in ids, f"aria-describedby names {ref}, which is not on the page"
    nip = re.search(r"<input[^>]*name=\"nip\"[^>]*>", html).group(0)
    assert "id_nip_helptext" in nip
    if data is not None:
        assert "id_nip_error" in nip and 'aria-invalid="true"' in nip
        assert 'id="id_nip_error"' in html
    assert "<fieldset" in html and "<legend>Jenis" in html, "radios are a group with a legend"
    reason = re.search(r"<input[^>]*name=\"reason\"[^>]*>", html).group(0)
    assert "aria-describedby" not in reason, "nothing to describe"


def test_pagination_tag_banner_and_button_components_render():
    from django.core.paginator import Paginator

    page = Paginator(list(range(30)), 10).get_page(2)
    html = Template('{% include "components/pagination.html" with querystring="q=siti" %}').render(
        Context({"page": page})
    )
    assert 'href="?q=siti&amp;page=1" rel="prev"' in html and 'href="?q=siti&amp;page=3" rel="next"' in html
    assert "<nav" in html and "aria-label" in html
    html = Template('{% include "components/tag.html" with text="Disetujui" colour="green" %}').render(Context())
    assert 'class="tag tag-green"' in html
    html = Template(
        '{% include "components/banner.html" with kind="success" title="Tersimpan" text="Cuti diajukan." %}'
    ).render(Context())
    assert 'role="alert"' in html and "Cuti diajukan." in html
    html = Template('{% include "components/button.html" with href="/x/" text="Ajukan" secondary=True %}').render(
        Context()
    )
    assert 'class="btn btn-secondary" href="/x/"' in html


def test_page_titles_carry_the_site_name_after_a_separator():
    from intranet.core.templatetags.components import page_title

    assert page_title("Slip gaji") == "Slip gaji · Serambi"
    assert page_title("  \n ") == "Serambi"


@pytest.mark.django_db
def test_header_and_titles_on_a_real_page(client, org):
    from tests.factories import EmployeeFactory

    client.force_login(EmployeeFactory(unit=org["SUB1"]).user)
    html = client.get("/slip-gaji/").content.decode()
    assert re.search(r"<title>[^<]+ · Serambi</title>", html), re.search(r"<title>.*</title>", html).group(0)
    header = html[html.index('<header class="site-header">') : html.index("</header>")]
    assert '<details class="wrap">' in header and 'data-testid="nav-menu"' in header
    wide = re.findall(r'data-testid="nav-(\w+)"', header.split('class="main-nav"')[1])
    menu = re.findall(r'data-testid="menu-(\w+)"', header)
    assert wide and wide == menu, "the disclosure holds the same links as the bar"
    testids = re.findall(r'data-testid="([^"]+)"', html)
    shared = [t for t in testids if t.startswith(("nav-", "menu-", "language-select", "user-menu", "logout"))]
    assert len(shared) == len(set(shared)), "one element per test id (the bar and the disclosure differ)"
    options = re.findall(r'<option value="(\w+)"[^>]*lang="\w+">([^<]+)</option>', header)
    assert dict(options) == {"id": "Bahasa Indonesia", "en": "English"}, "each language names itself"
