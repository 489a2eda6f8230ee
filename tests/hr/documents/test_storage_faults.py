"""Storage faults on personnel-document uploads, caused for real on a tiny file system: the officer reads a clear
message in their language, the operator a log line with the cause, and neither a version row nor a file remains."""

import logging

from django.urls import reverse

from hr.documents.models import Classification, DocumentVersion
from tests.disks import files_under, fill, remount

from .conftest import file_document, upload


def _new_version(client, doc, data=None):
    return client.post(
        reverse("documents:new_version", args=[doc.pk]),
        {"file": upload(data=data), "note": "perbaikan"},
        HTTP_ACCEPT_LANGUAGE="id",
    )


def test_disk_full_upload_says_nothing_was_saved(client, cast, org, small_private_disk, caplog):
    clerk = cast["clerk"].user
    doc = file_document(clerk, classification=Classification.BIASA, unit=org["DIR1"])
    before = files_under(small_private_disk)
    fill(small_private_disk)
    client.force_login(clerk)
    with caplog.at_level(logging.ERROR):
        response = _new_version(client, doc)
    assert response.status_code == 503
    assert "Berkas tidak dapat disimpan" in response.content.decode()  # Indonesian: nothing was saved
    assert DocumentVersion.objects.filter(document=doc).count() == 1
    assert files_under(small_private_disk) == before  # no new file, no .partial- left behind
    assert "No space left on device" in caplog.text


def test_read_only_disk_upload_says_nothing_was_saved(client, cast, org, small_private_disk, caplog):
    clerk = cast["clerk"].user
    doc = file_document(clerk, classification=Classification.BIASA, unit=org["DIR1"])
    before = files_under(small_private_disk)
    remount(small_private_disk, "ro")
    client.force_login(clerk)
    with caplog.at_level(logging.ERROR):
        response = client.post(
            reverse("documents:new_version", args=[doc.pk]), {"file": upload(), "note": "x"}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 503
    assert "The file could not be stored, so nothing was saved" in response.content.decode()
    assert DocumentVersion.objects.filter(document=doc).count() == 1
    assert files_under(small_private_disk) == before
    assert "Read-only file system" in caplog.text


def test_altered_file_is_not_served(client, cast, org, caplog, settings):
    """A stored version whose bytes changed on disk (bit rot, a partial restore) is refused, not sent."""
    clerk = cast["clerk"].user
    doc = file_document(clerk, classification=Classification.BIASA, unit=org["DIR1"])
    path = settings.PRIVATE_MEDIA_ROOT / doc.current_version.storage_name
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")  # same size, other bytes
    client.force_login(clerk)
    with caplog.at_level(logging.ERROR):
        response = client.get(reverse("documents:version_download", args=[doc.pk, 1]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert "This file cannot be sent now" in response.content.decode()
    assert "SHA-256" in caplog.text and doc.current_version.storage_name in caplog.text
