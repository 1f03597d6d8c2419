"""Settlement arithmetic (M.27, P.4 settlement types, P.5): pure functions, no database.

Money is ``Decimal`` rounded to the fen with ROUND_HALF_UP. When a whole is divided into parts
(districts' shares of a tiered cost), the parts are computed exactly (as fractions), each is
floored to the fen, and the fen left over go to the parts with the largest remainders, so the
rounded parts always add up to the rounded whole (DESIGN §4).
"""
from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TypeVar

from app.catalog.pricing import Tier, tier_cost

K = TypeVar("K", bound=Hashable)
FEN = Decimal("0.01")
ONE = Decimal(1)
PRICE_PLACES = Decimal("0.000001")  # an average price is shown to six places; amounts never use it


def to_fen(value: Decimal | Fraction) -> Decimal:
    """Round to the fen, halves away from zero."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def _exact(value: Decimal | Fraction) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(value)


def amount(unit_price: Decimal, usage: Decimal, coefficient: Decimal = ONE) -> Decimal:
    """M.27, P.4(6): unit price × actual usage × efficiency-evaluation coefficient (1.0 by default)."""
    return to_fen(_exact(unit_price) * _exact(usage) * _exact(coefficient))


def largest_remainder(parts: Mapping[K, Decimal | Fraction]) -> dict[K, Decimal]:
    """Round exact parts to the fen so that they add up to the rounded sum of the parts.

    Each part is floored to the fen; the fen still missing go one each to the parts with the
    largest remainders (ties: the larger part, then the order given)."""
    exact = {key: _exact(value) * 100 for key, value in parts.items()}  # in fen
    whole = int(to_fen(sum(exact.values(), Fraction(0)) / 100) * 100)
    floors = {key: value.numerator // value.denominator for key, value in exact.items()}
    missing = whole - sum(floors.values())
    order = list(parts)
    ranked = sorted(order, key=lambda k: (-(exact[k] - floors[k]), -exact[k], order.index(k)))
    if missing < 0 or missing > len(ranked):  # pragma: no cover - impossible for exact parts
        raise ArithmeticError("largest remainder out of range")
    for key in ranked[:missing]:
        floors[key] += 1
    return {key: (Decimal(floors[key]) * FEN).quantize(FEN) for key in order}


# -- P.4 settlement type 3: unit price (单价计价) --------------------------------------------------------
def unit_price_amounts(unit_price: Decimal, usage: Mapping[K, Decimal],
                       coefficients: Mapping[K, Decimal] | None = None) -> dict[K, Decimal]:
    """P.4 type 3: each district pays the unit price on its own actual usage."""
    coefficients = coefficients or {}
    return {key: amount(unit_price, quantity, coefficients.get(key, ONE)) for key, quantity in usage.items()}


# -- P.4 settlement type 1: software licences (软件授权类) ----------------------------------------------
def licence_amount(unit_price: Decimal, licences: int | Decimal, coefficient: Decimal = ONE) -> Decimal:
    """P.4 type 1: the city-procured unit price × the number of licences the district uses."""
    return amount(unit_price, Decimal(licences), coefficient)


# -- P.4 settlement type 2: tiered (阶梯计价) -----------------------------------------------------------
@dataclass(frozen=True)
class TieredSettlement:
    total_quantity: Decimal  # Q: the city-wide annual total
    cost: Decimal  # C(Q), to the fen
    average_price: Decimal  # C(Q)/Q, to six places, for display only
    shares: dict  # district -> amount to the fen; they add up to the rounded whole


def tiered_settlement(tiers: Sequence[Tier], mode: str, usage: Mapping[K, Decimal],
                      coefficients: Mapping[K, Decimal] | None = None) -> TieredSettlement:
    """P.4 type 2 (DESIGN §4): apply the tiers to the city-wide annual total Q, take the average
    price C(Q)/Q, and let each district pay that average × its own usage (× its coefficient, M.27).

    Shares are computed exactly — C(Q) × q / Q — and rounded by largest remainder, so with
    coefficients of 1 they add up to C(Q) to the fen."""
    coefficients = coefficients or {}
    total = sum(usage.values(), Decimal(0))
    cost = tier_cost(tiers, mode, total)
    if total <= 0:
        return TieredSettlement(total, to_fen(cost), Decimal(0).quantize(PRICE_PLACES),
                                {key: Decimal("0.00") for key in usage})
    average = _exact(cost) / _exact(total)
    parts = {key: average * _exact(q) * _exact(coefficients.get(key, ONE)) for key, q in usage.items()}
    return TieredSettlement(total, to_fen(cost), to_fen_places(average, PRICE_PLACES), largest_remainder(parts))


def to_fen_places(value: Fraction, places: Decimal) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(places, rounding=ROUND_HALF_UP)


# -- provisional monthly bills and the annual true-up (清算) -----------------------------------------
@dataclass(frozen=True)
class TrueUp:
    provisional: Decimal  # what the monthly bills charged, each rounded to the fen
    final: Decimal  # the district's share at the year's average price
    difference: Decimal  # final − provisional: positive means the district pays more

    @property
    def refund(self) -> bool:
        return self.difference < 0


def provisional_bill(provisional_price: Decimal, usage: Decimal, coefficient: Decimal = ONE) -> Decimal:
    """DESIGN §4: the average price is only known after the year ends; a month is billed at a
    provisional price."""
    return amount(provisional_price, usage, coefficient)


def annual_true_up(tiers: Sequence[Tier], mode: str, monthly_usage: Mapping[K, Sequence[Decimal]],
                   provisional_price: Decimal) -> dict[K, TrueUp]:
    """DESIGN §4, P.4 type 2: at year end each district's share at the year's average price is
    compared with what its monthly bills charged at the provisional price."""
    yearly = {key: sum(months, Decimal(0)) for key, months in monthly_usage.items()}
    final = tiered_settlement(tiers, mode, yearly).shares
    result = {}
    for key, months in monthly_usage.items():
        charged = sum((provisional_bill(provisional_price, q) for q in months), Decimal("0.00"))
        result[key] = TrueUp(charged, final[key], final[key] - charged)
    return result


# -- P.5: disaster recovery --------------------------------------------------------------------------
@dataclass(frozen=True)
class DRCost:
    amount: Decimal
    district: str | None = None  # None: a shared part (civil works, machine room, network, platform)


@dataclass(frozen=True)
class DRSplit:
    city: Decimal
    districts: dict[str, Decimal]


def dr_split(costs: Sequence[DRCost]) -> DRSplit:
    """P.5: shared parts of the city's disaster-recovery platform are city-funded; a district's
    exclusive parts (compute, storage) are funded by that district."""
    city = Decimal("0.00")
    districts: dict[str, Decimal] = {}
    for cost in costs:
        if cost.district is None:
            city += to_fen(cost.amount)
        else:
            districts[cost.district] = districts.get(cost.district, Decimal("0.00")) + to_fen(cost.amount)
    return DRSplit(city, districts)

