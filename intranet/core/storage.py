"""The default file storage: public media (Wagtail images and their renditions) under MEDIA_ROOT, which nginx may
serve, except CMS documents, which Wagtail saves under "documents/" of the default storage: those files are kept in
private storage (PRIVATE_MEDIA_ROOT/cms/documents/…) and have no URL; cms.home.documents.serve sends them.

Routing by name keeps Wagtail's document model and its migrations as they are.
"""

from django.core.files.storage import FileSystemStorage, storages

PRIVATE_PREFIXES = ("documents/",)
PRIVATE_FOLDER = "cms/"


def _is_private(name: str) -> bool:
    return name.replace("\\", "/").lstrip("/").startswith(PRIVATE_PREFIXES)


def private_name(name: str) -> str:
    """The name, inside private storage, of a CMS document stored under `name` in the default storage."""
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
            # No public address: Wagtail then links the document to its serve view.
            raise NotImplementedError("CMS documents are served by an authorising view only.")
        return super().url(name)
