"""Every write about leave, by concern: `ledger` (balances, allocation, adjustments), `submission` (judging and
submitting a request), `decisions` (the superior's opinion, the official's decision and what follows), `letters`
(the Surat Izin Cuti), `notify` (notices and reminders), `authority` (who decides), `attachments` (supporting
documents), `feeds` (iCal tokens). Keyword-only, one transaction each, row locks where writes could race.

Locking: every service that changes a balance or a request locks the employee's row first (`Employee` is the
"balance account": one row per person that already exists), then the request (`common.lock_request`). One lock order
everywhere, so two services never deadlock, and two concurrent submissions for the same person are serialised: the
second one sees the first one's hold. Pending requests hold their days (computed from the pending requests, not posted
to the ledger), so the ledger contains only real movements.

Routing: the direct superior is `superior_of(employee, date)` and the authorised official (pejabat yang berwenang) is the
head of the nearest unit at or above the employee's unit whose level is at most SERAMBI_LEAVE_OFFICIAL_LEVEL (default 2,
Eselon II: the director) — or the next one up when the employee heads that unit. Both are resolved **on the decision
date** through `authority_holder`, so a Plt/Plh in office that day decides and is recorded as acting for the position.
When the superior and the official are the same person there is one step. A submission resolves both, with their user
accounts for the notifications, in one query (`routing.submission_route`, held to the answers of those selectors).
"""

from ..errors import LeaveDenied, LeaveError
from .attachments import sniff_document
from .authority import current_authority, held_positions, official_position_for
from .decisions import (
    leave_request_accept_change,
    leave_request_cancel,
    leave_request_decide,
    leave_request_grant_temporary,
    leave_request_withdraw,
    opinion_text,
)
from .feeds import feed_token_revoke, feed_token_rotate
from .ledger import (
    AllocationSummary,
    allocate_year,
    allocated_balance,
    available_days,
    ledger_adjust,
    ledger_balance,
    ledger_types,
    pending_hold,
)
from .letters import letter_generate, letter_next_number
from .notify import notify_all_about, send_reminders
from .submission import Assessment, assess, leave_request_preview, leave_request_submit

__all__ = [
    "AllocationSummary",
    "Assessment",
    "LeaveDenied",
    "LeaveError",
    "allocate_year",
    "allocated_balance",
    "assess",
    "available_days",
    "current_authority",
    "feed_token_revoke",
    "feed_token_rotate",
    "held_positions",
    "leave_request_accept_change",
    "leave_request_cancel",
    "leave_request_decide",
    "leave_request_grant_temporary",
    "leave_request_preview",
    "leave_request_submit",
    "leave_request_withdraw",
    "ledger_adjust",
    "ledger_balance",
    "ledger_types",
    "letter_generate",
    "letter_next_number",
    "notify_all_about",
    "official_position_for",
    "opinion_text",
    "pending_hold",
    "send_reminders",
    "sniff_document",
]
