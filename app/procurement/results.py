"""The procurement result (P.4(3)): winning vendor, unit price, service standard and term per item."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Organisation
from app.errors import Conflict, ValidationFailed
from app.procurement import rounds
from app.procurement.models import ENTRUSTED, Solicitation
from app.security import Actor, require_role
from app.workflow import service as workflow_service

VENDOR_KIND = "vendor"


def vendor_names(found: Solicitation) -> dict[int, str]:
    from app.extensions import db

    ids = {i.vendor_id for i in found.items if i.vendor_id}
    if not ids:
        return {}
    # Organisations are not tenant data: vendors are public parties to the contracts.
    return dict(db.session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))).all())


def vendor_choices(session: Session) -> list[Organisation]:
    """The vendors a result may name (organisations of kind ``vendor``)."""
    stmt = select(Organisation).where(Organisation.kind == VENDOR_KIND).order_by(Organisation.name)
    return list(session.scalars(stmt))


def record(session: Session, actor: Actor, solicitation_id: int, lines: list[dict[str, Any]]) -> Solicitation:
    """The procurement centre records the result for every item; its step of the round completes."""
    found = rounds.get_solicitation(session, actor, solicitation_id)
    require_role(actor, rounds.PROCUREMENT)
    if found.status != ENTRUSTED:
        raise Conflict(_("Only an entrusted round takes a result."), code="not_entrusted")
    by_code = {item.item_code: item for item in found.items}
    vendors = _vendors(session, {line.get("vendor_id") for line in lines})
    problems: dict[str, list[str]] = {}
    seen: set[str] = set()
    for index, line in enumerate(lines):
        problems.update(_line_problems(index, line, by_code, vendors, seen))
    missing = sorted(set(by_code) - seen)
    if missing:
        problems["lines"] = [_("Every item needs a result; missing: %(codes)s.", codes=", ".join(missing))]
    if problems:
        raise ValidationFailed(_("The result is invalid."), fields=problems)
    for line in lines:
        item = by_code[line["item_code"]]
        item.vendor_id, item.unit_price = int(line["vendor_id"]), Decimal(line["unit_price"])
        item.result_standard = str(line.get("service_standard") or item.service_standard)
        item.starts_on, item.ends_on = line["starts_on"], line["ends_on"]
    session.flush()
    task = rounds.open_task(session, actor, found, "Task_Result")
    workflow_service.complete_task(session, actor, task.id, {"result_confirmed": True})
    return found


def _vendors(session: Session, ids: set[Any]) -> set[int]:
    wanted = {int(i) for i in ids if isinstance(i, int) or (isinstance(i, str) and i.isdigit())}
    if not wanted:
        return set()
    return set(session.scalars(select(Organisation.id).where(Organisation.id.in_(wanted),
                                                             Organisation.kind == VENDOR_KIND)))


def _line_problems(index: int, line: dict[str, Any], by_code: dict, vendors: set[int],
                   seen: set[str]) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    code = line.get("item_code")
    if code not in by_code:
        problems[f"lines.{index}.item_code"] = [_("Not an item of this solicitation.")]
    elif code in seen:
        problems[f"lines.{index}.item_code"] = [_("Listed twice.")]
    seen.add(code)
    if line.get("vendor_id") not in vendors:
        problems[f"lines.{index}.vendor_id"] = [_("Not a vendor.")]
    price = line.get("unit_price")
    if price is None or Decimal(price) < 0:
        problems[f"lines.{index}.unit_price"] = [_("The unit price must be zero or more.")]
    starts, ends = line.get("starts_on"), line.get("ends_on")
    if not isinstance(starts, date) or not isinstance(ends, date) or ends < starts:
        problems[f"lines.{index}.ends_on"] = [_("The term ends on or after its start.")]
    return problems


def is_complete(session: Session, solicitation_id: int) -> bool:
    """Process step: a result for every item (vendor, price, term) before publication."""
    found = rounds.for_step(session, solicitation_id)
    return all(i.vendor_id and i.unit_price is not None and i.starts_on and i.ends_on for i in found.items)
