from django.conf import settings

from .navigation import main_navigation


def site(request):
    return {
        "agency_name": settings.SERAMBI_AGENCY_NAME,
        "main_nav": main_navigation(request),
        "wagtail_admin_path": "/" + settings.WAGTAIL_ADMIN_PATH,
        "django_admin_path": "/" + settings.DJANGO_ADMIN_PATH,
    }
