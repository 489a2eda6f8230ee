"""Wagtail's image upload form (WAGTAILIMAGES_IMAGE_FORM_BASE) with a file that cannot be decoded refused with a
message: Willow decodes an upload to measure it, and a truncated or corrupt image made that an error page."""

import copy

from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from wagtail.images import get_image_model
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm


class DecodableImageField(WagtailImageField):
    def to_python(self, data):
        try:
            return super().to_python(data)
        except (OSError, SyntaxError, ValueError):  # Pillow's errors for truncated and malformed image data
            raise ValidationError(self.error_messages["invalid_image"], code="invalid_image") from None


class SafeImageForm(BaseImageForm):
    file = DecodableImageField(
        label=capfirst(get_image_model()._meta.get_field("file").verbose_name),
        widget=copy.deepcopy(BaseImageForm.Meta.widgets["file"]),
    )
