"""Organisation: the unit tree (unit kerja), positions (jabatan), employees (pegawai), acting officials and HR scope."""

import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from intranet.core.bilingual import BilingualName

from .nip import parse_nip


class OrgUnit(BilingualName, MP_Node):
    """A unit kerja: Kementerian → Eselon I → Eselon II → Eselon III → Eselon IV (materialised path tree)."""

    class Level(models.IntegerChoices):
        MINISTRY = 0, _("Ministry")
        ESELON_I = 1, _("Echelon I")
        ESELON_II = 2, _("Echelon II")
        ESELON_III = 3, _("Echelon III")
        ESELON_IV = 4, _("Echelon IV")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name_id = models.CharField(_("name (Indonesian)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True, default="")
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, default=Level.MINISTRY)
    head_position = models.OneToOneField(
        "Position",
        verbose_name=_("head position"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_unit",
    )
    active = models.BooleanField(_("active"), default=True)

    node_order_by = ["code"]

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")

    def __str__(self):
        return self.name

    def subtree_q(self, prefix: str = "unit__") -> Q:
        """Q matching rows whose unit is this unit or below it (one indexed LIKE on the path)."""
        return Q(**{f"{prefix}path__startswith": self.path})


class Position(BilingualName, models.Model):
    """A jabatan: structural (with eselon), functional (e.g. Analis Kepegawaian Ahli Muda) or executor (pelaksana)."""

    class Kind(models.TextChoices):
        STRUCTURAL = "structural", _("Structural")
        FUNCTIONAL = "functional", _("Functional")
        EXECUTOR = "executor", _("Executor")

    class Eselon(models.TextChoices):
        I_A = "I.a", "I.a"
        I_B = "I.b", "I.b"
        II_A = "II.a", "II.a"
        II_B = "II.b", "II.b"
        III_A = "III.a", "III.a"
        III_B = "III.b", "III.b"
        IV_A = "IV.a", "IV.a"
        IV_B = "IV.b", "IV.b"

    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="positions")
    name_id = models.CharField(_("name (Indonesian)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True, default="")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.EXECUTOR)
    eselon = models.CharField(_("echelon"), max_length=8, choices=Eselon.choices, blank=True, default="")

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")

    def __str__(self):
        return self.name

    def clean(self):
        if self.kind == self.Kind.STRUCTURAL and not self.eselon:
            raise ValidationError({"eselon": _("A structural position needs an echelon.")})
        if self.kind != self.Kind.STRUCTURAL and self.eselon:
            raise ValidationError({"eselon": _("Only structural positions have an echelon.")})


GOLONGAN_CHOICES = [
    (f"{g}/{r}", f"{g}/{r}")
    for g, ruang in (("I", "abcd"), ("II", "abcd"), ("III", "abcd"), ("IV", "abcde"))
    for r in ruang
]
PPPK_GRADE_CHOICES = [(r, r) for r in "I II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI XVII".split()]


def bare_name_key(name: str) -> str:
    """Lower-case, accent-free form of a bare name, for sorting and searching."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(folded.casefold().split())


class Employee(models.Model):
    """A pegawai (PNS, CPNS or PPPK). Name and academic titles are stored apart so sort and search use the bare name."""

    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class EmploymentType(models.TextChoices):
        PNS = "PNS", _("Civil servant (PNS)")
        CPNS = "CPNS", _("Candidate civil servant (CPNS)")
        PPPK = "PPPK", _("Government employee with contract (PPPK)")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employee",
    )
    nip = models.CharField(_("NIP"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200, help_text=_("Without academic titles."))
    front_title = models.CharField(
        _("front title"), max_length=60, blank=True, default="", help_text=_("e.g. Dr., Ir.")
    )
    back_title = models.CharField(
        _("back title"), max_length=80, blank=True, default="", help_text=_("e.g. S.Kom., M.T.")
    )
    sort_name = models.CharField(max_length=200, editable=False, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    employment_type = models.CharField(_("employment type"), max_length=8, choices=EmploymentType.choices)
    golongan = models.CharField(
        _("rank (golongan/ruang)"),
        max_length=6,
        choices=GOLONGAN_CHOICES,
        blank=True,
        default="",
        help_text=_("PNS and CPNS."),
    )
    pppk_grade = models.CharField(_("PPPK grade"), max_length=5, choices=PPPK_GRADE_CHOICES, blank=True, default="")
    position = models.ForeignKey(
        Position, verbose_name=_("position"), null=True, blank=True, on_delete=models.SET_NULL, related_name="holders"
    )
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="employees")
    supervisor = models.ForeignKey(
        "self",
        verbose_name=_("direct superior"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="explicit_reports",
        help_text=_("Leave empty to use the head of the unit (or of the parent unit for the head)."),
    )
    tmt_cpns = models.DateField(_("CPNS start (TMT)"))
    prior_births = models.PositiveSmallIntegerField(
        _("births before these records"),
        default=0,
        db_default=0,
        help_text=_(
            "Children born while a civil servant (or PPPK) before the leave records in this system began; leave "
            "decides maternity leave from the fourth birth on with it (PP 11/2017 art. 325)."
        ),
    )
    work_email = models.EmailField(_("work e-mail"), blank=True, default="")
    work_phone = models.CharField(_("work phone"), max_length=40, blank=True, default="")
    home_address = models.TextField(_("home address"), blank=True, default="")
    personal_phone = models.CharField(_("personal phone"), max_length=40, blank=True, default="")
    photo = models.ImageField(_("photo"), upload_to="photos/", null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["sort_name", "nip"]
        indexes = [models.Index(fields=["unit", "active", "sort_name"])]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        """Name as addressed: 'Dr. Siti Rahma, S.Kom., M.T.'."""
        name = f"{self.front_title} {self.name}".strip()
        return f"{name}, {self.back_title}" if self.back_title else name

    def save(self, *args, **kwargs):
        self.sort_name = bare_name_key(self.name)
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        try:
            parsed = parse_nip(self.nip)
        except ValidationError as exc:
            errors["nip"] = exc.messages
        else:
            if self.birth_date and self.birth_date != parsed.birth_date:
                errors["birth_date"] = [
                    _("Birth date does not match the NIP (digits 1-8 say %(date)s).") % {"date": parsed.birth_date}
                ]
            if self.gender and self.gender != parsed.gender:
                errors["gender"] = [_("Gender does not match digit 15 of the NIP.")]
            if self.employment_type and parsed.pppk != (self.employment_type == self.EmploymentType.PPPK):
                errors["employment_type"] = [
                    _("A PPPK NIP (digits 13-14 are 21) belongs to a PPPK employee, and only to one.")
                ]
        if self.employment_type == self.EmploymentType.PPPK:
            if self.golongan:
                errors["golongan"] = [_("PPPK employees have a PPPK grade, not a golongan.")]
        elif self.pppk_grade:
            errors["pppk_grade"] = [_("Only PPPK employees have a PPPK grade.")]
        if self.supervisor_id and self.supervisor_id == self.pk:
            errors["supervisor"] = [_("An employee cannot be their own superior.")]
        if errors:
            raise ValidationError(errors)

    @property
    def grade(self) -> str:
        return self.pppk_grade if self.employment_type == self.EmploymentType.PPPK else self.golongan


class Delegation(models.Model):
    """A Plt (pelaksana tugas) or Plh (pelaksana harian): someone holds a position's authority for a dated period."""

    class Kind(models.TextChoices):
        PLT = "Plt", _("Plt (acting official)")
        PLH = "Plh", _("Plh (daily acting official)")

    position = models.ForeignKey(
        Position, verbose_name=_("position"), on_delete=models.PROTECT, related_name="delegations"
    )
    acting = models.ForeignKey(
        Employee, verbose_name=_("acting official"), on_delete=models.PROTECT, related_name="delegations"
    )
    kind = models.CharField(_("kind"), max_length=3, choices=Kind.choices)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    decree_number = models.CharField(_("decree number"), max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("delegation (Plt/Plh)")
        verbose_name_plural = _("delegations (Plt/Plh)")
        indexes = [models.Index(fields=["position", "start_date", "end_date"])]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="delegation_dates_ordered"),
        ]

    def __str__(self):
        return f"{self.kind} {self.position} — {self.acting} ({self.start_date}–{self.end_date})"


class HRScope(models.Model):
    """Assigns an HR or payroll officer to a unit subtree. Everything that needs 'employees in my scope' reads this."""

    class Kind(models.TextChoices):
        HR = "hr", _("HR officer")
        PAYROLL = "payroll", _("Payroll officer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="hr_scopes"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit (with sub-units)"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.HR)
    source = models.CharField(_("source"), max_length=16, default="manual", help_text=_("'manual' or 'directory'."))

    class Meta:
        verbose_name = _("HR scope")
        verbose_name_plural = _("HR scopes")
        constraints = [models.UniqueConstraint(fields=["user", "unit", "kind"], name="hrscope_unique")]

    def __str__(self):
        return f"{self.user} — {self.get_kind_display()} — {self.unit}"
