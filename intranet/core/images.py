"""One pixel cap for every raster image the project opens (Wagtail images, leave and HR document attachments).

A PNG of a few kilobytes can declare 30000×30000 pixels and take gigabytes to decode; the size is read from the
header, without decoding, and refused above settings.SERAMBI_MAX_IMAGE_PIXELS. Pillow itself refuses to open such an
image anywhere in the process (apply_pillow_limit, when the app starts).
"""

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError


class ImageTooLarge(Exception):
    """The image declares more pixels than allowed; the message is translated."""


def apply_pillow_limit() -> None:
    # Pillow only warns above MAX_IMAGE_PIXELS and raises DecompressionBombError above twice that: half the cap
    # makes every Image.open (Wagtail's upload check through Willow included) refuse what exceeds the cap, before
    # anything is decoded.
    Image.MAX_IMAGE_PIXELS = settings.SERAMBI_MAX_IMAGE_PIXELS // 2
    # WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process when first imported, which would let a
    # truncated upload through once a worker has rendered a PDF: import it now and put the flag back.
    from .pdf import load

    load()


def check_pixels(fileobj) -> None:
    """Raise ImageTooLarge when the raster image in `fileobj` declares more pixels than the cap. Other formats and
    unreadable headers pass: the caller's content check decides about those."""
    limit = settings.SERAMBI_MAX_IMAGE_PIXELS
    fileobj.seek(0)
    try:
        with Image.open(fileobj) as image:
            width, height = image.size
    except Image.DecompressionBombError:
        width, height = limit + 1, 1
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return
    finally:
        fileobj.seek(0)
    if width * height > limit:
        raise ImageTooLarge(
            _("The image is too large: %(width)s×%(height)s pixels; at most %(limit)s million pixels are accepted.")
            % {"width": width, "height": height, "limit": round(limit / 1_000_000)}
        )
