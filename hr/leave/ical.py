"""The private leave calendar as iCalendar (RFC 5545), written by the `icalendar` library: escaping, and lines folded
at 75 octets, which long names in Indonesian units would otherwise break in strict clients."""

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .models import LeaveRequest


def feed_ics(requests: Iterable[LeaveRequest], *, host: str) -> bytes:
    """Approved leave as all-day events (the end date is exclusive in iCalendar), without reasons."""
    calendar = Calendar()
    calendar.add("prodid", "-//Serambi//Cuti//ID")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    stamp = timezone.now()
    for r in requests:
        event = Event()
        event.add("uid", f"leave-{r.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", r.start_date)
        event.add("dtend", r.end_date + dt.timedelta(days=1))
        event.add("summary", _("Leave") + ": " + r.employee.full_name)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
