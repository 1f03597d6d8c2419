"""Settlement statements: reading, drafting, the review steps, corrections, DR marks (M.27, P.4, P.5).

Who sees what (P.4(5)): city roles every statement; a district's authority, operator and finance
their district's; a unit outside the budget (M.7) its own bills; a vendor the bills for its
services. Drafting is bdc's (M.27: 政务云运行管理单位核算), confirming eitc's (核定), both
through the ``settlement`` process whose steps call the functions marked *process step*.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.accounts.models import Organisation, User
from app.billing import compute
from app.billing.models import (
    CONFIRMED,
    DR_FUNDINGS,
    KINDS,
    MONTHLY,
    OPEN_STATUSES,
    RETURNED,
    REVIEWING,
    TRUE_UP,
    DrFunding,
    Statement,
    StatementLine,
)
from app.billing.prices import PriceBook
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.resources.models import Allocation
from app.security import Actor, all_tenants, get_visible, require_role, scoped

DISTRICT_READERS = frozenset({"district.authority", "district.operator", "district.finance"})
DRAFTERS = ("bdc",)
ZERO = Decimal("0.00")


# -- reading ----------------------------------------------------------------------------------------
@dataclass
class StatementPage:
    items: list[Statement]
    total: int
    page: int
    per_page: int


def _organisation_of(session: Session, actor: Actor) -> int | None:
    if actor.user_id is None:
        return None
    return session.scalar(select(User.organisation_id).where(User.id == actor.user_id))


def visible(session: Session, actor: Actor, *criteria: Any):
    """Statements the actor may read, as a SELECT."""
    if actor.city_wide or actor.has_any(DISTRICT_READERS):
        return scoped(actor, Statement, *criteria)
    if actor.has_any({"vendor"}):  # P.4(4): the vendor settles with each district: its bills, city-wide
        return all_tenants(select(Statement).where(Statement.vendor_id == _organisation_of(session, actor),
                                                   *criteria))
    if actor.has_any({"unit"}):  # M.7: an outside unit pays its own bill
        return scoped(actor, Statement, Statement.organisation_id == _organisation_of(session, actor), *criteria)
    return scoped(actor, Statement, Statement.id.is_(None))


def list_statements(session: Session, actor: Actor, *, tenant: str | None = None, period: str | None = None,
                    status: str | None = None, kind: str | None = None, page: int = 1,
                    per_page: int = 50) -> StatementPage:
    criteria = []
    if tenant:
        criteria.append(Statement.tenant_id == tenant)
    if period:
        start, _end = parse_period(period)
        criteria.append(Statement.period_start == start)
    if status:
        criteria.append(Statement.status == status)
    if kind:
        criteria.append(Statement.kind == kind)
    stmt = visible(session, actor, *criteria)
    total = session.scalar(stmt.with_only_columns(func.count()).order_by(None))
    items = session.scalars(stmt.order_by(Statement.period_start.desc(), Statement.tenant_id, Statement.id)
                            .limit(per_page).offset((page - 1) * per_page))
    return StatementPage(list(items), total or 0, page, per_page)


def get_statement(session: Session, actor: Actor, statement_id: int) -> Statement:
    found = session.scalar(visible(session, actor, Statement.id == statement_id))
    if found is None:
        raise NotFound(_("No such statement."), code="not_found")
    return found


def monthly_spend(session: Session, actor: Actor, *, months: int = 12) -> list[tuple[str, Any]]:
    """Total billed per month over the statements the actor sees (the spend chart)."""
    stmt = visible(session, actor, Statement.kind == MONTHLY, Statement.corrects_id.is_(None))
    sub = stmt.subquery()
    rows = session.execute(all_tenants(select(sub.c.period_start, func.sum(sub.c.total))
                                       .group_by(sub.c.period_start).order_by(sub.c.period_start.desc())
                                       .limit(months))).all()
    return [(start.strftime("%Y-%m"), total) for start, total in reversed(rows)]


def parse_period(period: str) -> tuple[date, date]:
    """``2025-09`` → September 2025; ``2025`` → the year (the true-up)."""
    try:
        if len(period) == 4:
            year = int(period)
            return date(year, 1, 1), date(year, 12, 31)
        start = date.fromisoformat(f"{period}-01")
    except ValueError:
        raise ValidationFailed(_("Give the period as YYYY-MM or YYYY."), fields={"period": [_("YYYY-MM or YYYY")]})
    return start, month_end(start)


def month_end(start: date) -> date:
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


# -- drafting ---------------------------------------------------------------------------------------
def compute_period(session: Session, *, kind: str, start: date, end: date,
                   tenant_ids: list[str] | None) -> compute.Statements:
    """The figures of a period, nothing stored. The true-up reads every tenant (the total is city-wide)."""
    if kind == TRUE_UP:
        book = PriceBook(session, start=start, end=end, tenant_ids=None)
        # Only tiered items are trued up: the aggregate reads their rows alone.
        rows = compute.usage_groups(session, start=start, end=end, codes=book.tiered_codes())
        found = compute.true_up(rows, book, year=start.year)
        return {k: v for k, v in found.items() if tenant_ids is None or k.tenant_id in tenant_ids}
    book = PriceBook(session, start=start, end=end, tenant_ids=tenant_ids)
    return compute.monthly(compute.usage_groups(session, start=start, end=end, tenant_ids=tenant_ids), book)


def draft_all(session: Session, drafted_by: str, *, kind: str, start: date, end: date,
              now: datetime) -> list[Statement]:
    """Every tenant's statements of a range at once (one aggregate): a year of monthly statements,
    or the true-up. Used by the benchmark and for back-filling; the process drafts one tenant."""
    figures = compute_period(session, kind=kind, start=start, end=end, tenant_ids=None)
    return store(session, figures, kind=kind, period_end=end, drafted_by=drafted_by, now=now)


def store(session: Session, figures: compute.Statements, *, kind: str, period_end: date, drafted_by: str,
          now: datetime, corrects: Statement | None = None) -> list[Statement]:
    """Write statements with their lines (status ``reviewing``: the draft goes to review)."""
    created = []
    corrections = _corrections_of(session, corrects)
    for key in sorted(figures, key=lambda k: (k.tenant_id, k.period_start, k.organisation_id or 0, k.vendor_id or 0)):
        lines = figures[key]
        split = compute.funding_split(key.tenant_id, lines)
        statement = Statement(
            tenant_id=key.tenant_id, number=_number(key, kind, corrects, corrections), kind=kind,
            period_start=key.period_start, period_end=period_end if kind == TRUE_UP else month_end(key.period_start),
            organisation_id=key.organisation_id, vendor_id=key.vendor_id, status=REVIEWING,
            total=sum((line.amount for line in lines), ZERO), city_funded=split.city,
            district_funded=sum(split.districts.values(), ZERO), drafted_by=drafted_by, drafted_at=now,
            corrects_id=corrects.id if corrects is not None else None)
        session.add(statement)
        created.append((statement, lines))
    session.flush()
    # Lines in one executemany (a city-wide year has thousands), not one ORM object each.
    rows = [_line_row(statement, line) for statement, lines in created for line in lines]
    if rows:
        session.execute(insert(StatementLine.__table__), rows)
    return [statement for statement, _lines in created]


def _number(key: compute.StatementKey, kind: str, corrects: Statement | None, corrections: int) -> str:
    """JS202509-huangpu-V12-U0: period, tenant, vendor and payer (0: none); a correction adds -C<id>.<n>."""
    prefix = f"QS{key.period_start:%Y}" if kind == TRUE_UP else f"JS{key.period_start:%Y%m}"
    number = f"{prefix}-{key.tenant_id}-V{key.vendor_id or 0}-U{key.organisation_id or 0}"
    return number + (f"-C{corrects.id}.{corrections + 1}" if corrects is not None else "")


def _corrections_of(session: Session, corrects: Statement | None) -> int:
    if corrects is None:
        return 0
    return session.scalar(all_tenants(select(func.count()).select_from(Statement).where(
        Statement.corrects_id == corrects.id))) or 0


def _line_row(statement: Statement, line: compute.Line) -> dict[str, Any]:
    price = line.price
    return dict(
        tenant_id=statement.tenant_id, statement_id=statement.id, item_code=line.item_code,
        item_name=price.item_name[:200], pricing_unit=price.pricing_unit[:40], pricing_type=price.pricing_type,
        price_source=line.source, source_ref=price.ref, contract_id=price.contract_id,
        catalog_version_id=price.version_id, first_day=line.first_day, last_day=line.last_day,
        quantity=line.quantity, unit_price=line.price_value, coefficient=line.coefficient, amount=line.amount,
        dr_funding=line.dr_funding)


def existing(session: Session, tenant_id: str, kind: str, start: date) -> list[Statement]:
    return list(session.scalars(all_tenants(select(Statement).where(
        Statement.tenant_id == tenant_id, Statement.kind == kind, Statement.period_start == start,
        Statement.corrects_id.is_(None)))))


def draft(session: Session, drafted_by: str, *, tenant_id: str, kind: str, start: date, end: date,
          now: datetime, instance_id: int | None = None, corrects_id: int | None = None) -> list[Statement]:
    """Process step (and the benchmark's entry): compute and store a tenant's statements for a
    period, replacing the open drafts of the same process instance. Confirmed statements are never
    replaced: a correction (``corrects_id``) is a new statement for the same payer and vendor."""
    if instance_id is not None:
        for statement in in_process(session, instance_id):
            session.delete(statement)
        session.flush()
    figures = compute_period(session, kind=kind, start=start, end=end, tenant_ids=[tenant_id])
    corrects = None
    if corrects_id is not None:
        corrects = session.scalar(all_tenants(select(Statement).where(Statement.id == corrects_id)))
        wanted = (corrects.organisation_id, corrects.vendor_id)
        figures = {k: v for k, v in figures.items() if (k.organisation_id, k.vendor_id) == wanted}
        if not figures:  # the usage is gone: the correction bills nothing
            figures = {compute.StatementKey(tenant_id, *wanted, start): []}
    created = store(session, figures, kind=kind, period_end=end, drafted_by=drafted_by, now=now, corrects=corrects)
    for statement in created:
        statement.instance_id = instance_id
    session.flush()
    return created


def check_can_start(session: Session, actor: Actor, *, tenant_id: str, kind: str, start: date) -> None:
    require_role(actor, *DRAFTERS)
    if kind not in KINDS:
        raise ValidationFailed(_("Unknown statement kind."), fields={"kind": [kind]})
    if existing(session, tenant_id, kind, start):
        raise Conflict(_("Statements of %(tenant)s for this period exist already: recompute them or draft a "
                         "correction.", tenant=tenant_id), code="statements_exist")


# -- process steps ----------------------------------------------------------------------------------
def in_process(session: Session, instance_id: int) -> list[Statement]:
    """The open statements a settlement process instance works on."""
    return list(session.scalars(all_tenants(select(Statement).where(
        Statement.instance_id == instance_id, Statement.status.in_(OPEN_STATUSES)).order_by(Statement.id))))


def set_status(session: Session, instance_id: int, status: str, *, reason: str = "",
               by: str = "", now: datetime | None = None) -> list[Statement]:
    """Process step: finance returned (with a reason), reviewed, or eitc confirmed (核定, M.27)."""
    statements = in_process(session, instance_id)
    for statement in statements:
        if statement.status == CONFIRMED:
            raise Conflict(_("The statement %(number)s is confirmed.", number=statement.number),
                           code="statement_confirmed")
        statement.status = status
        if status == RETURNED:
            statement.return_reason = reason
        if status == CONFIRMED:
            statement.confirmed_by, statement.confirmed_at = by, now
    session.flush()
    return statements


# -- changes by hand ----------------------------------------------------------------------------------
def update_note(session: Session, actor: Actor, statement_id: int, note: str) -> Statement:
    """bdc annotates a draft; a confirmed statement answers 409 (corrections are new statements)."""
    statement = get_statement(session, actor, statement_id)
    require_role(actor, *DRAFTERS)
    if statement.status == CONFIRMED:
        raise Conflict(_("A confirmed statement cannot change: draft a correction."), code="statement_confirmed")
    statement.note = note
    session.flush()
    return statement


def correctable(session: Session, actor: Actor, statement_id: int) -> Statement:
    statement = get_statement(session, actor, statement_id)
    require_role(actor, *DRAFTERS)
    if statement.status != CONFIRMED:
        raise Conflict(_("Only a confirmed statement is corrected; recompute a draft instead."),
                       code="statement_not_confirmed")
    return statement


def open_statement(session: Session, actor: Actor, statement_id: int) -> Statement:
    statement = get_statement(session, actor, statement_id)
    require_role(actor, *DRAFTERS)
    if statement.status not in OPEN_STATUSES:
        raise Conflict(_("A confirmed statement cannot be recomputed: draft a correction."),
                       code="statement_confirmed")
    return statement


def mark_dr(session: Session, actor: Actor, allocation_id: int, funding: str | None) -> DrFunding | None:
    """P.5: bdc marks a DR resource shared (city-funded) or exclusive (district-funded); None clears."""
    allocation = get_visible(session, actor, Allocation, allocation_id)
    require_role(actor, *DRAFTERS)
    if funding is not None and funding not in DR_FUNDINGS:
        raise ValidationFailed(_("Funding is shared or exclusive."), fields={"funding": [_("shared or exclusive")]})
    mark = session.scalar(scoped(actor, DrFunding, DrFunding.allocation_id == allocation.id))
    if funding is None:
        if mark is not None:
            session.delete(mark)
        session.flush()
        return None
    if mark is None:
        mark = DrFunding(tenant_id=allocation.tenant_id, allocation_id=allocation.id, funding=funding,
                         marked_by=actor.username)
        session.add(mark)
    mark.funding, mark.marked_by = funding, actor.username
    session.flush()
    return mark


def names(session: Session, ids: set[int | None]) -> dict[int, str]:
    """Organisation names for display (vendors, outside units)."""
    wanted = sorted(i for i in ids if i is not None)
    if not wanted:
        return {}
    return dict(session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(wanted))).all())


def require_reader(actor: Actor) -> None:
    if not (actor.city_wide or actor.has_any(DISTRICT_READERS | {"vendor", "unit"})):
        raise Forbidden(_("You do not take part in settlement."))
