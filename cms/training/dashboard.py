from cms.base.pages import localize_pages


def panel(request):
    """My mandatory training due and overdue."""
    from .selectors import my_due_training

    items = my_due_training(request.user)
    if not items:
        return None
    localized = localize_pages([i["course"] for i in items])
    for item, page in zip(items, localized, strict=True):
        item["course"] = page
    return {"template": "training/dashboard_panel.html", "context": {"items": items}, "order": 20}
