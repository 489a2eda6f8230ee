from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from intranet.accounts.permissions import staff_member

from . import services
from .selectors import notifications_for


@staff_member
def notification_list(request):
    page = Paginator(notifications_for(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@staff_member
@require_POST
def notification_read(request, pk=None):
    if pk is not None and not notifications_for(request.user).filter(pk=pk).exists():
        raise Http404  # someone else's (or no such) notification: as for any object the user may not see
    services.mark_read(user=request.user, notification_id=pk)
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(nxt)
    return redirect("notifications:list")
