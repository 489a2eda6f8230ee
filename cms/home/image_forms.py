"""Wagtail's image upload form (WAGTAILIMAGES_IMAGE_FORM_BASE) with a file that cannot be decoded refused with a
message: Willow decodes an upload to measure it, and a truncated or corrupt image made that an error page."""

import copy

from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Alt text is required: screen-reader users read the news too. Wagtail's multiple upload first saves the file
        # alone (its form has no description in its data); the description is then asked in the edit step.
        field = self.fields.get("description")
        if field is not None:
            field.label = _("Alt text (description)")
            field.help_text = _(
                "What the image shows, for readers who cannot see it, in one sentence (e.g. “Director handing over "
                "certificates at the morning assembly”). Required."
            )
            field.required = not self.is_bound or self.add_prefix("description") in self.data
