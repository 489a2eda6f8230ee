from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents.views import serve as wagtail_document_serve

from cms.home import documents as cms_documents
from intranet.accounts.views import LogoutView
from intranet.core.dev_media import media_urlpatterns
from intranet.core.views import healthz

# One login form for everything (directory backend, lockout, 2FA): the admins' own login pages redirect to it.
to_login = login_not_required(RedirectView.as_view(pattern_name="accounts:login", query_string=True))

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # The language switch works on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("akun/", include("intranet.accounts.urls")),
    path("akun/keamanan/", include("intranet.security.urls")),
    path("notifikasi/", include("intranet.notifications.urls")),
    path("audit/", include("intranet.audit.urls")),
    path("direktori/", include("hr.org.urls")),
    path("cuti/", include("hr.leave.urls")),
    path("slip-gaji/", include("hr.payslips.urls")),
    path("dokumen/", include("hr.documents.urls")),
    path("cari/", include("cms.search.urls")),
    path("api/", include("api.urls")),
    # Public: recipients of an issued document check it here (no login; rate-limited, audited).
    path("verifikasi/", include("intranet.issued.urls")),
    # CMS documents: the names Wagtail reverses for document links, served by an authorising view.
    path("berkas/<int:document_id>/<str:document_filename>", cms_documents.serve, name="wagtaildocs_serve"),
    path(
        "berkas/sandi/<int:restriction_id>/",
        wagtail_document_serve.authenticate_with_password,
        name="wagtaildocs_authenticate_with_password",
    ),
    # Section landing pages are Wagtail pages; these named routes serve them so the navigation can reverse them.
    path("berita/", include("cms.news.urls")),
    path("pelatihan/", include("cms.training.urls")),
    path("kebijakan/", include("cms.policies.urls")),
    path(settings.DJANGO_ADMIN_PATH + "login/", to_login, name="django_admin_login"),
    path(settings.WAGTAIL_ADMIN_PATH + "login/", to_login, name="wagtail_admin_login"),
    path("_util/login/", to_login, name="wagtail_frontend_login"),
    # Wagtail's own logout answers a GET by deleting the cookie while the session lives on at the server: ours is
    # POST-only and ends the session (its row, its cached copy and its index entry).
    path(settings.WAGTAIL_ADMIN_PATH + "logout/", LogoutView.as_view(), name="wagtail_admin_logout"),
    path(settings.DJANGO_ADMIN_PATH, admin.site.urls),
    path(settings.WAGTAIL_ADMIN_PATH, include(wagtailadmin_urls)),
    # `dev.py up` (DEBUG): news images, as nginx serves them in production; nothing with DEBUG off.
    *media_urlpatterns(debug=settings.DEBUG),
    # Wagtail's page tree last: it catches every remaining path.
    path("", include(wagtail_urls)),
]

# A storage fault outside a view (a full disk while an upload is spooled) gets the storage page, not a bare 500.
handler500 = "intranet.core.file_faults.server_error"
