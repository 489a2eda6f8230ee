from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .navigation import main_navigation


def _my_employee(request):
    from hr.org.selectors import employee_for_user

    return employee_for_user(request.user)


def site(request):
    return {
        # Lazy, and the same memoised row (unit and position joined) the page's own code uses: the user menu's
        # profile link costs no query of its own.
        "my_employee": SimpleLazyObject(lambda: _my_employee(request)),
        "agency_name": settings.SERAMBI_AGENCY_NAME,
        "main_nav": main_navigation(request),
        "wagtail_admin_path": "/" + settings.WAGTAIL_ADMIN_PATH,
        "django_admin_path": "/" + settings.DJANGO_ADMIN_PATH,
    }
