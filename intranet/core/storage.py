"""The default file storage: public media (Wagtail images and their renditions) under MEDIA_ROOT, which nginx may
serve, except the uploads that are not public: CMS documents (Wagtail saves them under "documents/") and employee
photos ("photos/"). Those are kept in private storage (PRIVATE_MEDIA_ROOT/uploads/…) and have no URL; authorising
views send them (cms.home.documents.serve, hr.org.views.photo).

Routing by name keeps Wagtail's document model, the employee model and their migrations as they are.
"""

from django.core.files.storage import FileSystemStorage, storages

PRIVATE_PREFIXES = ("documents/", "photos/")
PRIVATE_FOLDER = "uploads/"


def _is_private(name: str) -> bool:
    return name.replace("\\", "/").lstrip("/").startswith(PRIVATE_PREFIXES)


def private_name(name: str) -> str:
    """The name, inside private storage, of a file stored under `name` in the default storage."""
    return PRIVATE_FOLDER + name.replace("\\", "/").lstrip("/")


class MediaStorage(FileSystemStorage):
    def path(self, name):
        if _is_private(name):
            return storages["private"].path(private_name(name))
        return super().path(name)

    def _save(self, name, content):
        if _is_private(name):
            saved = storages["private"]._save(private_name(name), content)
            return saved.removeprefix(PRIVATE_FOLDER)
        return super()._save(name, content)

    def url(self, name):
        if _is_private(name):
            # No public address (Wagtail then links a document to its serve view).
            raise NotImplementedError("private uploads are served by authorising views only")
        return super().url(name)
