"""Create the news, training and policy sections under the home page (fixed slugs, so /berita/, /pelatihan/ and
/kebijakan/ are stable), give Editors add/change and Moderators add/change/publish on them, and assign the
"Moderator review" workflow (one group-approval task for Moderators). Idempotent: safe on an existing install."""

from django.db import migrations

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SECTIONS = [
    ("news", "newsindexpage", "Berita", "berita"),
    ("training", "trainingindexpage", "Pelatihan", "pelatihan"),
    ("policies", "policyindexpage", "Kebijakan", "kebijakan"),
]
EDITOR_PERMS = ["add", "change"]
MODERATOR_PERMS = ["add", "change", "publish"]


def _step(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = ALPHABET[r] + out
    return out.rjust(4, "0")


def setup(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    HomePage = apps.get_model("home", "HomePage")

    home = HomePage.objects.filter(depth=2).order_by("path").first()
    if home is None:
        return
    editors, _ = Group.objects.get_or_create(name="Editors")
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    page_ct, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")
    perms = {}
    for kind in {*EDITOR_PERMS, *MODERATOR_PERMS}:
        perms[kind], _ = Permission.objects.get_or_create(
            content_type=page_ct, codename=f"{kind}_page", defaults={"name": f"Can {kind} page"}
        )

    task_ct, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")
    workflow = Workflow.objects.filter(name="Moderator review").first()
    if workflow is None:
        workflow = Workflow.objects.create(name="Moderator review", active=True)
        task = GroupApprovalTask.objects.create(name="Moderator approval", content_type=task_ct, active=True)
        task.groups.add(moderators)
        WorkflowTask.objects.create(workflow=workflow, task_id=task.pk, sort_order=0)

    for app_label, model, title, slug in SECTIONS:
        Model = apps.get_model(app_label, model)
        section = Model.objects.filter(path__startswith=home.path, depth=home.depth + 1).first()
        if section is None:
            ct, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
            last = Page.objects.filter(path__startswith=home.path, depth=home.depth + 1).order_by("-path").first()
            nxt = int(last.path[-4:], 36) + 1 if last else 1
            section = Model.objects.create(
                title=title, draft_title=title, slug=slug, content_type=ct, path=home.path + _step(nxt),
                depth=home.depth + 1, numchild=0, url_path=f"{home.url_path}{slug}/", locale_id=home.locale_id,
                live=True,
            )
            Page.objects.filter(pk=home.pk).update(
                numchild=Page.objects.filter(path__startswith=home.path, depth=home.depth + 1).count()
            )
        page = Page.objects.get(pk=section.pk)
        for group, kinds in ((editors, EDITOR_PERMS), (moderators, MODERATOR_PERMS)):
            for kind in kinds:
                GroupPagePermission.objects.get_or_create(group=group, page=page, permission=perms[kind])
        WorkflowPage.objects.get_or_create(page=page, defaults={"workflow": workflow})


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0003_dashboard_fields"),
        ("news", "0001_initial"),
        ("training", "0001_initial"),
        ("policies", "0001_initial"),
        ("accounts", "0002_role_groups"),
        ("wagtailcore", "0098_apitoken"),
    ]
    operations = [migrations.RunPython(setup, migrations.RunPython.noop)]
