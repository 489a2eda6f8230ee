"""HTTP for course pages (called from CoursePage routes; Wagtail has already checked view restrictions)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from cms.base.pages import section_page, serve_page
from intranet.accounts.permissions import staff_member
from intranet.audit.denials import audit_denied
from intranet.audit.services import audit_record
from intranet.core import tabular
from intranet.core.private_files import private_file_response
from intranet.issued.services import NotReady
from intranet.issued.views import not_ready_response

from . import documents, selectors, services


@staff_member
def index(request):
    from .models import TrainingIndexPage

    return serve_page(request, section_page(TrainingIndexPage))


def _context(request, page, **extra):
    course = page.source()
    enrolment = selectors.enrolment_for(request.user, course)
    done = selectors.completed_module_ids(enrolment)
    modules = list(page.modules.all())
    source_modules = list(course.modules.all())
    # modules of a translation map to the source modules by position
    for i, m in enumerate(modules):
        m.source_id = source_modules[i].pk if i < len(source_modules) else m.pk
        m.done = m.source_id in done
    ctx = {
        "page": page,
        "self": page,
        "course": course,
        "enrolment": enrolment,
        "modules": modules,
        "modules_done": sum(1 for m in modules if m.done),
        "has_quiz": course.questions.exists(),
        "can_report": selectors.can_report(request.user),
    }
    ctx.update(extra)
    return ctx


def course(request, page):
    return TemplateResponse(request, "training/course_page.html", _context(request, page))


def enrol(request, page):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.enrol(user=request.user, course=page.source())
    messages.success(request, _("You are enrolled. Work through the modules in any order."))
    return redirect(page.get_url(request))


def module(request, page, module_id):
    ctx = _context(request, page)
    current = next((m for m in ctx["modules"] if m.pk == module_id), None)
    if current is None:
        raise Http404
    if request.method == "POST":
        services.complete_module(user=request.user, course=ctx["course"], module_id=current.source_id)
        messages.success(request, _("Module marked as done."))
        return redirect(page.get_url(request))
    ctx["module"] = current
    return TemplateResponse(request, "training/module.html", ctx)


def quiz(request, page):
    ctx = _context(request, page)
    questions = list(ctx["course"].questions.all())
    if not questions:
        raise Http404
    if request.method == "POST":
        answers = {}
        for q in questions:
            value = request.POST.get(f"q{q.pk}", "")
            if value.isdigit():
                answers[q.pk] = int(value)
        enrolment = services.submit_quiz(user=request.user, course=ctx["course"], answers=answers)
        if enrolment.quiz_passed:
            messages.success(request, _("You passed the quiz with %(score)s%%.") % {"score": enrolment.quiz_score})
        else:
            messages.error(
                request,
                _("Your score is %(score)s%%; the pass mark is %(mark)s%%. Please try again.")
                % {"score": enrolment.quiz_score, "mark": ctx["course"].pass_mark},
            )
        return redirect(page.get_url(request))
    ctx["questions"] = questions
    return TemplateResponse(request, "training/quiz.html", ctx)


def certificate(request, page):
    course = page.source()
    enrolment = selectors.enrolment_for(request.user, course)
    if enrolment is None or enrolment.completed_at is None:
        raise Http404
    try:
        name = documents.certificate_file(enrolment)
    except NotReady as exc:
        return not_ready_response(request, exc)
    audit_record(action="training.certificate", request=request, obj=course, outcome="allowed")
    return private_file_response(
        name=name,
        download_name=f"sertifikat-{course.slug}.pdf",
        content_type="application/pdf",
        regenerate=lambda: documents.certificate_file(enrolment),
    )


def report(request, page, fmt=""):
    course = page.source()
    try:
        data = selectors.completion_report(request.user, course)
    except PermissionDenied:
        audit_denied(action="training.report.denied", reason="no HR scope", request=request, obj=course)
        raise
    if fmt:
        audit_record(action="training.report.download", request=request, obj=course, details={"format": fmt})
        return _report_file(course, data, fmt)
    return TemplateResponse(
        request, "training/report.html", {"page": page, "self": page, "course": course, "report": data}
    )


def _report_file(course, data, fmt):
    header = [_("Unit"), _("NIP"), _("Name"), _("Enrolled"), _("Modules done"), _("Completed")]
    rows = [
        [
            row["unit"].name,
            emp.nip,
            emp.full_name,
            emp.enrolled_at.date().isoformat() if emp.enrolled_at else "",
            emp.modules_done or 0,
            emp.completed_at.date().isoformat() if emp.completed_at else "",
        ]
        for row in data["units"]
        for emp in row["people"]
    ]
    return tabular.download(filename=f"pelatihan-{course.slug}", header=header, rows=rows, fmt=fmt)
