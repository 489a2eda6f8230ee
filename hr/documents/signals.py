"""The documents generation: one version number for every cached list of documents. Bumped when a document, a
version or a grant is written (and again on commit) — a new document for all (Biasa), a reclassification, a
deletion, a share or a revocation (the expiry task deletes grants through the ORM, so it counts too) — which retires
every reader's copy of their document list at once (`views.index`). Writes are a few hundred a day; reads many more."""

from django.db.models.signals import post_delete, post_save

from intranet.core.caching import bump_generation_now_and_on_commit

from .models import Document, DocumentGroupObjectPermission, DocumentUserObjectPermission, DocumentVersion

DOCUMENTS_GENERATION_KEY = "documents:generation"


def bump_documents_generation(**kwargs) -> None:
    if kwargs.get("raw"):
        return
    bump_generation_now_and_on_commit(DOCUMENTS_GENERATION_KEY)


for model in (Document, DocumentVersion, DocumentUserObjectPermission, DocumentGroupObjectPermission):
    post_save.connect(bump_documents_generation, sender=model, dispatch_uid=f"documents-generation-save-{model.__name__}")
    post_delete.connect(
        bump_documents_generation, sender=model, dispatch_uid=f"documents-generation-delete-{model.__name__}"
    )
