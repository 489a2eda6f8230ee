"""The access table: every protected route × every actor → the status the test client must see.

Each row names the route, the method, which object of the world (tests/intranet/security/world.py) fills its
parameters, the actors who are let in (with their status) and the status everybody else gets. `expand()` turns a row
into one explicit cell per actor; test_access_table.py asserts each cell with a real request. Anonymous callers are
always sent to the login page (LoginRequiredMiddleware).

Status conventions: 200 the page; 302 a POST that was accepted (and redirects back; a business rule may still turn the
action down with a message: the table is about who gets in, the app tests about what the action does); 403 a role
the view does not serve; 404 an object outside the caller's reach (we do not confirm that it exists).
"""

from dataclasses import dataclass, field

from tests.intranet.security.world import ACTORS

LOGIN = "login"
EVERYONE = tuple(a for a in ACTORS if a != "anonymous")
HR = ("hr_in", "hr_out")
PAYROLL = ("payroll_in", "payroll_out")


@dataclass(frozen=True)
class Row:
    method: str
    args: tuple = ()  # names of world attributes (their pk) or literal strings/ints
    allowed: dict = field(default_factory=dict)  # actor -> status
    refused: int = 404
    data: dict = field(default_factory=dict)  # POST body; callables get the world


def allow(actors, status=200) -> dict:
    return dict.fromkeys(actors, status)


def get(*args, allowed=None, refused=404, everyone=False):
    return Row("GET", args, allow(EVERYONE) if everyone else (allowed or {}), refused)


def post(*args, allowed=None, refused=404, everyone=False, data=None):
    return Row("POST", args, allow(EVERYONE, 302) if everyone else (allowed or {}), refused, data or {})


# Who sees the owner's pending leave request: the owner, the direct superior (whose opinion is due) and HR in scope.
# The authorised official sees it only once it is theirs to decide.
LEAVE_PENDING = ("owner", "superior", "hr_in")
# The approved request (and its letter): the owner, both decision makers and HR in scope.
LEAVE_APPROVED = ("owner", "superior", "official", "hr_in")
# A Terbatas personnel document: its subject and HR in scope see it; only HR in scope (who filed it) manages it.
# The subject sees but may not edit, share or revoke: 403. The access request is decided by HR in scope.
DOCUMENT = ("owner", "hr_in")
DOCUMENT_MANAGE = {"owner": 403, "hr_in": 302}
# Payslips: the employee and the payroll officer whose scope covers them; HR officers and administrators do not.
PAYSLIP = ("owner", "payroll_in")

TABLE: dict[str, Row] = {
    # --- directory --------------------------------------------------------------------------------------------------
    "org:directory": get(everyone=True),
    "org:profile": get("owner_employee", everyone=True),
    # "My profile" in the user menu: a redirect to one's own profile; 404 for an account without an employee record.
    "org:my_profile": get(allowed=allow(EVERYONE, 302)),
    # The world's employees have no photo: 404 for everyone; photos are tested in tests/attacks/test_cms_documents.py.
    "org:photo": get("owner_employee", allowed={}),  # the profile page; personal fields are tested in hr/org
    "org:unit": get("SUB1", everyone=True),
    # --- leave ------------------------------------------------------------------------------------------------------
    "leave:index": get(everyone=True),
    "leave:new": get(everyone=True),
    "leave:calendar": get(everyone=True),
    "leave:inbox": get(everyone=True),
    "leave:feed_settings": get(everyone=True),
    "leave:hr": get(allowed=allow(HR), refused=403),
    "leave:hr_export": get("csv", allowed=allow(HR), refused=403),
    "leave:hr_opening": get(allowed=allow(HR), refused=403),
    "leave:hr_adjust": post(allowed=allow(HR, 302), refused=403),
    "leave:detail": get("leave_pending", allowed=allow(LEAVE_PENDING)),
    "leave:document": get("leave_pending", allowed=allow(LEAVE_PENDING)),
    "leave:decide": post("leave_pending", allowed=allow(LEAVE_PENDING, 302), data={"outcome": "approve"}),
    "leave:withdraw": post("leave_pending", allowed=allow(LEAVE_PENDING, 302)),
    "leave:accept": post("leave_pending", allowed=allow(LEAVE_PENDING, 302)),
    "leave:permit": post("leave_pending", allowed=allow(LEAVE_PENDING, 302)),
    "leave:cancel": post("leave_approved", allowed=allow(LEAVE_APPROVED, 302)),
    "leave:letter": get("leave_approved", allowed=allow(LEAVE_APPROVED)),
    "leave:form": get("leave_pending", allowed=allow(LEAVE_PENDING)),
    "leave:form_pdf": get("leave_approved", allowed=allow(LEAVE_APPROVED)),
    # --- payslips ---------------------------------------------------------------------------------------------------
    "payslips:index": get(everyone=True),
    "payslips:detail": get("payslip", allowed=allow(PAYSLIP)),
    "payslips:pdf": get("payslip", allowed=allow(PAYSLIP)),
    "payslips:batches": get(allowed=allow(PAYROLL), refused=403),
    "payslips:example": get(allowed=allow(PAYROLL), refused=403),
    "payslips:components": get(allowed=allow(PAYROLL), refused=403),
    "payslips:component_new": get(allowed=allow(PAYROLL), refused=403),
    "payslips:component_edit": get("component", allowed=allow(PAYROLL), refused=403),
    "payslips:batch": get("draft_batch", allowed={"payroll_in": 200, "payroll_out": 404}, refused=403),
    "payslips:batch_rows": get("draft_batch", allowed={"payroll_in": 200, "payroll_out": 404}, refused=403),
    "payslips:batch_errors": get("draft_batch", allowed={"payroll_in": 200, "payroll_out": 404}, refused=403),
    "payslips:batch_publish": post("draft_batch", allowed={"payroll_in": 302, "payroll_out": 404}, refused=403),
    "payslips:batch_discard": post("draft_batch", allowed={"payroll_in": 302, "payroll_out": 404}, refused=403),
    # --- documents --------------------------------------------------------------------------------------------------
    "documents:index": get(everyone=True),
    "documents:mine": get(everyone=True),
    "documents:access_log": get(everyone=True),
    "documents:submit": get(everyone=True),
    "documents:lookup": get(everyone=True),
    "documents:requests": get(everyone=True),
    "documents:create": get(allowed=allow(HR), refused=403),
    "documents:verification": get(allowed=allow(HR), refused=403),
    "documents:detail": get("document", allowed=allow(DOCUMENT)),
    "documents:download": get("document", allowed=allow(DOCUMENT)),
    "documents:version_download": get("document", 1, allowed=allow(DOCUMENT)),
    "documents:edit": get("document", allowed={"owner": 403, "hr_in": 200}),
    # An empty form comes back (200) with its errors to whoever may use it.
    "documents:share": post("document", allowed={**DOCUMENT_MANAGE, "hr_in": 200}),
    "documents:revoke": post(
        "document", allowed=DOCUMENT_MANAGE, data={"kind": "user", "id": lambda w: w.cast["hr_in"].user.pk}
    ),
    "documents:new_version": post("document", allowed={**DOCUMENT_MANAGE, "hr_in": 200}),
    # Verification: the owner's own upload, by HR in scope; the owner sees it but cannot verify it.
    "documents:verify": post("submitted_document", allowed={"owner": 403, "hr_in": 200}),
    # Anyone may ask to open a document whose exact number they know (walking through ids reveals nothing).
    # Those who may open it already, or asked already, get the lookup again with the refusal (200).
    "documents:request_access": post(
        "document",
        allowed={**allow(EVERYONE, 302), **allow(["owner", "colleague", "hr_in"], 200)},
        data={"number": "SK-1/2026", "reason": "Rapat"},
    ),
    "documents:decide": post("access_request", allowed=allow(["hr_in"], 200)),
    "documents:withdraw": post("access_request", allowed=allow(["colleague"], 302)),
    # --- notifications, security, account ---------------------------------------------------------------------------
    "notifications:list": get(everyone=True),
    # Marks only the caller's own notifications: anyone else's is a 404 and stays unread (IDOR test below).
    "notifications:read": post("notification", allowed=allow(["owner"], 302)),
    "notifications:read_all": post(everyone=True),
    "security:2fa_setup": get(everyone=True),
    "security:2fa_verify": get(everyone=True),
    "security:recovery_codes": post(everyone=True),
    "security:sessions": get(everyone=True),
    "security:sessions_sign_out_others": post(everyone=True),
    "accounts:logout": post(allowed=allow(EVERYONE, LOGIN)),  # back to the login page
    # --- audit, API exports -----------------------------------------------------------------------------------------
    "audit:search": get(allowed=allow(["auditor"]), refused=403),
    "api:leave_export": get(allowed=allow(HR), refused=403),
    # --- site (Wagtail pages and section landing pages) -------------------------------------------------------------
    "search:index": get(everyone=True),
    "news:index": get(everyone=True),
    "training:index": get(everyone=True),
    "policies:index": get(everyone=True),
    "wagtail_serve": get(everyone=True),  # the home page; page-level restrictions are Wagtail's and tested in cms/
    # Wagtail's password form for a page view restriction: none exists, so 404 for everyone signed in.
    "wagtailcore_authenticate_with_password": get(1, 1, allowed={}),
    # CMS documents and their collection password form: the world has none, so 404 for everyone signed in (the
    # serve view's access is tested in tests/attacks/test_cms_documents.py).
    "wagtaildocs_serve": get(1, "x.pdf", allowed={}),
    "wagtaildocs_authenticate_with_password": get(1, allowed={}),
}


def expand(row: Row) -> dict[str, object]:
    """One explicit cell per actor."""
    return {actor: LOGIN if actor == "anonymous" else row.allowed.get(actor, row.refused) for actor in ACTORS}
