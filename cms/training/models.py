from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.base.audience import AudienceMixin
from cms.base.mixins import ContentOwnerMixin
from cms.base.pages import default_locale, localize_pages


class TrainingIndexPage(ContentOwnerMixin, Page):
    """'Pelatihan': the course catalogue."""

    intro = models.TextField(_("introduction"), blank=True)

    max_count_per_parent = 1
    parent_page_types = ["home.HomePage"]
    subpage_types = ["training.CoursePage"]
    content_panels = [*Page.content_panels, FieldPanel("intro")]
    settings_panels = [*Page.settings_panels, *ContentOwnerMixin.owner_panels]

    class Meta:
        verbose_name = _("training index")

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        courses = list(selectors.courses_for(request.user))
        enrolments = selectors.enrolments_by_course(request.user, courses)
        localized = localize_pages(courses)
        for src, loc in zip(courses, localized, strict=True):
            loc.my_enrolment = enrolments.get(src.pk)
        context["courses"] = localized
        context["can_report"] = selectors.can_report(request.user)
        return context


class CoursePage(AudienceMixin, ContentOwnerMixin, RoutablePageMixin, Page):
    """A course: modules, learning hours (JP), optional quiz with a pass mark, optionally mandatory with a due date
    for its audience."""

    intro = models.TextField(_("summary"), blank=True)
    learning_hours = models.DecimalField(
        _("learning hours (JP)"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("2.0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    issuer = models.CharField(
        _("issuer"),
        max_length=255,
        blank=True,
        default="",
        help_text=_("The unit that runs the course, as its certificate names it; empty: the agency."),
    )
    mandatory = models.BooleanField(_("mandatory for the audience"), default=False)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    pass_mark = models.PositiveSmallIntegerField(
        _("quiz pass mark (%)"), default=70, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )

    parent_page_types = ["training.TrainingIndexPage"]
    subpage_types: list[str] = []
    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("learning_hours"),
        FieldPanel("issuer"),
        InlinePanel("modules", label=_("Modules"), min_num=1),
        MultiFieldPanel([FieldPanel("pass_mark"), InlinePanel("questions", label=_("Questions"))], heading=_("Quiz")),
        *AudienceMixin.audience_panels,
        MultiFieldPanel([FieldPanel("mandatory"), FieldPanel("due_date")], heading=_("Assignment")),
    ]
    promote_panels = [*Page.promote_panels]
    settings_panels = [*Page.settings_panels, *ContentOwnerMixin.owner_panels]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.RelatedFields("modules", [index.SearchField("title"), index.SearchField("body")]),
    ]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def source(self):
        if self.locale_id == default_locale().pk:
            return self
        return CoursePage.objects.filter(translation_key=self.translation_key, locale=default_locale()).first() or self

    @path("")
    def view(self, request):
        from . import views

        return views.course(request, self)

    @path("ikuti/")
    def enrol(self, request):
        from . import views

        return views.enrol(request, self)

    @path("modul/<int:module_id>/")
    def module(self, request, module_id):
        from . import views

        return views.module(request, self, module_id)

    @path("kuis/")
    def quiz(self, request):
        from . import views

        return views.quiz(request, self)

    @path("sertifikat/")
    def certificate(self, request):
        from . import views

        return views.certificate(request, self)

    @path("laporan/")
    def report(self, request):
        from . import views

        return views.report(request, self)

    @path("laporan/csv/")
    def report_csv(self, request):
        from . import views

        return views.report(request, self, fmt="csv")

    @path("laporan/xlsx/")
    def report_xlsx(self, request):
        from . import views

        return views.report(request, self, fmt="xlsx")


class CourseModule(Orderable):
    page = ParentalKey(CoursePage, on_delete=models.CASCADE, related_name="modules")
    title = models.CharField(_("title"), max_length=200)
    body = RichTextField(_("content"), blank=True)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    video = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("video file (hosted here)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Upload an MP4/WebM file as a document."),
    )
    external_url = models.URLField(_("external link"), blank=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("body"),
        FieldPanel("document"),
        FieldPanel("video"),
        FieldPanel("external_url"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def __str__(self):
        return self.title


class QuizQuestion(Orderable):
    page = ParentalKey(CoursePage, on_delete=models.CASCADE, related_name="questions")
    question = models.CharField(_("question"), max_length=300)
    choices = models.TextField(_("choices"), help_text=_("One choice per line."))
    correct_choice = models.PositiveSmallIntegerField(_("number of the correct choice"), default=1)

    panels = [FieldPanel("question"), FieldPanel("choices"), FieldPanel("correct_choice")]

    class Meta(Orderable.Meta):
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")

    def __str__(self):
        return self.question

    def choice_list(self) -> list[str]:
        return [c.strip() for c in self.choices.splitlines() if c.strip()]


class Enrolment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("participant"), on_delete=models.CASCADE, related_name="+"
    )
    course = models.ForeignKey(
        CoursePage, verbose_name=_("course"), on_delete=models.CASCADE, related_name="enrolments"
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    quiz_score = models.PositiveSmallIntegerField(_("quiz score (%)"), null=True, blank=True)
    quiz_passed = models.BooleanField(_("quiz passed"), default=False)
    quiz_attempts = models.PositiveSmallIntegerField(_("quiz attempts"), default=0)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="training_enrolment_unique")]

    def __str__(self):
        return f"{self.user} · {self.course}"

    @property
    def certificate_number(self) -> str:
        year = (self.completed_at or self.enrolled_at).year
        return f"SRB/{year}/{self.course_id:04d}/{self.pk:06d}"


class ModuleProgress(models.Model):
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="progress"
    )
    module = models.ForeignKey(CourseModule, verbose_name=_("module"), on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(_("completed at"), default=timezone.now)

    class Meta:
        verbose_name = _("module progress")
        verbose_name_plural = _("module progress")
        constraints = [models.UniqueConstraint(fields=["enrolment", "module"], name="training_progress_unique")]

    def __str__(self):
        return f"{self.enrolment_id} · {self.module_id}"


class TrainingReminder(models.Model):
    """One row per reminder sent, so the daily task never sends the same reminder twice."""

    class Kind(models.TextChoices):
        DAYS_14 = "d14", _("14 days before the due date")
        DAYS_3 = "d3", _("3 days before the due date")
        OVERDUE = "overdue", _("overdue")

    course = models.ForeignKey(CoursePage, verbose_name=_("course"), on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("participant"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    due_date = models.DateField(_("due date"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("training reminder")
        verbose_name_plural = _("training reminders")
        constraints = [
            models.UniqueConstraint(fields=["course", "user", "kind", "due_date"], name="training_reminder_unique")
        ]

    def __str__(self):
        return f"{self.course_id} · {self.user_id} · {self.kind}"
