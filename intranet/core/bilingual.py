"""Names kept in both languages: `name_id` (Bahasa Indonesia, always filled) and `name_en` (English, optional)."""

from django.utils.translation import get_language


class BilingualName:
    """For a model with `name_id` and `name_en` fields: `name` in the active language, Indonesian when the English
    one is missing."""

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name_id
