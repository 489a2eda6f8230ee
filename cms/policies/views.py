from cms.base.pages import section_page, serve_page
from intranet.accounts.permissions import staff_member


@staff_member
def index(request):
    """/kebijakan/ — the policies section page (a Wagtail page), reachable by name for the main navigation."""
    from .models import PolicyIndexPage

    return serve_page(request, section_page(PolicyIndexPage))
