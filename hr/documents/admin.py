from django.contrib import admin

from intranet.core.admin import ReadOnlyAdmin

from .models import AccessRequest, Category, Classification, Document, DocumentVersion


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """Document categories are editable data (dc:type)."""

    list_display = (
        "name_id",
        "name_en",
        "code",
        "for_personnel_files",
        "for_unit_documents",
        "employee_may_upload",
        "sort_order",
        "active",
    )
    list_editable = ("sort_order", "active")
    search_fields = ("name_id", "name_en", "code")


class DocumentsReadOnlyAdmin(ReadOnlyAdmin):
    """Documents, versions and requests change only through services (audited); the admin shows them, except
    anything about a Sangat Rahasia document: not even its title is the administrator's to see."""

    document_path = "document__"

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(
            **{f"{self.document_path}classification__gte": Classification.SANGAT_RAHASIA})


@admin.register(Document)
class DocumentAdmin(DocumentsReadOnlyAdmin):
    document_path = ""
    list_display = ("title", "number", "category", "classification", "subject_employee", "owner_unit", "created_at")
    list_filter = ("classification", "category")
    search_fields = ("title", "number")
    raw_id_fields = ("subject_employee", "owner_unit")


@admin.register(DocumentVersion)
class DocumentVersionAdmin(DocumentsReadOnlyAdmin):
    list_display = ("document", "number", "original_name", "content_type", "size", "uploaded_at")


@admin.register(AccessRequest)
class AccessRequestAdmin(DocumentsReadOnlyAdmin):
    list_display = ("document", "requester", "status", "created_at", "decided_at")
    list_filter = ("status",)
