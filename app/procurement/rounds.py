"""The 统采分签 solicitation round (P.4(1)–(4)): issue, replies, filing, aggregation, result, publication.

bdc issues a solicitation (tenant ``city``) and the ``procurement_solicitation`` process runs it. Each
district's reply is a row in that district's tenant; the district sees the solicitation because it is
addressed to it (it holds a reply row), never another district's reply. The functions marked *process
step* are called by ``app.procurement.handlers``; the others by the API and pages.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from app.accounts.roles import CITY, DISTRICTS
from app.calendar import service as calendar_service
from app.calendar.rules import SHANGHAI, end_of, local_date
from app.catalog import service as catalog_service
from app.errors import Conflict, NotFound, ValidationFailed
from app.procurement.models import (
    AGGREGATED,
    CLOSED,
    DECLINED,
    DEMAND,
    ENTRUSTED,
    NO_REPLY,
    PENDING,
    PUBLISHED,
    REPLYING,
    ReplyLine,
    Solicitation,
    SolicitationItem,
    SolicitationReply,
)
from app.security import Actor, all_tenants, require_role, scoped
from app.workflow import service as workflow_service
from app.workflow.models import HumanTask

PROCESS_KEY = "procurement_solicitation"
BDC, PROCUREMENT = "bdc", "procurement"
DISTRICT_AUTHORITY, DISTRICT_FINANCE, DISTRICT_OPERATOR = "district.authority", "district.finance", "district.operator"
MIN_REPLY_WORKDAYS = 5  # time for a district to collect its units' demand before the deadline
REMINDER_WORKDAYS = 3  # the reminder goes out this many working days before the deadline, at 09:00


def budget_demand_due(budget_year: int) -> date:
    """P.4(2): 需求报送时间要与各区年度预算编制时间相衔接 — demand for a budget year must be in before
    the districts submit that year's budget proposal (一上), at the end of October of the year before."""
    return date(budget_year - 1, 10, 31)


# -- reading ----------------------------------------------------------------------------------------
def _visible(actor: Actor, *criteria: Any):
    """City roles see every round; a district sees the rounds addressed to it (it holds a reply row)."""
    stmt = select(Solicitation).where(*criteria)
    if not actor.city_wide:
        stmt = stmt.where(exists(select(SolicitationReply.id).where(
            SolicitationReply.solicitation_id == Solicitation.id, SolicitationReply.tenant_id == actor.tenant_id)))
    # Deliberately wider than scoped(): a city row shown to the districts it was addressed to (P.4(1)).
    return all_tenants(stmt)


def list_solicitations(session: Session, actor: Actor, *, status: str | None = None, page: int = 1,
                       per_page: int = 20) -> dict[str, Any]:
    stmt = _visible(actor, *([Solicitation.status == status] if status else []))
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = session.scalars(stmt.order_by(Solicitation.id.desc()).offset((page - 1) * per_page).limit(per_page))
    return {"items": list(items), "total": total or 0, "page": page, "per_page": per_page}


def get_solicitation(session: Session, actor: Actor, solicitation_id: int) -> Solicitation:
    found = session.scalar(_visible(actor, Solicitation.id == solicitation_id))
    if found is None:
        raise NotFound(_("No such solicitation."), code="not_found")
    return found


def replies(session: Session, actor: Actor, solicitation_id: int) -> list[SolicitationReply]:
    """The replies the actor may see: all for city roles, its own for a district."""
    return list(session.scalars(scoped(actor, SolicitationReply, SolicitationReply.solicitation_id == solicitation_id)
                                .order_by(SolicitationReply.tenant_id)))


def aggregation(session: Session, actor: Actor, solicitation_id: int) -> dict[str, Any]:
    """Per item, per district and in total (P.4(3): bdc 统筹各区的使用需求). A district sees its own row."""
    found = get_solicitation(session, actor, solicitation_id)
    rows = replies(session, actor, solicitation_id)
    codes = [item.item_code for item in found.items]
    districts = []
    for reply in rows:
        quantities = {code: Decimal(0) for code in codes}
        for line in reply.lines:
            quantities[line.item_code] = quantities.get(line.item_code, Decimal(0)) + line.quantity
        districts.append({"tenant": reply.tenant_id, "name": DISTRICTS.get(reply.tenant_id, reply.tenant_id),
                          "status": reply.status, "filed": reply.filed_at is not None, "opted_in": reply.opted_in,
                          "quantities": quantities})
    totals = {code: sum((d["quantities"][code] for d in districts if d["status"] == DEMAND), Decimal(0))
              for code in codes}
    counts = {state: sum(1 for d in districts if d["status"] == state)
              for state in (PENDING, DEMAND, DECLINED, NO_REPLY)}
    return {"solicitation": found, "items": list(found.items), "districts": districts, "totals": totals,
            "counts": counts}


# -- issuing (P.4(1)) -------------------------------------------------------------------------------
def issue(session: Session, actor: Actor, *, title: str, budget_year: int, reply_deadline: date,
          items: list[dict[str, Any]], districts: list[str] | None = None, note: str = "",
          now: datetime) -> Solicitation:
    """bdc issues a solicitation: catalogue items in force with content, estimated unit price and
    service standard, and a reply deadline aligned with the budget calendar (P.4(1), P.4(2))."""
    require_role(actor, BDC)
    today = local_date(now)
    _check_deadline(session, reply_deadline, budget_year, today)
    districts = list(dict.fromkeys(districts or DISTRICTS))
    unknown = [d for d in districts if d not in DISTRICTS]
    if unknown:
        raise ValidationFailed(_("Some districts are unknown."), fields={"districts": [", ".join(unknown)]})
    number = _next_number(session, budget_year)
    solicitation = Solicitation(tenant_id=CITY, number=number, title=title.strip(), budget_year=budget_year,
                                reply_deadline=reply_deadline, status=REPLYING, note=note or "",
                                issued_by=actor.username, issued_at=now)
    solicitation.items = _items(session, items, today)
    solicitation_replies = [SolicitationReply(tenant_id=d, status=PENDING) for d in districts]
    session.add(solicitation)
    session.flush()
    for reply in solicitation_replies:
        reply.solicitation_id = solicitation.id
    session.add_all(solicitation_replies)
    session.flush()
    instance = workflow_service.start_instance(
        session, actor, process_key=PROCESS_KEY, business_key=number, tenant_id=CITY,
        variables={"solicitation_id": solicitation.id, "number": number, "title": solicitation.title,
                   "districts": districts, "items_text": items_text(solicitation),
                   "deadline_label": reply_deadline.isoformat(),
                   "reply_deadline": end_of(reply_deadline).isoformat(),
                   "reminder_at": _reminder_at(session, reply_deadline, now).isoformat()})
    solicitation.instance_id = instance.id
    session.flush()
    return solicitation


def _check_deadline(session: Session, deadline: date, budget_year: int, today: date) -> None:
    calendar = calendar_service.calendar(session)
    due = budget_demand_due(budget_year)
    earliest = calendar.add_workdays(today, MIN_REPLY_WORKDAYS).day
    reasons = []
    if deadline > due:
        # P.4(2): the demand must reach the districts' budget compilation.
        reasons.append(_("Replies for the %(year)s budget must be in by %(due)s (the districts' budget "
                         "proposals).", year=budget_year, due=due.isoformat()))
    if deadline < earliest:
        reasons.append(_("Give the districts at least %(n)s working days: %(day)s or later.",
                         n=MIN_REPLY_WORKDAYS, day=earliest.isoformat()))
    if not calendar.is_workday(deadline):
        reasons.append(_("The deadline must be a working day."))
    if reasons:
        raise ValidationFailed(_("The reply deadline does not fit the budget calendar."),
                               fields={"reply_deadline": reasons})


def _reminder_at(session: Session, deadline: date, now: datetime) -> datetime:
    day = calendar_service.calendar(session).add_workdays(deadline, -REMINDER_WORKDAYS).day
    return max(datetime.combine(day, time(9), tzinfo=SHANGHAI), now + timedelta(minutes=1))


def _items(session: Session, items: list[dict[str, Any]], today: date) -> list[SolicitationItem]:
    """Only items of the approved city catalogue in force may be solicited (P.4(1): 服务目录)."""
    in_force = catalog_service.items_in_force(session, CITY, today)
    if not items:
        raise ValidationFailed(_("A solicitation lists at least one item."), fields={"items": [_("Required.")]})
    found, problems, seen = [], {}, set()
    for index, data in enumerate(items):
        code = str(data.get("item_code") or "").strip()
        item = in_force.get(code)
        if item is None or code in seen:
            problems[f"items.{index}.item_code"] = [
                _("Not an item of the catalogue in force.") if item is None else _("Listed twice.")]
            continue
        seen.add(code)
        price = data.get("estimated_unit_price")
        price = item.unit_price if price is None else Decimal(price)
        if price < 0:
            problems[f"items.{index}.estimated_unit_price"] = [_("The unit price must be zero or more.")]
            continue
        found.append(SolicitationItem(
            tenant_id=CITY, item_code=code, item_name=item.name, content=data.get("content") or item.content,
            pricing_unit=item.pricing_unit, pricing_type=item.pricing_type, estimated_unit_price=price,
            service_standard=str(data.get("service_standard") or "").strip()))
    if problems:
        raise ValidationFailed(_("Some items are invalid."), fields=problems)
    return found


def _next_number(session: Session, year: int) -> str:
    prefix = f"ZX-{year}-"
    count = session.scalar(all_tenants(select(func.count(Solicitation.id)).where(
        Solicitation.number.like(f"{prefix}%")))) or 0
    return f"{prefix}{count + 1:03d}"


def items_text(solicitation: Solicitation) -> str:
    return "\n".join(f"- {i.item_code} {i.item_name}（{i.pricing_unit}）预估单价 {i.estimated_unit_price:.2f} 元；"
                     f"服务标准：{i.service_standard or '—'}" for i in solicitation.items)


# -- a district's reply (P.4(2)) --------------------------------------------------------------------
def reply(session: Session, actor: Actor, solicitation_id: int, *, decision: str, lines: list[dict[str, Any]],
          note: str = "") -> SolicitationReply:
    """The district authority gives its demand per item, or declines; its reply task completes."""
    found = get_solicitation(session, actor, solicitation_id)
    require_role(actor, DISTRICT_AUTHORITY)
    own = session.scalar(scoped(actor, SolicitationReply, SolicitationReply.solicitation_id == found.id,
                                SolicitationReply.tenant_id == actor.tenant_id))
    if own is None or own.status != PENDING:
        state = own.status if own is not None else "absent"
        raise Conflict(_("This district's reply is already recorded (%(state)s).", state=state), code="reply_closed")
    task = open_task(session, actor, found, "Task_Reply")
    quantities = _demand_lines(found, decision, lines)
    own.lines = [ReplyLine(tenant_id=own.tenant_id, item_code=code, quantity=q) for code, q in quantities.items()]
    own.note = (note or "")[:2000]
    session.flush()
    workflow_service.complete_task(session, actor, task.id, {"reply_decision": decision, "reply_note": own.note})
    session.refresh(own)
    return own


def _demand_lines(found: Solicitation, decision: str, lines: list[dict[str, Any]]) -> dict[str, Decimal]:
    if decision not in (DEMAND, "decline"):
        raise ValidationFailed(_("Some fields are invalid."), fields={"decision": [_("Choose demand or decline.")]})
    if decision == "decline":
        return {}
    codes = {item.item_code for item in found.items}
    quantities: dict[str, Decimal] = {}
    problems: dict[str, list[str]] = {}
    for index, line in enumerate(lines):
        code = str(line.get("item_code") or "")
        try:
            quantity = Decimal(str(line.get("quantity")))
        except (InvalidOperation, ValueError):
            quantity = None
        if code not in codes:
            problems[f"lines.{index}.item_code"] = [_("Not an item of this solicitation.")]
        elif code in quantities:
            problems[f"lines.{index}.item_code"] = [_("Listed twice.")]
        if quantity is None or not quantity.is_finite():
            problems[f"lines.{index}.quantity"] = [_("Enter a number.")]
        elif quantity < 0:
            problems[f"lines.{index}.quantity"] = [_("The demand cannot be negative.")]
        elif code in codes and quantity > 0:
            quantities[code] = quantity
    if not problems and not quantities:
        problems["lines"] = [_("Give a demand above zero for at least one item, or decline.")]
    if problems:
        raise ValidationFailed(_("The reply is invalid."), fields=problems)
    return quantities


def open_task(session: Session, actor: Actor, found: Solicitation, element_id: str) -> HumanTask:
    """The open step ``element_id`` of the round in the actor's reach (a district's own task)."""
    stmt = scoped(actor, HumanTask, HumanTask.instance_id == found.instance_id, HumanTask.element_id == element_id,
                  HumanTask.status == "open")
    if not actor.city_wide:
        stmt = stmt.where(HumanTask.tenant_id == actor.tenant_id)
    task = session.scalars(stmt.limit(1)).first()
    if task is None:
        raise Conflict(_("The round is not waiting for this step."), code="step_not_open")
    return task


# -- process steps -----------------------------------------------------------------------------------
def for_step(session: Session, solicitation_id: int, *states: str) -> Solicitation:
    found = session.scalar(all_tenants(select(Solicitation).where(Solicitation.id == solicitation_id)))
    if found is None:
        raise NotFound(f"solicitation {solicitation_id} not found")
    if states and found.status not in states:
        raise Conflict(f"solicitation {solicitation_id} is {found.status}, expected {'/'.join(states)}")
    return found


def reply_for_step(session: Session, solicitation_id: int, district: str) -> SolicitationReply:
    row = session.scalar(all_tenants(select(SolicitationReply).where(
        SolicitationReply.solicitation_id == solicitation_id, SolicitationReply.tenant_id == district)))
    if row is None:
        raise NotFound(f"no reply of {district} to solicitation {solicitation_id}")
    return row


def record_reply(session: Session, solicitation_id: int, district: str, decision: str, *, by: str,
                 now: datetime) -> str:
    """Process step: a reply task completed. Demand needs quantities (given through the reply API or
    page); a reply without any counts as a decline, and the process takes the decline path."""
    row = reply_for_step(session, solicitation_id, district)
    row.status = DEMAND if decision == DEMAND and row.lines else DECLINED
    row.replied_by, row.replied_at = by, now
    session.flush()
    return row.status


def record_no_reply(session: Session, solicitation_id: int, district: str) -> None:
    """Process step: the deadline passed without a reply; recorded, and the round goes on (P.4(2))."""
    row = reply_for_step(session, solicitation_id, district)
    if row.status == PENDING:
        row.status = NO_REPLY
    session.flush()


def remind(session: Session, solicitation_id: int, district: str, *, now: datetime) -> None:
    reply_for_step(session, solicitation_id, district).reminded_at = now
    session.flush()


def file_demand(session: Session, solicitation_id: int, district: str, *, by: str, now: datetime) -> None:
    """Process step, P.4(2): the district finance department files the demand (备案)."""
    row = reply_for_step(session, solicitation_id, district)
    row.filed_by, row.filed_at = by, now
    session.flush()


def aggregate(session: Session, solicitation_id: int) -> dict[str, Any]:
    """Process step, P.4(3): every district has answered or missed the deadline; bdc sees the totals."""
    found = for_step(session, solicitation_id, REPLYING)
    found.status = AGGREGATED
    rows = session.scalars(all_tenants(select(SolicitationReply).where(
        SolicitationReply.solicitation_id == found.id))).all()
    for row in rows:
        if row.status == PENDING:
            row.status = NO_REPLY
    session.flush()
    totals = {item.item_code: Decimal(0) for item in found.items}
    for row in rows:
        if row.status == DEMAND and row.filed_at is not None:
            for line in row.lines:
                totals[line.item_code] += line.quantity
    text = "\n".join(f"- {item.item_code} {item.item_name}：{totals[item.item_code]:f} {item.pricing_unit}"
                     for item in found.items)
    counts = {state: sum(1 for r in rows if r.status == state) for state in (DEMAND, DECLINED, NO_REPLY)}
    return {"aggregation_text": text, "demand_districts": counts[DEMAND], "declined_districts": counts[DECLINED],
            "silent_districts": counts[NO_REPLY]}


def entrust(session: Session, solicitation_id: int, *, now: datetime) -> None:
    """Process step, P.4(3): bdc entrusts the procurement centre."""
    found = for_step(session, solicitation_id, AGGREGATED)
    found.status, found.entrusted_at = ENTRUSTED, now
    session.flush()


def publish(session: Session, solicitation_id: int, *, now: datetime) -> str:
    """Process step, P.4(3): the result goes to every district the round was addressed to."""
    found = for_step(session, solicitation_id, ENTRUSTED)
    found.status, found.published_at = PUBLISHED, now
    session.flush()
    return result_text(found)


def result_text(found: Solicitation) -> str:
    from app.procurement.results import vendor_names

    names = vendor_names(found)
    return "\n".join(f"- {i.item_code} {i.item_name}：{names.get(i.vendor_id, '—')}，单价 {i.unit_price:.2f} 元/"
                     f"{i.pricing_unit}，服务期 {i.starts_on} 至 {i.ends_on}；服务标准：{i.result_standard or '—'}"
                     for i in found.items if i.unit_price is not None)


def record_opt_in(session: Session, solicitation_id: int, district: str, opted_in: bool, *, by: str,
                  now: datetime) -> None:
    """Process step, P.4(4): 各区自行决定是否使用市级政务云服务."""
    row = reply_for_step(session, solicitation_id, district)
    row.opted_in, row.decided_by, row.decided_at = opted_in, by, now
    session.flush()


def close(session: Session, solicitation_id: int) -> None:
    for_step(session, solicitation_id, PUBLISHED).status = CLOSED
    session.flush()
