"""The one way Serambi turns HTML into PDF (leave letters, payslips, certificates, watermark overlays, demo files).

WeasyPrint is imported here only. It switches Pillow's LOAD_TRUNCATED_IMAGES on for the whole process when first
imported; `images.apply_pillow_limit` imports it at start-up and switches the flag back, and every render checks the
flag again so a truncated upload is never accepted because a PDF was rendered first.
"""

import threading

_fonts = threading.local()


def _font_config():
    """One font configuration per thread: building it for every document costs about 10% of a render."""
    config = getattr(_fonts, "config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _fonts.config = FontConfiguration()
    return config


def load() -> None:
    """Import WeasyPrint now (at start-up) and put Pillow's flag back; see the module's docstring."""
    import weasyprint.images  # noqa: F401
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = False


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """The PDF bytes of an HTML document. Element ids become PDF named destinations (the signature slot uses this)."""
    from PIL import ImageFile
    from weasyprint import HTML

    try:
        return HTML(string=html, base_url=base_url).write_pdf(font_config=_font_config())
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = False
