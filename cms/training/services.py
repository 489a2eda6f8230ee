"""Training writes: enrolment, module progress, quiz, completion and reminders. Time is passed in (`now`/`today`)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cms.base.audience import audience_users
from intranet.notifications.services import notify

from .documents import issue_certificate
from .models import CoursePage, Enrolment, ModuleProgress, TrainingReminder


class TrainingError(Exception):
    pass


def enrol(*, user, course: CoursePage, now: dt.datetime | None = None) -> Enrolment:
    with transaction.atomic():
        enrolment, _created = Enrolment.objects.get_or_create(
            user=user, course=course, defaults={"enrolled_at": now or timezone.now()}
        )
        return enrolment


def _check_completion(enrolment: Enrolment, now: dt.datetime) -> None:
    course = enrolment.course
    module_ids = set(course.modules.values_list("pk", flat=True))
    done = set(ModuleProgress.objects.filter(enrolment=enrolment).values_list("module_id", flat=True))
    has_quiz = course.questions.exists()
    if module_ids <= done and (not has_quiz or enrolment.quiz_passed) and enrolment.completed_at is None:
        enrolment.completed_at = now
        enrolment.save(update_fields=["completed_at"])
        issue_certificate(enrolment)
        notify(
            enrolment.user,
            "training.completed",
            _("Training completed: %(title)s") % {"title": course.title},
            body=_("Your certificate is ready to download."),
            url=course.url + "sertifikat/" if course.url else "",
            email=False,
        )


def complete_module(*, user, course: CoursePage, module_id: int, now: dt.datetime | None = None) -> Enrolment:
    now = now or timezone.now()
    with transaction.atomic():
        module = course.modules.filter(pk=module_id).first()
        if module is None:
            raise TrainingError(_("This module is not part of the course."))
        enrolment, _created = Enrolment.objects.get_or_create(user=user, course=course, defaults={"enrolled_at": now})
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        ModuleProgress.objects.get_or_create(enrolment=enrolment, module=module, defaults={"completed_at": now})
        _check_completion(enrolment, now)
        return enrolment


def submit_quiz(*, user, course: CoursePage, answers: dict[int, int], now: dt.datetime | None = None) -> Enrolment:
    """`answers` maps question id → chosen choice number (1-based). Score in whole percent; pass at the pass mark."""
    now = now or timezone.now()
    questions = list(course.questions.all())
    if not questions:
        raise TrainingError(_("This course has no quiz."))
    with transaction.atomic():
        enrolment, _created = Enrolment.objects.get_or_create(user=user, course=course, defaults={"enrolled_at": now})
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        correct = sum(1 for q in questions if answers.get(q.pk) == q.correct_choice)
        score = round(100 * correct / len(questions))
        enrolment.quiz_attempts += 1
        enrolment.quiz_score = max(score, enrolment.quiz_score or 0)
        enrolment.quiz_passed = enrolment.quiz_passed or score >= course.pass_mark
        enrolment.save(update_fields=["quiz_attempts", "quiz_score", "quiz_passed"])
        _check_completion(enrolment, now)
        return enrolment


REMINDER_DAYS = {14: TrainingReminder.Kind.DAYS_14, 3: TrainingReminder.Kind.DAYS_3}


def send_reminders(*, today: dt.date | None = None) -> int:
    """Remind everyone assigned a mandatory course who has not completed it: 14 and 3 days before the due date,
    and once when overdue. Idempotent (a TrainingReminder row per reminder). Returns the number sent."""
    today = today or timezone.localdate()
    sent = 0
    courses = CoursePage.objects.live().filter(mandatory=True, due_date__isnull=False, locale__language_code="id")
    for course in courses:
        days = (course.due_date - today).days
        if days in REMINDER_DAYS:
            kind = REMINDER_DAYS[days]
        elif days < 0:
            kind = TrainingReminder.Kind.OVERDUE
        else:
            continue
        completed = Enrolment.objects.filter(course=course, completed_at__isnull=False).values("user_id")
        already = TrainingReminder.objects.filter(course=course, kind=kind, due_date=course.due_date).values("user_id")
        users = audience_users(course).exclude(pk__in=completed).exclude(pk__in=already)
        for user in users.iterator():
            with transaction.atomic():
                _obj, created = TrainingReminder.objects.get_or_create(
                    course=course, user=user, kind=kind, due_date=course.due_date
                )
                if not created:
                    continue
                if kind == TrainingReminder.Kind.OVERDUE:
                    title = _("Mandatory training overdue: %(title)s") % {"title": course.title}
                else:
                    title = _("Mandatory training due in %(days)s days: %(title)s") % {
                        "days": days,
                        "title": course.title,
                    }
                body = _("Please complete it by %(date)s.") % {"date": date_format(course.due_date, "j F Y")}
                notify(user, "training.reminder", title, body=body, url=course.url or "")
                sent += 1
    return sent
