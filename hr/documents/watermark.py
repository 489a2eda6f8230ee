"""Stamp every page of a PDF with the downloader's name, NIP and the time (Rahasia and Sangat Rahasia downloads).

The overlay is rendered by WeasyPrint (one overlay per distinct page size, with a footer line and a light diagonal
stamp) and merged onto each page with pypdf. The text stays real text, so a leaked copy names its source and tests
can read it back with pypdf's text extraction.
"""

import io
from decimal import Decimal
from html import escape

from pypdf import PdfReader, PdfWriter

from intranet.core.pdf import html_to_pdf


def watermark_text(*, name: str, nip: str, when: str, label: str) -> str:
    parts = [label, name]
    if nip:
        parts.append(f"NIP {nip}")
    parts.append(when)
    return " · ".join(p for p in parts if p)


def _overlay(width: Decimal, height: Decimal, text: str):
    t = escape(text)
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><style>
@page {{ size: {width}pt {height}pt; margin: 0 }}
html, body {{ margin: 0; padding: 0; background: transparent; font-family: "DejaVu Sans", sans-serif; }}
.stamp {{ position: absolute; top: {height / 2}pt; left: 0; width: {width}pt; text-align: center;
  transform: rotate(-35deg); font-size: {max(min(width, height) / 28, 8):.1f}pt; color: rgba(160, 0, 0, 0.22); }}
.foot {{ position: absolute; bottom: 8pt; left: 12pt; right: 12pt; font-size: 7pt; color: rgba(160, 0, 0, 0.85); }}
</style></head><body><div class="stamp">{t}</div><div class="foot">{t}</div></body></html>"""
    pdf = html_to_pdf(html)
    return PdfReader(io.BytesIO(pdf)).pages[0]


def watermark_pdf(data: bytes, text: str) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(data))
    overlays: dict[tuple, object] = {}
    for page in writer.pages:
        box = page.mediabox
        width, height = (
            Decimal(str(box.width)).quantize(Decimal("0.01")),
            Decimal(str(box.height)).quantize(Decimal("0.01")),
        )
        key = (width, height)
        if key not in overlays:
            overlays[key] = _overlay(width, height, text)
        page.merge_translated_page(overlays[key], float(box.left), float(box.bottom), over=True)
    writer.add_metadata({"/Subject": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
