"""District contracts at the published prices (P.4(4) 不再次议价) and the licence rule (P.4 type 1).

A contract is created when the district operator signs it in the round; its prices are the published
result's and never change. Any attempt to change one is refused with a reason and recorded in the
contract's audit trail; the ORM refuses it too (:func:`_refuse_price_changes`), so no code path can
re-price a contract silently.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from app.accounts.roles import DISTRICTS
from app.calendar.rules import local_date
from app.catalog.models import LICENCE
from app.errors import Conflict, NotFound, ValidationFailed
from app.procurement.models import (
    SIGNED,
    Contract,
    ContractAudit,
    ContractItem,
    ReplyLine,
    Solicitation,
    SolicitationReply,
)
from app.security import Actor, all_tenants, get_visible, require_role, scoped

LOCKED_FIELDS = ("unit_price", "pricing_type")


class PriceLocked(Conflict):
    code = "price_locked"


class CentralPurchase(Conflict):
    code = "central_purchase_required"


def lock_reason() -> str:
    return _("P.4(4): contract prices are the published procurement prices and are not renegotiated (不再次议价).")


# -- creating (a process step of the round) ----------------------------------------------------------
def sign(session: Session, found: Solicitation, district: str, *, by: str, now: datetime) -> list[Contract]:
    """One contract per winning vendor for an opting-in district, each item at its published price."""
    by_vendor: dict[int, list] = {}
    for item in found.items:
        by_vendor.setdefault(item.vendor_id, []).append(item)
    existing = session.scalar(all_tenants(select(func.count(Contract.id)).where(Contract.tenant_id == district))) or 0
    contracts = []
    for offset, (vendor_id, items) in enumerate(sorted(by_vendor.items()), start=1):
        contract = Contract(
            tenant_id=district, number=f"HT-{found.budget_year}-{district}-{existing + offset:03d}",
            vendor_id=vendor_id, solicitation_id=found.id, status=SIGNED, starts_on=min(i.starts_on for i in items),
            ends_on=max(i.ends_on for i in items), signed_by=by, signed_at=now, note=found.number)
        contract.items = [ContractItem(
            tenant_id=district, item_code=i.item_code, item_name=i.item_name, pricing_unit=i.pricing_unit,
            pricing_type=i.pricing_type, unit_price=i.unit_price, service_standard=i.result_standard or "",
            # P.4 type 1: a software licence runs for the item's term.
            licence_expires_on=i.ends_on if i.pricing_type == LICENCE else None) for i in items]
        contracts.append(contract)
    session.add_all(contracts)
    session.flush()
    return contracts


# -- reading -----------------------------------------------------------------------------------------
def list_contracts(session: Session, actor: Actor, *, solicitation_id: int | None = None, page: int = 1,
                   per_page: int = 20) -> dict[str, Any]:
    stmt = scoped(actor, Contract)
    if solicitation_id:
        stmt = stmt.where(Contract.solicitation_id == solicitation_id)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = session.scalars(stmt.order_by(Contract.id.desc()).offset((page - 1) * per_page).limit(per_page))
    return {"items": list(items), "total": total or 0, "page": page, "per_page": per_page}


def get_contract(session: Session, actor: Actor, contract_id: int) -> Contract:
    return get_visible(session, actor, Contract, contract_id)


def audit_trail(session: Session, actor: Actor, contract_id: int) -> list[ContractAudit]:
    contract = get_contract(session, actor, contract_id)
    return list(session.scalars(scoped(actor, ContractAudit, ContractAudit.contract_id == contract.id)
                                .order_by(ContractAudit.id)))


def contract_page(session: Session, actor: Actor, contract_id: int, *, today: date) -> dict[str, Any]:
    """The contract page: items at their locked prices, the licence rule per item, the audit trail."""
    from app.accounts.models import Organisation

    contract = get_contract(session, actor, contract_id)
    vendor = session.get(Organisation, contract.vendor_id)
    return {"contract": contract, "vendor": vendor.name if vendor else "",
            "notes": {item.id: licence_note(item, today) for item in contract.items},
            "trail": audit_trail(session, actor, contract_id)}


def licence_note(item: ContractItem, today: date) -> str | None:
    """What the contract page says about a licence item (P.4 type 1)."""
    if item.pricing_type != LICENCE or item.licence_expires_on is None:
        return None
    if item.licence_expires_on < today:
        return _("Expired on %(day)s: the next purchase is made centrally by bdc on the total demand.",
                 day=item.licence_expires_on.isoformat())
    return _("Licence until %(day)s; after that the next purchase is made centrally by bdc on the total demand.",
             day=item.licence_expires_on.isoformat())


# -- refused changes -----------------------------------------------------------------------------------
def _item(contract: Contract, item_id: int) -> ContractItem:
    found = next((i for i in contract.items if i.id == item_id), None)
    if found is None:
        raise NotFound(_("No such contract item."), code="not_found")
    return found


def _audit(session: Session, actor: Actor, contract: Contract, item_code: str | None, action: str,
           attempted: dict[str, Any], reason: str, now: datetime) -> None:
    session.add(ContractAudit(tenant_id=contract.tenant_id, contract_id=contract.id, item_code=item_code,
                              action=action, attempted=attempted, reason=reason, attempted_by=actor.username,
                              attempted_at=now))
    session.flush()


def change_item(session: Session, actor: Actor, contract_id: int, item_id: int, changes: dict[str, Any], *,
                now: datetime) -> ContractItem:
    """P.4(4): a signed contract's prices are never renegotiated. The attempt is recorded (who, when,
    what) and refused; the caller commits the audit row before answering (see ``api``)."""
    contract = get_contract(session, actor, contract_id)
    item = _item(contract, item_id)
    attempted = {key: str(value) for key, value in changes.items()}
    attempted.update({f"current_{k}": str(getattr(item, k)) for k in LOCKED_FIELDS if k in changes})
    _audit(session, actor, contract, item.item_code, "price_change", attempted, lock_reason(), now)
    fields = {key: [lock_reason()] for key in changes} or {"unit_price": [lock_reason()]}
    raise PriceLocked(lock_reason(), fields=fields)


def renew_licence(session: Session, actor: Actor, contract_id: int, item_code: str, *, now: datetime) -> None:
    """A district cannot renew an expired software licence itself (P.4 type 1): bdc purchases the
    next term centrally on the total demand. Refused and recorded; a licence still in force needs no renewal."""
    contract = get_contract(session, actor, contract_id)
    item = next((i for i in contract.items if i.item_code == item_code), None)
    if item is None or item.pricing_type != LICENCE:
        raise ValidationFailed(_("Only a software licence item of this contract can be renewed."),
                               fields={"item_code": [_("not a licence item of this contract")]})
    today = local_date(now)
    if item.licence_expires_on is not None and item.licence_expires_on >= today:
        raise Conflict(_("The licence is in force until %(day)s.", day=item.licence_expires_on.isoformat()),
                       code="licence_in_force", fields={"item_code": [_("still in force")]})
    reason = _("P.4 type 1: after a software licence expires, the next purchase is made centrally by bdc on "
               "the total demand of the city and the districts; a district does not renew it.")
    _audit(session, actor, contract, item.item_code, "licence_renewal",
           {"item_code": item_code, "expired_on": str(item.licence_expires_on)}, reason, now)
    raise CentralPurchase(reason, fields={"item_code": [reason]})


def licence_renewals(session: Session, actor: Actor, *, today: date) -> list[dict[str, Any]]:
    """For bdc (P.4 type 1): expired licence items by code, with the districts holding them and their
    total demand in the round that bought them — the basis of the next central purchase."""
    require_role(actor, "bdc", "procurement")
    rows = session.execute(all_tenants(
        select(ContractItem.item_code, ContractItem.item_name, Contract.tenant_id, Contract.solicitation_id,
               ContractItem.licence_expires_on)
        .join(Contract, Contract.id == ContractItem.contract_id)
        .where(ContractItem.pricing_type == LICENCE, ContractItem.licence_expires_on < today)
        .order_by(ContractItem.item_code, Contract.tenant_id))).all()
    found: dict[str, dict[str, Any]] = {}
    for code, name, tenant, solicitation_id, expired in rows:
        entry = found.setdefault(code, {"item_code": code, "item_name": name, "districts": [],
                                        "expired_on": expired, "total_demand": Decimal(0)})
        if tenant not in entry["districts"]:
            entry["districts"].append(tenant)
            entry["total_demand"] += _demand(session, solicitation_id, tenant, code)
        entry["expired_on"] = min(entry["expired_on"], expired)
    for entry in found.values():
        entry["district_names"] = [DISTRICTS.get(d, d) for d in entry["districts"]]
    return list(found.values())


def _demand(session: Session, solicitation_id: int | None, tenant: str, code: str) -> Decimal:
    if solicitation_id is None:
        return Decimal(0)
    return session.scalar(all_tenants(select(func.coalesce(func.sum(ReplyLine.quantity), 0))
                                      .join(SolicitationReply, SolicitationReply.id == ReplyLine.reply_id)
                                      .where(SolicitationReply.solicitation_id == solicitation_id,
                                             SolicitationReply.tenant_id == tenant, ReplyLine.item_code == code))) \
        or Decimal(0)


# -- the ORM guard -------------------------------------------------------------------------------------
@event.listens_for(Session, "before_flush")
def _refuse_price_changes(session: Session, flush_context, instances) -> None:
    """Defence in depth for P.4(4): no flush may change a stored contract item's price or pricing type."""
    for obj in session.dirty:
        if isinstance(obj, ContractItem):
            state = inspect(obj)
            for name in LOCKED_FIELDS:
                history = state.attrs[name].history
                if history.deleted and history.added and history.deleted[0] != history.added[0]:
                    raise PriceLocked(lock_reason(), fields={name: [lock_reason()]})
