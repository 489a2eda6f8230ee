"""Classified HR documents: personnel files (about one employee) and unit documents (owned by an org unit).

Metadata standard — a Dublin Core subset (DCMI terms), one field each, so exports and other agencies' systems can map
them without guessing:

    dc:title        Document.title
    dc:identifier   Document.number         (nomor surat / nomor SK; unique per issuer is not enforced — real data
                                             repeats numbers across issuers)
    dc:date         Document.document_date  (tanggal surat / tanggal penetapan)
    dc:creator      Document.issuer         (the issuing office or official, e.g. "Kepala BKN")
    dc:subject      Document.keywords       (comma-separated keywords)
    dc:description  Document.description
    dc:language     Document.language       (ISO 639-1 code, "id" by default)
    dc:type         Document.category       (editable data: SK pengangkatan, ijazah, SOP, ...)
    dc:format       DocumentVersion.content_type (sniffed from the bytes, never trusted from the browser)
    dc:rights       Document.classification (Biasa, Terbatas, Rahasia, Sangat Rahasia)
    dc:relation     Document.subject_employee or Document.owner_unit (whom / which unit the record is about)

Explicit sharing uses django-guardian with direct foreign-key permission models (one indexed join, no generic
content-type lookups). Each guardian row carries the grant's expiry, who granted it and when: the expiry lives on the
permission row itself (a subclass adding fields) rather than in a parallel table, so there is nothing to keep in sync.
Selectors ignore rows whose expiry has passed; the beat task `documents.revoke_expired_grants` deletes them and audits
each revocation. (Guardian's own checker does not know about expiry: Serambi never asks it — selectors decide.)
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from intranet.core.bilingual import BilingualName


class Category(BilingualName, models.Model):
    """dc:type — editable data (SK pengangkatan, SK kenaikan pangkat, ijazah, sertifikat, SKP, surat edaran, SOP...)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_id = models.CharField(_("name (Indonesian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True, default="")
    for_personnel_files = models.BooleanField(
        _("for personnel files"), default=True, help_text=_("Offered when filing a document about one employee.")
    )
    for_unit_documents = models.BooleanField(
        _("for unit documents"), default=True, help_text=_("Offered when filing a document owned by a unit.")
    )
    employee_may_upload = models.BooleanField(
        _("employees may upload"),
        default=False,
        help_text=_("Employees may submit their own document of this kind for HR verification."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("document category")
        verbose_name_plural = _("document categories")
        ordering = ["sort_order", "name_id"]

    def __str__(self):
        return self.name


class Classification(models.IntegerChoices):
    """Government records classification, ordered from open to most restricted (dc:rights)."""

    BIASA = 1, _("Biasa (open to staff)")
    TERBATAS = 2, _("Terbatas (restricted)")
    RAHASIA = 3, _("Rahasia (secret)")
    SANGAT_RAHASIA = 4, _("Sangat Rahasia (top secret)")


class Document(models.Model):
    class Verification(models.TextChoices):
        NOT_REQUIRED = "", _("not required")
        PENDING = "pending", _("awaiting HR verification")
        VERIFIED = "verified", _("verified")
        REJECTED = "rejected", _("rejected")

    title = models.CharField(_("title"), max_length=255)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+")
    classification = models.PositiveSmallIntegerField(
        _("classification"), choices=Classification.choices, default=Classification.TERBATAS, db_index=True
    )
    subject_employee = models.ForeignKey(
        "org.Employee",
        verbose_name=_("employee (personnel file)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="personnel_documents",
    )
    owner_unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("owning unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    number = models.CharField(_("number"), max_length=120, blank=True, default="", db_index=True)
    document_date = models.DateField(_("document date"), null=True, blank=True)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True, default="")
    keywords = models.CharField(_("keywords"), max_length=255, blank=True, default="", help_text=_("Comma-separated."))
    description = models.TextField(_("description"), blank=True, default="")
    language = models.CharField(_("language"), max_length=8, default="id", help_text=_("ISO 639-1 code, e.g. id, en."))
    current_version = models.ForeignKey(
        "DocumentVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Who filed the document; owners of Biasa and Terbatas documents may share them."),
    )
    created_at = models.DateTimeField(_("filed at"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    verification = models.CharField(
        _("verification"), max_length=10, choices=Verification.choices, blank=True, default="", db_index=True
    )
    verification_note = models.TextField(_("verification note"), blank=True, default="")
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-pk"]
        default_permissions = ("add", "change", "delete", "view")
        permissions = [
            ("download_document", _("Can download the document's files")),
            ("share_document", _("Can share the document and revoke shares")),
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="document_newest_first"),
            models.Index(fields=["subject_employee", "classification"]),
            models.Index(fields=["owner_unit", "classification"]),
            # "find by exact number" compares case-insensitively (number__iexact is UPPER(number) = UPPER(%s)); without
            # this the lookup reads every document (93 ms at 100,000).
            models.Index(Upper("number"), name="document_number_upper"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(subject_employee__isnull=False, owner_unit__isnull=True))
                | (Q(subject_employee__isnull=True, owner_unit__isnull=False)),
                name="document_subject_xor_unit",
            ),
        ]

    def __str__(self):
        return f"{self.number} — {self.title}" if self.number else self.title

    @property
    def is_personnel_file(self) -> bool:
        return self.subject_employee_id is not None

    @property
    def needs_explicit_grant(self) -> bool:
        return self.classification >= Classification.RAHASIA

    @property
    def is_watermarked(self) -> bool:
        return self.classification >= Classification.RAHASIA

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.split(",") if k.strip()]

    def dublin_core(self) -> dict[str, str]:
        """The metadata as Dublin Core terms (see the module docstring)."""
        version = self.current_version
        return {
            "dc:title": self.title,
            "dc:identifier": self.number,
            "dc:date": self.document_date.isoformat() if self.document_date else "",
            "dc:creator": self.issuer,
            "dc:subject": "; ".join(self.keyword_list),
            "dc:description": self.description,
            "dc:language": self.language,
            "dc:type": self.category.name_id,
            "dc:format": version.content_type if version else "",
            "dc:rights": Classification(self.classification).label,
        }


class DocumentVersion(models.Model):
    """One uploaded file. A new upload is a new version; old versions are kept. Stored under a generated name."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    storage_name = models.CharField(max_length=255, unique=True, editable=False)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("file type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    scanned = models.BooleanField(_("virus-scanned"), default=False)
    note = models.CharField(_("change note"), max_length=255, blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="documentversion_unique_number")]

    def __str__(self):
        return f"{self.document_id} v{self.number}"

    @property
    def extension(self) -> str:
        return self.storage_name.rsplit(".", 1)[-1] if "." in self.storage_name else ""


class GrantFields(models.Model):
    """Fields every explicit grant row carries next to guardian's (user|group, permission, object)."""

    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True, db_index=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)

    class Meta:
        abstract = True

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


class DocumentUserObjectPermission(UserObjectPermissionBase, GrantFields):
    """Direct-FK guardian permission of one user on one document, with an expiry."""

    content_object = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="user_grants")

    def __str__(self):
        return f"{self.content_object_id} | {self.permission_id} | {self.expires_at or '-'}"

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("document grant to a user")
        verbose_name_plural = _("document grants to users")
        indexes = [models.Index(fields=["user", "content_object"])]


class DocumentGroupObjectPermission(GroupObjectPermissionBase, GrantFields):
    """Direct-FK guardian permission of one group on one document, with an expiry."""

    content_object = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="group_grants")

    def __str__(self):
        return f"{self.content_object_id} | {self.permission_id} | {self.expires_at or '-'}"

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("document grant to a group")
        verbose_name_plural = _("document grants to groups")


class AccessRequest(models.Model):
    """Someone who knows a document exists (e.g. found it by number) asks to open it; owner or HR decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")
        WITHDRAWN = "withdrawn", _("withdrawn")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="access_requests")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True, default="")
    grant_expires_at = models.DateTimeField(_("access until"), null=True, blank=True)

    class Meta:
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "requester"],
                condition=Q(status="pending"),
                name="accessrequest_one_pending",
            )
        ]

    def __str__(self):
        return f"{self.requester} → {self.document_id} ({self.status})"
