"""Settlement figures from stored usage (M.27, P.4 settlement types, P.5, M.7).

The database does the heavy part in one GROUP BY: usage summed per tenant, payer (a unit outside
the budget, else the district), DR funding mark, item and day — a few thousand groups for a
year of a whole city, however many resources there are. Prices, vendors and coefficients are
then applied per group (:mod:`app.billing.prices`), and the arithmetic is :mod:`app.billing.calc`.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import Organisation
from app.accounts.roles import CITY
from app.billing import calc
from app.billing.models import AVERAGE, CHARGED, PROVISIONAL, SHARED, UNPRICED, DrFunding
from app.billing.prices import Price, PriceBook
from app.metering.models import UsageRecord
from app.projects.models import Project
from app.resources.models import Allocation
from app.security import all_tenants

OUTSIDE = "outside"  # M.7: bodies that are not budget units (Organisation.kind)
TIERED, LICENCE = "tiered", "licence"


@dataclass(frozen=True)
class StatementKey:
    tenant_id: str
    organisation_id: int | None  # an outside unit paying itself (M.7), else None: the district
    vendor_id: int | None
    period_start: date


@dataclass
class Line:
    item_code: str
    price: Price
    source: str
    coefficient: Decimal
    dr_funding: str | None
    quantity: Decimal = Decimal(0)
    first_day: date | None = None
    last_day: date | None = None
    unit_price: Decimal | None = None  # None: the price book's
    amount: Decimal = Decimal("0.00")
    weighted: Fraction = field(default_factory=Fraction)  # Σ quantity × coefficient (true-up)

    def add(self, quantity: Decimal, day: date) -> None:
        self.quantity += quantity
        if self.source == PROVISIONAL:  # only the true-up needs Σ quantity × coefficient
            self.weighted += Fraction(quantity) * Fraction(self.coefficient)
        self.first_day = day if self.first_day is None else min(self.first_day, day)
        self.last_day = day if self.last_day is None else max(self.last_day, day)

    @property
    def price_value(self) -> Decimal:
        return self.price.unit_price if self.unit_price is None else self.unit_price


Statements = dict[StatementKey, list[Line]]


# -- the one aggregate ----------------------------------------------------------------------------
def usage_groups(session: Session, *, start: date, end: date, tenant_ids: list[str] | None = None,
                 codes: Iterable[str] | None = None) -> list[tuple]:
    """(tenant, payer organisation or None, DR funding or None, item, day, quantity) for [start, end].

    Two GROUP BYs: every row summed per tenant, item and day straight from the table (no join on
    the big scan), and the few special resources — held by an outside unit (M.7) or marked for DR
    (P.5) — summed through the (resource, item, day) index; their share is then moved out of the
    district's groups into their own."""
    usage = UsageRecord.__table__
    criteria = [usage.c.day >= start, usage.c.day <= end]
    if tenant_ids is not None:
        criteria.append(usage.c.tenant_id.in_(tenant_ids))
    if codes is not None:
        criteria.append(usage.c.item_code.in_(sorted(codes)))
    plain = (select(usage.c.tenant_id, usage.c.item_code, usage.c.day, func.sum(usage.c.quantity))
             .where(*criteria).group_by(usage.c.tenant_id, usage.c.item_code, usage.c.day))
    # A system read for settlement: the caller has checked who may draft for which tenants.
    totals = {(tenant, code, day): quantity for tenant, code, day, quantity in session.execute(all_tenants(plain))}
    rows, moved = [], set()
    for (payer, funding), ids in _special_resources(session).items():
        # By the (resource, item, day) index: a few hundred resources, not a scan of the table.
        stmt = (select(usage.c.tenant_id, usage.c.item_code, usage.c.day, func.sum(usage.c.quantity))
                .where(*criteria, usage.c.allocation_id.in_(ids))
                .group_by(usage.c.tenant_id, usage.c.item_code, usage.c.day))
        for tenant, code, day, quantity in session.execute(all_tenants(stmt)):
            totals[(tenant, code, day)] -= quantity
            moved.add((tenant, code, day))
            rows.append((tenant, payer, funding, code, day, quantity))
    # A group emptied by the move is dropped; a day really reported as 0 stays (it shows on the line).
    rows += [(tenant, None, None, code, day, quantity) for (tenant, code, day), quantity in totals.items()
             if quantity or (tenant, code, day) not in moved]
    return rows


def _special_resources(session: Session) -> dict[tuple[int | None, str | None], list[int]]:
    """Resources billed apart, by (payer, DR funding): an outside unit's (M.7), DR-marked ones (P.5)."""
    stmt = (select(Allocation.id, case((Organisation.kind == OUTSIDE, Organisation.id)), DrFunding.funding)
            .join(Project, Project.id == Allocation.project_id)
            .join(Organisation, Organisation.id == Project.organisation_id)
            .outerjoin(DrFunding, DrFunding.allocation_id == Allocation.id)
            .where(or_(Organisation.kind == OUTSIDE, DrFunding.allocation_id.is_not(None))))
    found: dict[tuple[int | None, str | None], list[int]] = defaultdict(list)
    for ident, payer, funding in session.execute(all_tenants(stmt)):
        found[(payer, funding)].append(ident)
    return dict(found)


def tenants_with_usage(session: Session, *, start: date, end: date) -> list[str]:
    usage = UsageRecord.__table__
    stmt = select(usage.c.tenant_id).where(usage.c.day >= start, usage.c.day <= end).distinct()
    return sorted(session.scalars(all_tenants(stmt)))


# -- monthly statements -------------------------------------------------------------------------------
def monthly(rows: Iterable[tuple], book: PriceBook) -> Statements:
    """Lines per payer, vendor and month: M.27 amount = price in force on the day × usage × coefficient."""
    lines: dict[StatementKey, dict[tuple, Line]] = defaultdict(dict)
    licences: dict[tuple, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for tenant, payer, funding, code, day, quantity in rows:
        quantity = Decimal(quantity)
        price = book.price(tenant, code, day)
        if price.pricing_type == LICENCE:
            licences[(tenant, payer, funding, code, day.replace(day=1))][day] += quantity
            continue
        _line(lines, book, tenant, payer, funding, code, day, price).add(quantity, day)
    for (tenant, payer, funding, code, _month), days in licences.items():
        # P.4 type 1: a month is billed for the most licences held on any day of it, at the price
        # in force on the last day of use in the month.
        last = max(days)
        price = book.price(tenant, code, last)
        line = _line(lines, book, tenant, payer, funding, code, last, price)
        peak = max(days.values())
        line.add(peak, min(days))
        line.last_day = max(line.last_day or last, last)
    for by_key in lines.values():
        for line in by_key.values():
            line.amount = line_amount(line)
    return {key: list(by_key.values()) for key, by_key in lines.items()}


def _line(lines: dict, book: PriceBook, tenant: str, payer: int | None, funding: str | None, code: str,
          day: date, price: Price) -> Line:
    coefficient = book.coefficient(price.vendor_id, day)
    # DESIGN §4: a tiered item's average is known only after the year: months use a provisional price.
    source = PROVISIONAL if price.pricing_type == TIERED and price.source != UNPRICED else price.source
    key = StatementKey(tenant, payer, price.vendor_id, day.replace(day=1))
    line_key = (code, price.pricing_type, source, price.ref, price.unit_price, coefficient, funding)
    by_key = lines[key]
    if line_key not in by_key:
        by_key[line_key] = Line(code, price, source, coefficient, funding)
    return by_key[line_key]


def line_amount(line: Line) -> Decimal:
    price, quantity, coefficient = line.price_value, line.quantity, line.coefficient
    if line.price.pricing_type == LICENCE:
        return calc.licence_amount(price, quantity, coefficient)  # P.4 type 1
    if line.source == PROVISIONAL:
        return calc.provisional_bill(price, quantity, coefficient)  # P.4 type 2, monthly
    return calc.amount(price, quantity, coefficient)  # P.4 type 3, M.27


def funding_split(tenant_id: str, lines: list[Line]) -> calc.DRSplit:
    """P.5: shared DR parts are city-funded; everything else is the payer's (its district's)."""
    return calc.dr_split([calc.DRCost(line.amount, None if line.dr_funding == SHARED else tenant_id)
                          for line in lines])


# -- the annual true-up of tiered items (清算) --------------------------------------------------------
def true_up(rows: Iterable[tuple], book: PriceBook, *, year: int) -> Statements:
    """P.4 type 2, DESIGN §4: the city-wide annual total Q of each tiered item sets C(Q) and the
    average C(Q)/Q; each payer's share (× its coefficients) against what its months charged.

    ``rows`` are the year's usage groups of every tenant: the total is city-wide."""
    months = monthly(rows, book)
    end = date(year, 12, 31)
    # A party is a payer and vendor — and a DR funding mark, so that P.5 still splits the true-up.
    per_party: dict[str, dict[tuple, list[Line]]] = defaultdict(lambda: defaultdict(list))
    for key, lines in months.items():
        for line in lines:
            if line.source == PROVISIONAL:
                year_key = StatementKey(key.tenant_id, key.organisation_id, key.vendor_id, date(year, 1, 1))
                per_party[line.item_code][(year_key, line.dr_funding)].append(line)
    result: Statements = defaultdict(list)
    for code, parties in sorted(per_party.items()):
        item = book.catalogue_item(CITY, code, end) or next(
            line.price.item for lines in parties.values() for line in lines if line.price.item is not None)
        usage = {key: sum((line.quantity for line in lines), Decimal(0)) for key, lines in parties.items()}
        weights = {key: sum((line.weighted for line in lines), Fraction(0)) / Fraction(usage[key])
                   if usage[key] else Fraction(1) for key, lines in parties.items()}
        settled = calc.tiered_settlement(item.tiers, item.tier_mode, usage, weights)
        for (year_key, funding), lines in parties.items():
            result[year_key] += _true_up_lines(code, lines, usage[(year_key, funding)], settled,
                                               (year_key, funding))
    return dict(result)


def _true_up_lines(code: str, lines: list[Line], quantity: Decimal, settled: calc.TieredSettlement,
                   key: tuple) -> list[Line]:
    """The share at the year's average price, and what the months charged at the provisional price."""
    first, last = min(line.first_day for line in lines), max(line.last_day for line in lines)
    template = lines[0].price
    weighted = sum((line.weighted for line in lines), Fraction(0))
    # The usage-weighted coefficient of the year, shown on the line (the share used it exactly).
    coefficient = calc.to_fen_places(weighted / Fraction(quantity), Decimal("0.0001")) if quantity else Decimal(1)
    funding = key[1]
    final = Line(code, template, AVERAGE, coefficient, funding, quantity, first, last,
                 unit_price=settled.average_price, amount=settled.shares[key])
    charged = sum((line.amount for line in lines), Decimal("0.00"))
    provisional = Line(code, template, CHARGED, Decimal(1), funding, quantity, first, last,
                       unit_price=Decimal(0), amount=-charged)
    return [final, provisional]
