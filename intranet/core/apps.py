from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "intranet.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import checks  # noqa: F401 - registers the deploy check

        # imported here, not at the top: storage uses models, which are not loaded when apps.py is
        from .images import apply_pillow_limit

        apply_pillow_limit()

        from celery import signals

        from .storage import begin_writes, end_writes

        # A task, like a request, removes the files it wrote whose transaction did not commit.
        tokens = {}

        def _begin(task_id=None, **_kw):
            tokens[task_id] = begin_writes()

        def _end(task_id=None, **_kw):
            token = tokens.pop(task_id, None)
            if token is not None:
                end_writes(token)

        signals.task_prerun.connect(_begin, weak=False)
        signals.task_postrun.connect(_end, weak=False)
