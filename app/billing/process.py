"""Starting the ``settlement`` process: by hand, by the monthly job, or for a correction (M.27).

One instance per tenant and period: bdc drafts (its first service task computes the statements)
→ the district's finance reviews (P.3) → eitc confirms (核定, M.27). A correction of a confirmed
statement runs the same process for a new statement that references it.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.roles import CITY, DISTRICTS
from app.billing import service
from app.billing.models import MONTHLY, RETURNED, TRUE_UP, Statement
from app.errors import Conflict, ValidationFailed
from app.security import Actor, all_tenants, require_tenant
from app.workflow import service as workflow_service
from app.workflow.models import ProcessInstance

PROCESS_KEY = "settlement"
KIND_LABELS = {MONTHLY: "月度结算", TRUE_UP: "年度清算"}


def _variables(tenant_id: str, kind: str, start: date, end: date, corrects: Statement | None = None) -> dict:
    label = str(start.year) if kind == TRUE_UP else start.strftime("%Y-%m")
    name = "上海市（市级）" if tenant_id == CITY else DISTRICTS.get(tenant_id, tenant_id)
    return {"tenant": tenant_id, "tenant_name": name,
            "is_district": tenant_id != CITY, "kind": kind, "kind_label": KIND_LABELS[kind], "period_label": label,
            "period_start": start.isoformat(), "period_end": end.isoformat(),
            "corrects_id": corrects.id if corrects is not None else None,
            "corrects_number": corrects.number if corrects is not None else ""}


def business_key(tenant_id: str, kind: str, start: date, corrects_id: int | None = None) -> str:
    label = str(start.year) if kind == TRUE_UP else start.strftime("%Y-%m")
    return f"JS-{tenant_id}-{label}" + ("-Y" if kind == TRUE_UP else "") + (f"-C{corrects_id}" if corrects_id else "")


def _running(session: Session, key: str) -> int | None:
    return session.scalar(all_tenants(select(ProcessInstance.id).where(
        ProcessInstance.process_key == PROCESS_KEY, ProcessInstance.business_key == key,
        ProcessInstance.status.in_(("running", "suspended")))))


def start(session: Session, actor: Actor, *, tenant_id: str, period: str, kind: str = MONTHLY) -> ProcessInstance:
    """bdc drafts a tenant's statements of a month (``2025-09``) or its tiered true-up of a year (``2025``)."""
    start_day, end_day = service.parse_period(period)
    if (kind == TRUE_UP) != (len(period) == 4):
        raise ValidationFailed(_("A monthly settlement names a month, a true-up a year."),
                               fields={"period": [_("YYYY-MM for monthly, YYYY for true_up")]})
    require_tenant(actor, tenant_id)
    service.check_can_start(session, actor, tenant_id=tenant_id, kind=kind, start=start_day)
    key = business_key(tenant_id, kind, start_day)
    if _running(session, key) is not None:
        raise Conflict(_("This settlement is already in progress."), code="settlement_running")
    return workflow_service.start_instance(session, actor, process_key=PROCESS_KEY, business_key=key,
                                           tenant_id=tenant_id,
                                           variables=_variables(tenant_id, kind, start_day, end_day))


def start_correction(session: Session, actor: Actor, statement_id: int) -> ProcessInstance:
    """A confirmed statement is corrected by a new one that references it, through the same process."""
    corrected = service.correctable(session, actor, statement_id)
    key = business_key(corrected.tenant_id, corrected.kind, corrected.period_start, corrected.id)
    if _running(session, key) is not None:
        raise Conflict(_("A correction of this statement is already in progress."), code="settlement_running")
    return workflow_service.start_instance(
        session, actor, process_key=PROCESS_KEY, business_key=key, tenant_id=corrected.tenant_id,
        variables=_variables(corrected.tenant_id, corrected.kind, corrected.period_start, corrected.period_end,
                             corrected))


def recompute(session: Session, actor: Actor, statement_id: int, *, now: datetime) -> list[Statement]:
    """bdc recomputes a returned draft from the usage as it is now (late or corrected usage, a new
    coefficient); the redraft task then sends it to review again."""
    statement = service.open_statement(session, actor, statement_id)
    if statement.status != RETURNED or statement.instance_id is None:
        raise Conflict(_("Only a returned statement is recomputed by hand; it is with the reviewers now."),
                       code="statement_in_review")
    created = service.draft(session, actor.username, tenant_id=statement.tenant_id, kind=statement.kind,
                            start=statement.period_start, end=statement.period_end, now=now,
                            instance_id=statement.instance_id, corrects_id=statement.corrects_id)
    for new in created:
        new.status, new.return_reason = RETURNED, statement.return_reason
    session.flush()
    return created


def previous_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def draft_previous_month(session: Session, actor: Actor, *, today: date) -> list[ProcessInstance]:
    """The monthly job: one settlement per tenant with usage last month, unless drafted already."""
    start_day = previous_month(today)
    end_day = service.month_end(start_day)
    from app.billing import compute

    started = []
    for tenant_id in compute.tenants_with_usage(session, start=start_day, end=end_day):
        key = business_key(tenant_id, MONTHLY, start_day)
        if service.existing(session, tenant_id, MONTHLY, start_day) or _running(session, key) is not None:
            continue  # safe to run twice (habit 6)
        started.append(start(session, actor, tenant_id=tenant_id, period=start_day.strftime("%Y-%m")))
    return started
