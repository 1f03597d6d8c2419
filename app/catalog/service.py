"""The service catalogue: proposing, compiling and approving versions (M.15, M.16), and reading
the version in force.

The city catalogue (tenant ``city``) is reference material for everyone (M.15 para. 2: districts
may refer to it), so reads cover the city and the actor's own district; writes belong to the
operator of the catalogue's tenant (bdc for the city, the district operator for a district).
The process steps themselves (review, approval) are user tasks of ``catalogue_compilation``;
the functions marked *process step* are called by its handlers.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.roles import CITY, DISTRICTS
from app.calendar.rules import local_date
from app.catalog.models import (
    APPROVED,
    APPROVING,
    COMPILING,
    EDITABLE_STATES,
    LAYERS,
    PRICING_TYPES,
    PROPOSED,
    REJECTED,
    TIER_MODES,
    TIERED,
    CatalogItem,
    CatalogTier,
    CatalogVersion,
)
from app.errors import Conflict, NotFound, ValidationFailed
from app.security import Actor, all_tenants, require_role, require_tenant
from app.workflow import service as workflow_service

PROCESS_KEY = "catalogue_compilation"
CITY_OPERATOR, DISTRICT_OPERATOR = "bdc", "district.operator"


def operator_role(tenant_id: str) -> str:
    """M.15: the city operator compiles the city catalogue; a district's operator its own."""
    return CITY_OPERATOR if tenant_id == CITY else DISTRICT_OPERATOR


def _require_operator(actor: Actor, tenant_id: str) -> None:
    if tenant_id != CITY:
        require_tenant(actor, tenant_id)  # another district's catalogue is absent, not forbidden
    require_role(actor, operator_role(tenant_id))  # the city's is public (M.15): forbidden, not absent


# -- reading -----------------------------------------------------------------------------------
def readable_tenants(actor: Actor) -> list[str] | None:
    """Tenants whose catalogues the actor reads: None for city-wide roles (all)."""
    if actor.city_wide:
        return None
    return sorted({CITY, actor.tenant_id})


def _visible(actor: Actor, *criteria: Any):
    stmt = select(CatalogVersion).where(*criteria)
    tenants = readable_tenants(actor)
    if tenants is not None:
        stmt = stmt.where(CatalogVersion.tenant_id.in_(tenants))
    # Deliberately wider than scoped(): the city catalogue is public to every tenant (M.15).
    return all_tenants(stmt)


def list_versions(session: Session, actor: Actor, *, tenant_id: str | None = None) -> list[CatalogVersion]:
    stmt = _visible(actor)
    if tenant_id:
        stmt = stmt.where(CatalogVersion.tenant_id == tenant_id)
    return list(session.scalars(stmt.order_by(CatalogVersion.tenant_id, CatalogVersion.number.desc())))


def get_version(session: Session, actor: Actor, version_id: int) -> CatalogVersion:
    version = session.scalar(_visible(actor, CatalogVersion.id == version_id))
    if version is None:
        raise NotFound(_("No such catalogue version."), code="not_found")
    return version


def version_in_force(session: Session, tenant_id: str, day: date) -> CatalogVersion | None:
    """The approved version with the latest effective date on or before ``day``: the district's
    own catalogue when it keeps one, else the city's (M.15 para. 2). A system read."""
    for tenant in dict.fromkeys([tenant_id, CITY]):
        stmt = all_tenants(select(CatalogVersion).where(
            CatalogVersion.tenant_id == tenant, CatalogVersion.status == APPROVED,
            CatalogVersion.effective_from <= day).order_by(CatalogVersion.effective_from.desc(),
                                                           CatalogVersion.number.desc()).limit(1))
        found = session.scalar(stmt)
        if found is not None:
            return found
    return None


def in_force_for(session: Session, actor: Actor, *, tenant_id: str | None, day: date) -> dict[str, Any]:
    """What the actor's tenant (or, for city roles, the named one) uses on ``day``."""
    tenant_id = tenant_id or actor.tenant_id
    require_tenant(actor, tenant_id)
    version = version_in_force(session, tenant_id, day)
    return {"version": version, "items": list(version.items) if version is not None else []}


def items_in_force(session: Session, tenant_id: str, day: date) -> dict[str, CatalogItem]:
    version = version_in_force(session, tenant_id, day)
    return {item.code: item for item in version.items} if version is not None else {}


def item_in_force(session: Session, tenant_id: str, code: str, day: date) -> CatalogItem | None:
    return items_in_force(session, tenant_id, day).get(code)


# -- proposing and compiling --------------------------------------------------------------------
def propose(session: Session, actor: Actor, *, tenant_id: str, title: str, effective_from: date,
            items: list[dict[str, Any]] | None = None, based_on_id: int | None = None, note: str = "",
            today: date) -> CatalogVersion:
    """M.15/M.16: the operator proposes a new version (or an adjustment of ``based_on_id``, whose
    items are copied when none are given) and the compilation process starts."""
    _require_operator(actor, tenant_id)
    if effective_from < today:
        raise ValidationFailed(_("The effective date cannot be in the past."),
                               fields={"effective_from": [_("Choose today or a later date.")]})
    base = get_version(session, actor, based_on_id) if based_on_id else None
    if base is not None and base.tenant_id != tenant_id:
        raise ValidationFailed(_("An adjustment starts from a version of the same catalogue."),
                               fields={"based_on_id": [_("another catalogue")]})
    if items is None:
        items = [item_data(i) for i in base.items] if base is not None else []
    number = (session.scalar(all_tenants(select(func.max(CatalogVersion.number)).where(
        CatalogVersion.tenant_id == tenant_id))) or 0) + 1
    version = CatalogVersion(tenant_id=tenant_id, number=number, title=title.strip(), status=PROPOSED,
                             effective_from=effective_from, based_on_id=base.id if base else None,
                             note=note or "", proposed_by=actor.username)
    session.add(version)
    _set_items(version, items)
    session.flush()
    instance = workflow_service.start_instance(
        session, actor, process_key=PROCESS_KEY, business_key=f"CAT-{tenant_id}-V{number}", tenant_id=tenant_id,
        variables={"version_id": version.id, "version_label": version.label, "is_city": tenant_id == CITY,
                   "catalogue_of": _tenant_name(tenant_id), "proposer": actor.username,
                   "item_count": len(version.items), "effective_from": effective_from.isoformat()})
    version.instance_id = instance.id
    session.flush()
    return version


def replace_items(session: Session, actor: Actor, version_id: int, items: list[dict[str, Any]]) -> CatalogVersion:
    """The operator compiles the items (name, content, pricing unit, unit price, pricing type)
    while the version is proposed or being compiled; approved versions never change (M.16)."""
    version = get_version(session, actor, version_id)
    _require_operator(actor, version.tenant_id)
    if version.status not in EDITABLE_STATES:
        raise Conflict(_("Only a version being proposed or compiled can be edited."), code="version_locked")
    version.items.clear()
    session.flush()
    _set_items(version, items)
    session.flush()
    return version


def item_data(item: CatalogItem) -> dict[str, Any]:
    return {"code": item.code, "layer": item.layer, "name": item.name, "content": item.content,
            "pricing_unit": item.pricing_unit, "unit_price": item.unit_price, "pricing_type": item.pricing_type,
            "tier_mode": item.tier_mode,
            "tiers": [{"lower_bound": t.lower_bound, "unit_price": t.unit_price} for t in item.tiers]}


def _set_items(version: CatalogVersion, items: Iterable[dict[str, Any]]) -> None:
    problems: dict[str, list[str]] = {}
    seen: set[str] = set()
    for index, data in enumerate(items):
        reasons = item_problems(data)
        if data["code"] in seen:
            reasons.append(_("The code %(code)s is used twice.", code=data["code"]))
        seen.add(data["code"])
        if reasons:
            problems[f"items.{index}"] = reasons
            continue
        item = CatalogItem(tenant_id=version.tenant_id, code=data["code"], layer=data["layer"], name=data["name"],
                           content=data.get("content") or "", pricing_unit=data["pricing_unit"],
                           unit_price=Decimal(data["unit_price"]), pricing_type=data["pricing_type"],
                           tier_mode=data.get("tier_mode") if data["pricing_type"] == TIERED else None,
                           sort=index)
        item.tiers = [CatalogTier(tenant_id=version.tenant_id, lower_bound=Decimal(t["lower_bound"]),
                                  unit_price=Decimal(t["unit_price"])) for t in data.get("tiers") or []]
        version.items.append(item)
    if problems:
        raise ValidationFailed(_("Some catalogue items are invalid."), fields=problems)


def item_problems(data: dict[str, Any]) -> list[str]:
    """What keeps an item out of the catalogue: M.15 wants name, content, pricing unit and unit price."""
    reasons = []
    for key in ("code", "name", "pricing_unit"):
        if not str(data.get(key) or "").strip():
            reasons.append(_("%(field)s is required.", field=key))
    if data.get("layer") not in LAYERS:
        reasons.append(_("The layer must be IaaS, PaaS or SaaS."))
    if data.get("pricing_type") not in PRICING_TYPES:
        reasons.append(_("The pricing type must be unit, tiered or licence."))
    price = data.get("unit_price")
    if price is None or Decimal(price) < 0:
        reasons.append(_("The unit price must be zero or more."))
    tiers = data.get("tiers") or []
    if data.get("pricing_type") == TIERED:
        bounds = [Decimal(t["lower_bound"]) for t in tiers]
        if data.get("tier_mode") not in TIER_MODES:
            reasons.append(_("A tiered item says whether its tiers are graduated or volume."))
        if not tiers or bounds[0] != 0 or bounds != sorted(set(bounds)):
            reasons.append(_("Tiers start at 0 and rise strictly."))
        if any(Decimal(t["unit_price"]) < 0 for t in tiers):
            reasons.append(_("The unit price must be zero or more."))
    elif tiers:
        reasons.append(_("Only tiered items have tiers."))
    return reasons


def _tenant_name(tenant_id: str) -> str:
    return "上海市" if tenant_id == CITY else DISTRICTS.get(tenant_id, tenant_id)


# -- process steps (called by app.catalog.handlers) ------------------------------------------------
def _for_step(session: Session, version_id: int, tenant_id: str, *states: str) -> CatalogVersion:
    version = session.scalar(all_tenants(select(CatalogVersion).where(
        CatalogVersion.id == version_id, CatalogVersion.tenant_id == tenant_id)))
    if version is None:
        raise NotFound(f"catalogue version {version_id} not found in {tenant_id}")
    if states and version.status not in states:
        raise Conflict(f"catalogue version {version_id} is {version.status}, expected {'/'.join(states)}")
    return version


def mark_reviewed(session: Session, version_id: int, tenant_id: str) -> CatalogVersion:
    """Process step, M.15: the authority accepted the proposed items; compilation begins."""
    version = _for_step(session, version_id, tenant_id, PROPOSED, COMPILING)
    version.status = COMPILING
    session.flush()
    return version


def submit(session: Session, version_id: int, tenant_id: str) -> list[str]:
    """Process step, M.15: the compiled catalogue goes for approval when every item is complete;
    otherwise the problems are returned and the version stays with the operator."""
    version = _for_step(session, version_id, tenant_id, COMPILING, APPROVING)
    problems = [] if version.items else [_("The catalogue has no items.")]
    for item in version.items:
        problems += [f"{item.code}: {reason}" for reason in item_problems(item_data(item))]
    if not problems:
        version.status = APPROVING
    session.flush()
    return problems


def return_for_revision(session: Session, version_id: int, tenant_id: str) -> CatalogVersion:
    """Process step: an approver sent the catalogue back; the operator compiles again."""
    version = _for_step(session, version_id, tenant_id, APPROVING)
    version.status = COMPILING
    session.flush()
    return version


def publish(session: Session, version_id: int, tenant_id: str, *, now: datetime) -> CatalogVersion:
    """Process step, M.15: approved. It takes effect on its date, or on the approval day when that
    is later: a catalogue is never in force before it was approved."""
    version = _for_step(session, version_id, tenant_id, APPROVING)
    version.status, version.approved_at = APPROVED, now
    version.effective_from = max(version.effective_from, local_date(now))
    session.flush()
    return version


def reject(session: Session, version_id: int, tenant_id: str) -> CatalogVersion:
    """Process step, M.15: the authority did not accept the proposal. The version is kept (M.16)."""
    version = _for_step(session, version_id, tenant_id, PROPOSED, COMPILING, APPROVING)
    version.status = REJECTED
    session.flush()
    return version

