"""Segregation of duties: an officer's act on their own record (leave, payslip, personnel file) is refused and the
attempt audited with its reason. Services call `refused_own_record` before their transaction, so the audit entry
survives the refusal."""

from intranet.audit.denials import audit_denied

from .selectors import is_own_record


def refused_own_record(user, employee, *, act: str, request=None, obj=None, own: bool | None = None) -> bool:
    """True (and audited) when `user` would act as an officer on `employee`, their own record (`own` decides instead,
    for a record tied to the account rather than to an employee, e.g. an HR scope)."""
    if not (is_own_record(user, employee) if own is None else own):
        return False
    audit_denied(
        action="segregation.refused",
        reason="own record",
        actor=user,
        request=request,
        obj=obj,
        subject_employee=employee if not isinstance(employee, int) else None,
        details={"act": act},
    )
    return True
