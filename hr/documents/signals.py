"""The documents generation: one version number for every cached list of documents. Bumped when a document, a
version or a grant is written (and again on commit) — a new document for all (Biasa), a reclassification, a
deletion, a share or a revocation (the expiry task deletes grants through the ORM, so it counts too) — which retires
every reader's copy of their document list at once (`views.index`). Writes are a few hundred a day; reads many more."""

from intranet.core.caching import bump_on_write

from .models import Document, DocumentGroupObjectPermission, DocumentUserObjectPermission, DocumentVersion

DOCUMENTS_GENERATION_KEY = "documents:generation"

bump_documents_generation = bump_on_write(
    DOCUMENTS_GENERATION_KEY, Document, DocumentVersion, DocumentUserObjectPermission, DocumentGroupObjectPermission
)
