"""Ingesting and reading metered usage (M.13, P.4(6): 按需使用、按实结算).

Collectors upload daily quantities in bulk (JSON rows or a CSV file). Each row is checked on its
own; bad rows come back with their number and reasons while the good ones are kept. Storing is an
upsert on (resource, item, day): re-sending a day replaces its figure, never doubles it.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import bulk
from app.catalog import service as catalog_service
from app.errors import Forbidden
from app.metering.models import UsageRecord
from app.projects import service as projects_service
from app.projects.models import Project
from app.resources.models import Allocation
from app.security import Actor, scoped

INGEST_SCOPE = "ingest"
COLUMNS = ("resource", "item", "day", "quantity")
MAX_QUANTITY = Decimal("1e14")  # Numeric(18, 4)


@dataclass
class Row:
    number: int
    allocation_id: int | None = None
    item_code: str = ""
    day: date | None = None
    quantity: Decimal | None = None
    source: str = ""
    tenant: str | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    def reject(self, key: str, reason: str) -> None:
        self.errors.setdefault(key, []).append(reason)


@dataclass
class IngestResult:
    accepted: int
    rejected: list[dict[str, Any]]


def may_ingest(actor: Actor) -> bool:
    """Usage comes from collectors (tokens limited to ``ingest``) or an administrator."""
    return INGEST_SCOPE in actor.scopes or actor.has_any({"admin"})


# -- reading the upload ------------------------------------------------------------------------------
def rows_from_csv(data: bytes) -> Iterator[dict[str, Any]]:
    """CSV with a header ``resource,item,day,quantity[,source]`` (UTF-8, a BOM allowed)."""
    return bulk.rows_from_csv(data, COLUMNS)


def _resource_id(value: Any) -> int:
    """A resource by id (12) or by number (R-000012)."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, str) and value.strip().upper().startswith("R-"):
        value = value.strip()[2:]
    return int(value)


def _parse(number: int, raw: Any, today: date) -> Row:
    row = Row(number)
    if not isinstance(raw, dict):
        row.reject("_row", _("A row is an object with resource, item, day and quantity."))
        return row
    try:
        row.allocation_id = _resource_id(raw.get("resource"))
    except (TypeError, ValueError):
        row.reject("resource", _("Give the resource id or number."))
    row.item_code = str(raw.get("item") or "").strip()
    if not row.item_code:
        row.reject("item", _("Give the catalogue item code."))
    try:
        row.day = date.fromisoformat(str(raw.get("day") or "").strip())
    except ValueError:
        row.reject("day", _("Give the day as YYYY-MM-DD."))
    else:
        if row.day > today:  # P.4(6): settle by actual use — a day not yet over has none
            row.reject("day", _("The day is in the future."))
    _parse_quantity(row, raw.get("quantity"))
    row.source = str(raw.get("source") or "")[:64]
    return row


def _parse_quantity(row: Row, value: Any) -> None:
    try:
        if isinstance(value, bool | float):
            raise InvalidOperation  # floats lose digits: send numbers as strings or integers
        quantity = Decimal(str(value).strip())
        if not quantity.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        row.reject("quantity", _("The quantity is not a number."))
        return
    if quantity < 0:
        row.reject("quantity", _("The quantity cannot be negative."))
    elif quantity >= MAX_QUANTITY or quantity.as_tuple().exponent < -4:  # type: ignore[operator]
        row.reject("quantity", _("The quantity has at most 14 digits and 4 decimals."))
    row.quantity = quantity


# -- checking against resources and the catalogue -------------------------------------------------------
_chunks = bulk.chunks


def _tenants_of(session: Session, actor: Actor, ids: Iterable[int]) -> dict[int, str]:
    """Tenants of the resources the actor may touch; another district's are simply absent (P.4(5))."""
    found: dict[int, str] = {}
    for chunk in _chunks(sorted(set(ids))):
        stmt = scoped(actor, Allocation, Allocation.id.in_(chunk)).with_only_columns(
            Allocation.id, Allocation.tenant_id)
        found.update((ident, tenant) for ident, tenant in session.execute(stmt))
    return found


def _versions_by_day(session: Session, tenant: str, days: list[date]) -> dict[date, Any]:
    """The catalogue version in force on each of ``days`` (sorted, distinct), M.16. When the same
    version is in force on the first and the last day it is in force on every day between (a newer
    one would still be in force on the last), so a range costs two look-ups, not one per day."""
    first = catalog_service.version_in_force(session, tenant, days[0])
    last = catalog_service.version_in_force(session, tenant, days[-1]) if len(days) > 1 else first
    if len(days) <= 2 or getattr(first, "id", None) == getattr(last, "id", None):
        return {day: first for day in days[:-1]} | {days[-1]: last}
    middle = len(days) // 2
    return _versions_by_day(session, tenant, days[:middle]) | _versions_by_day(session, tenant, days[middle:])


def _check(session: Session, actor: Actor, rows: list[Row]) -> None:
    tenants = _tenants_of(session, actor, (r.allocation_id for r in rows if r.allocation_id is not None))
    days: dict[str, set[date]] = {}
    for row in rows:
        if row.allocation_id is None:
            continue
        tenant = row.tenant = tenants.get(row.allocation_id)
        if tenant is None:
            row.reject("resource", _("No such resource."))
        elif row.day is not None and "day" not in row.errors:
            days.setdefault(tenant, set()).add(row.day)
    codes: dict[int | None, set[str]] = {}
    in_force: dict[tuple[str, date], set[str]] = {}
    for tenant, tenant_days in days.items():
        for day, version in _versions_by_day(session, tenant, sorted(tenant_days)).items():
            key = getattr(version, "id", None)
            if key not in codes:
                codes[key] = {item.code for item in version.items} if version is not None else set()
            in_force[(tenant, day)] = codes[key]
    for row in rows:
        if row.tenant is None or row.day is None or "day" in row.errors or not row.item_code:
            continue
        if row.item_code not in in_force[(row.tenant, row.day)]:  # M.16: the version in force that day
            row.reject("item", _("No catalogue item %(code)s in force on that day.", code=row.item_code))


# -- storing -------------------------------------------------------------------------------------------
KEY = ["allocation_id", "item_code", "day"]
COPIED = ["tenant_id", "allocation_id", "item_code", "day", "quantity", "source"]


def _upsert(session: Session, values: list[dict[str, Any]], *, now: datetime) -> None:
    """INSERT … ON CONFLICT (resource, item, day) DO UPDATE: idempotent on both databases."""
    bulk.upsert(session, UsageRecord.__table__, values, key=KEY, columns=COPIED,
                replaced=["quantity", "source", "tenant_id"], now=now)


def ingest(session: Session, actor: Actor, raw_rows: Iterable[Any], *, today: date, now: datetime,
           source: str = "") -> IngestResult:
    """Check every row, store the good ones (replacing what was sent before for the same resource,
    item and day), and report the bad ones by row number (1 = the first data row)."""
    if not may_ingest(actor):
        raise Forbidden(_("Only a collector token or an administrator may send usage."))
    rows = [_parse(number, raw, today) for number, raw in enumerate(raw_rows, start=1)]
    _check(session, actor, rows)
    good: dict[tuple[int, str, date], dict[str, Any]] = {}
    for row in rows:
        if row.errors:
            continue
        # The same key twice in one upload: the later row wins, as a re-send would.
        good[(row.allocation_id, row.item_code, row.day)] = {  # type: ignore[index]
            "tenant_id": row.tenant, "allocation_id": row.allocation_id,
            "item_code": row.item_code, "day": row.day, "quantity": row.quantity,
            "source": row.source or source[:64]}
    _upsert(session, list(good.values()), now=now)
    session.flush()
    rejected = [{"row": r.number, "errors": r.errors} for r in rows if r.errors]
    return IngestResult(accepted=len(rows) - len(rejected), rejected=rejected)


# -- reading -------------------------------------------------------------------------------------------
@dataclass
class UsagePage:
    items: list[UsageRecord]
    total: int
    page: int
    per_page: int


def _visible(session: Session, actor: Actor):
    stmt = scoped(actor, UsageRecord)
    if INGEST_SCOPE in actor.scopes or actor.city_wide:
        return stmt
    # A unit sees the usage of its own projects' resources, like the resources themselves.
    projects = projects_service.visible(session, actor).with_only_columns(Project.id)
    resources = select(Allocation.id).where(Allocation.project_id.in_(projects.scalar_subquery()))
    return stmt.where(UsageRecord.allocation_id.in_(resources.scalar_subquery()))


def list_usage(session: Session, actor: Actor, *, resource: int | None = None, item: str | None = None,
               day_from: date | None = None, day_to: date | None = None, page: int = 1,
               per_page: int = 100) -> UsagePage:
    stmt = _visible(session, actor)
    if resource is not None:
        stmt = stmt.where(UsageRecord.allocation_id == resource)
    if item:
        stmt = stmt.where(UsageRecord.item_code == item)
    if day_from is not None:
        stmt = stmt.where(UsageRecord.day >= day_from)
    if day_to is not None:
        stmt = stmt.where(UsageRecord.day <= day_to)
    total = session.scalar(stmt.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)) or 0
    items = session.scalars(stmt.order_by(UsageRecord.day, UsageRecord.allocation_id, UsageRecord.item_code)
                            .offset((page - 1) * per_page).limit(per_page)).all()
    return UsagePage(list(items), total, page, per_page)
