"""Drop cached leave data when HR edits it (now and after commit): the ledger and the requestable leave types, a year's
holiday calendar."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from intranet.core.caching import bump_generation_now_and_on_commit, cache_delete

from .models import Holiday, HolidayCalendar, LeaveType
from .selectors import LEAVE_TYPES_GENERATION, LEDGER_TYPES_CACHE_KEY
from .workdays import calendar_cache_key


def _forget() -> None:
    cache_delete(LEDGER_TYPES_CACHE_KEY)


@receiver([post_save, post_delete], sender=LeaveType)
def _leave_type_changed(sender, **kwargs):
    _forget()
    transaction.on_commit(_forget)
    bump_generation_now_and_on_commit(LEAVE_TYPES_GENERATION)


@receiver([post_save, post_delete], sender=HolidayCalendar)
@receiver([post_save, post_delete], sender=Holiday)
def _calendar_changed(sender, instance, **kwargs):
    # a holiday's date lies in its calendar's year (Holiday.clean); its calendar's own year too when it is at hand
    years = {instance.year} if sender is HolidayCalendar else {instance.date.year}
    if sender is Holiday and Holiday.calendar.is_cached(instance):
        years.add(instance.calendar.year)

    def forget():
        for year in years:
            cache_delete(calendar_cache_key(year))

    forget()
    transaction.on_commit(forget)
