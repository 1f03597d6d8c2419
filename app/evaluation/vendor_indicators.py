"""Vendor indicators (M.33: 建设、服务、运行、安全) computed from evidence Yunguan already holds.

A vendor answers for the resources it provides under its contracts: an allocation is the vendor's
when a contract of the allocation's district covers its catalogue item on the day in question
(P.4(4): the district operator signs with the winning vendor). Each indicator is 0–100; a vendor
with no evidence in the period is left out (the scheme decides what missing counts as).

- ``vendor.service`` — district feedback (P.4(7)): the mean of the 1–5 ratings given for periods
  inside the evaluated one, mapped linearly to 0–100 (1 → 0, 3 → 50, 5 → 100).
- ``vendor.delivery`` — delivery on time (M.19–M.21, M.26): of the resources opened, opened
  formally, expanded or reclaimed in the period, the share whose application was never escalated
  for a missed opening, expansion or reclaim deadline. Escalations of the unit's own verification
  deadline do not count against the vendor.
- ``vendor.operation`` — running continuity: of the days in the period on which the vendor's
  resources were in service, the share with a metered usage record (M.13: the platform reports
  each resource every day it runs). A day without a record is a day the service was not observed
  running. It is a proxy until availability/SLA feeds exist; security and incident indicators
  from the governance area are added to the registry beside these.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.calendar.rules import end_of as end_of_day
from app.calendar.rules import local_date
from app.evaluation.indicators import VENDOR, indicator
from app.evaluation.models import VendorFeedback
from app.evaluation.scoring import to_score
from app.metering.models import UsageRecord
from app.procurement import service as procurement_service
from app.resources.models import ACTIVE_STATES, RECLAIMED, REQUESTED, Allocation, AllocationEvent
from app.security import all_tenants

DELIVERY_EVENTS = ("opened", "formal_opened", "expanded", "reclaimed")
# The escalation the unit is answerable for (M.19: the unit verifies test resources within a month).
UNIT_SIDE_ESCALATION = "测试资源验证逾期"


@indicator("vendor.service", subject=VENDOR, label=_l("Service: district feedback ratings (P.4(7))"))
def service(session: Session, organisation_ids: list[int], start: date, end: date) -> dict[int, Decimal]:
    stmt = (select(VendorFeedback.vendor_id, func.sum(VendorFeedback.rating), func.count())
            .where(VendorFeedback.vendor_id.in_(organisation_ids), VendorFeedback.period_start >= start,
                   VendorFeedback.period_end <= end)
            .group_by(VendorFeedback.vendor_id))
    return {vendor: to_score((Decimal(total) / count - 1) * 25)
            for vendor, total, count in session.execute(all_tenants(stmt))}


def _coverage(session: Session, organisation_ids: list[int], start: date, end: date):
    """(tenant, item code) → [(vendor, first day, last day)] of the contracts in force in the period."""
    wanted = set(organisation_ids)
    cover: dict[tuple[str, str], list[tuple[int, date, date]]] = defaultdict(list)
    for price in procurement_service.prices_in_force(session, start=start, end=end):
        if price.vendor_id in wanted:
            cover[(price.tenant_id, price.item_code)].append((price.vendor_id, price.starts_on, price.ends_on))
    return cover


def _vendor_on(cover, tenant_id: str, item_code: str, day: date) -> int | None:
    for vendor, first, last in cover.get((tenant_id, item_code), ()):
        if first <= day <= last:
            return vendor
    return None


@indicator("vendor.delivery", subject=VENDOR, label=_l("Delivery: resources opened, expanded and reclaimed on time"))
def delivery(session: Session, organisation_ids: list[int], start: date, end: date) -> dict[int, Decimal]:
    cover = _coverage(session, organisation_ids, start, end)
    if not cover:
        return {}
    window = (AllocationEvent.at >= end_of_day(start - timedelta(days=1)), AllocationEvent.at <= end_of_day(end))
    rows = session.execute(all_tenants(
        select(AllocationEvent.at, AllocationEvent.application_id, Allocation.tenant_id, Allocation.item_code)
        .join(Allocation, Allocation.id == AllocationEvent.allocation_id)
        .where(AllocationEvent.kind.in_(DELIVERY_EVENTS), *window))).all()
    applications = {application_id for _at, application_id, _t, _c in rows if application_id is not None}
    late = set(session.scalars(all_tenants(
        select(AllocationEvent.application_id).where(
            AllocationEvent.kind == "escalated", AllocationEvent.application_id.in_(applications),
            ~AllocationEvent.note.startswith(UNIT_SIDE_ESCALATION))))) if applications else set()
    done: dict[int, list[bool]] = defaultdict(list)
    for at, application_id, tenant_id, item_code in rows:
        vendor = _vendor_on(cover, tenant_id, item_code, local_date(at))
        if vendor is not None:
            done[vendor].append(application_id not in late)
    return {vendor: to_score(Decimal(100) * sum(flags) / len(flags)) for vendor, flags in done.items()}


@indicator("vendor.operation", subject=VENDOR, label=_l("Operation: days in service with metered usage reported"))
def operation(session: Session, organisation_ids: list[int], start: date, end: date) -> dict[int, Decimal]:
    cover = _coverage(session, organisation_ids, start, end)
    if not cover:
        return {}
    allocations = session.execute(all_tenants(
        select(Allocation.id, Allocation.tenant_id, Allocation.item_code, Allocation.starts_on,
               Allocation.expires_on, Allocation.state, Allocation.updated_at)
        .where(Allocation.state.in_([*ACTIVE_STATES, RECLAIMED]), Allocation.state != REQUESTED,
               Allocation.starts_on.is_not(None), Allocation.starts_on <= end))).all()
    reported = defaultdict(set)
    usage = select(UsageRecord.allocation_id, UsageRecord.day).where(UsageRecord.day >= start, UsageRecord.day <= end)
    for allocation_id, day in session.execute(all_tenants(usage)):
        reported[allocation_id].add(day)
    expected: dict[int, int] = defaultdict(int)
    observed: dict[int, int] = defaultdict(int)
    for allocation_id, tenant_id, item_code, starts_on, expires_on, state, updated_at in allocations:
        last = min(end, expires_on or end, local_date(updated_at) if state == RECLAIMED else end)
        day = max(start, starts_on)
        while day <= last:
            vendor = _vendor_on(cover, tenant_id, item_code, day)
            if vendor is not None:
                expected[vendor] += 1
                observed[vendor] += day in reported[allocation_id]
            day += timedelta(days=1)
    return {vendor: to_score(Decimal(100) * observed[vendor] / days) for vendor, days in expected.items() if days}
