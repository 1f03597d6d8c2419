"""Settlement statements (M.27, P.4 settlement types) and the disaster-recovery funding mark (P.5).

A statement bills one payer — a district (its tenant) or a unit outside the budget (M.7) — for
one vendor's services over a period (a month, or a year for the tiered true-up). Its lines keep
the evidence of every figure: the item, where the price came from (the contract or catalogue
version), quantity, price, coefficient and amount. A confirmed (核定) statement never changes:
:mod:`app.billing.guard` refuses it in the ORM, corrections are new statements pointing back.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, Numeric, String, Text, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.errors import Conflict
from app.extensions import db, utcnow
from app.security import TenantScoped

BigId = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements only INTEGER keys
Amount = Numeric(18, 2)  # to the fen
Price = Numeric(18, 6)  # an average price is kept to six places (calc.PRICE_PLACES)
Quantity = Numeric(20, 4)

MONTHLY, TRUE_UP = "monthly", "true_up"
KINDS = (MONTHLY, TRUE_UP)
# The settlement process: bdc drafts → district finance reviews → eitc confirms (核定).
DRAFT, REVIEWING, RETURNED, REVIEWED, CONFIRMED = "draft", "reviewing", "returned", "reviewed", "confirmed"
STATUSES = (DRAFT, REVIEWING, RETURNED, REVIEWED, CONFIRMED)
OPEN_STATUSES = (DRAFT, REVIEWING, RETURNED, REVIEWED)

# Where a line's price came from.
CONTRACT, CATALOGUE, PROVISIONAL, AVERAGE, CHARGED, UNPRICED = (
    "contract", "catalogue", "provisional", "average", "charged", "unpriced")
PRICE_SOURCES = (CONTRACT, CATALOGUE, PROVISIONAL, AVERAGE, CHARGED, UNPRICED)

# P.5: the shared parts of the city's DR platform are city-funded, a district's exclusive parts its own.
SHARED, EXCLUSIVE = "shared", "exclusive"
DR_FUNDINGS = (SHARED, EXCLUSIVE)


class Statement(TenantScoped, db.Model):
    __tablename__ = "settlement_statement"
    __table_args__ = (Index("ix_settlement_statement_period", "tenant_id", "period_start", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(48), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default=MONTHLY)
    period_start: Mapped[date]
    period_end: Mapped[date]
    # M.7/M.27: a unit outside the budget pays its own bill; None means the district (the tenant) pays.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    # P.4(4): the vendor whose contract priced the lines; None: no contract, catalogue prices.
    vendor_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    # active_history: the guard must see the value a change replaces, even on an expired object.
    status: Mapped[str] = mapped_column(String(16), default=DRAFT, active_history=True)
    total: Mapped[Decimal] = mapped_column(Amount, default=Decimal("0.00"))
    district_funded: Mapped[Decimal] = mapped_column(Amount, default=Decimal("0.00"))
    city_funded: Mapped[Decimal] = mapped_column(Amount, default=Decimal("0.00"))  # P.5 shared DR parts
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("settlement_statement.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    return_reason: Mapped[str] = mapped_column(Text, default="")
    drafted_by: Mapped[str] = mapped_column(String(64))
    drafted_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_by: Mapped[str | None] = mapped_column(String(64))
    confirmed_at: Mapped[datetime | None]
    instance_id: Mapped[int | None] = mapped_column(BigId)

    lines: Mapped[list[StatementLine]] = relationship(
        back_populates="statement", lazy="selectin", order_by="StatementLine.id", cascade="all, delete-orphan")

    @property
    def period_label(self) -> str:
        if self.kind == TRUE_UP:
            return str(self.period_start.year)
        return self.period_start.strftime("%Y-%m")

    @property
    def confirmed(self) -> bool:
        return self.status == CONFIRMED


class StatementLine(TenantScoped, db.Model):
    __tablename__ = "settlement_line"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("settlement_statement.id", ondelete="CASCADE"), index=True)
    item_code: Mapped[str] = mapped_column(String(40))
    item_name: Mapped[str] = mapped_column(String(200), default="")
    pricing_unit: Mapped[str] = mapped_column(String(40), default="")
    pricing_type: Mapped[str] = mapped_column(String(16))
    price_source: Mapped[str] = mapped_column(String(16))
    source_ref: Mapped[str] = mapped_column(String(64), default="")  # contract number or catalogue version
    contract_id: Mapped[int | None]
    catalog_version_id: Mapped[int | None]
    first_day: Mapped[date]
    last_day: Mapped[date]
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit_price: Mapped[Decimal] = mapped_column(Price)
    coefficient: Mapped[Decimal] = mapped_column(Numeric(6, 4), default=Decimal(1))
    amount: Mapped[Decimal] = mapped_column(Amount)
    dr_funding: Mapped[str | None] = mapped_column(String(16))

    statement: Mapped[Statement] = relationship(back_populates="lines")


class DrFunding(TenantScoped, db.Model):
    """P.5: marks a resource in the city's disaster-recovery platform as shared (city-funded) or
    exclusive to its district (district-funded). Resources without a mark are the payer's."""

    __tablename__ = "settlement_dr_funding"

    allocation_id: Mapped[int] = mapped_column(
        ForeignKey("resource_allocation.id", ondelete="CASCADE"), primary_key=True)
    funding: Mapped[str] = mapped_column(String(16))
    marked_by: Mapped[str] = mapped_column(String(64))
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)


# -- the ORM guard: a confirmed statement never changes (M.27: eitc's 核定 is final) ----------------
class ImmutableStatement(Conflict):
    code = "statement_confirmed"


def _committed_status(statement: Statement) -> str | None:
    history = inspect(statement).attrs.status.history
    if history.deleted:
        return history.deleted[0]
    return statement.status if not inspect(statement).pending else None


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_confirmed(session: Session, _context, _instances) -> None:
    """Service checks answer 409 first; this catches any code path that forgets them."""
    for obj in [*session.dirty, *session.deleted]:
        if isinstance(obj, Statement) and _committed_status(obj) == CONFIRMED and (
                obj in session.deleted or session.is_modified(obj, include_collections=False)):
            raise ImmutableStatement(f"statement {obj.number} is confirmed and cannot change")
    for obj in [*session.new, *session.dirty, *session.deleted]:
        if isinstance(obj, StatementLine) and obj.statement is not None and \
                _committed_status(obj.statement) == CONFIRMED and (
                    obj in session.new or obj in session.deleted or session.is_modified(obj)):
            raise ImmutableStatement(f"statement {obj.statement.number} is confirmed: its lines cannot change")
