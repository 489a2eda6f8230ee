from django.utils.functional import SimpleLazyObject

from .selectors import unread_count


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: costs a query only on pages whose template shows the bell.
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
