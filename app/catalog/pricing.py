"""What a quantity of a catalogue item costs: unit price, software licence, or tiers (DESIGN §4).

Tiers (阶梯计价) are *graduated* (each slice of the quantity at its own tier's price) or *volume*
(every unit at the price of the tier the total reaches). Amounts are exact decimals; rounding to
the fen belongs to billing, which also knows how to share a rounded total.
"""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol

from app.catalog.models import GRADUATED, TIERED, VOLUME


class Tier(Protocol):
    lower_bound: Decimal
    unit_price: Decimal


def tier_cost(tiers: Sequence[Tier], mode: str, quantity: Decimal) -> Decimal:
    """Cost of ``quantity`` under a tier table sorted by ``lower_bound`` (the first at 0)."""
    if quantity <= 0 or not tiers:
        return Decimal(0)
    if mode == VOLUME:
        reached = [t for t in tiers if t.lower_bound < quantity][-1]
        return reached.unit_price * quantity
    if mode != GRADUATED:
        raise ValueError(f"unknown tier mode {mode!r}")
    total = Decimal(0)
    uppers = [t.lower_bound for t in tiers[1:]] + [None]
    for tier, upper in zip(tiers, uppers, strict=True):
        if quantity <= tier.lower_bound:
            break
        top = quantity if upper is None else min(quantity, upper)
        total += (top - tier.lower_bound) * tier.unit_price
    return total


def cost(item, quantity: Decimal) -> Decimal:
    """Cost of ``quantity`` of ``item`` (a CatalogItem): tiers for tiered items, else the unit price
    (a software licence is priced per licence, DESIGN §2.8)."""
    if item.pricing_type == TIERED:
        return tier_cost(item.tiers, item.tier_mode, quantity)
    return item.unit_price * quantity


def average_price(item, quantity: Decimal) -> Decimal:
    """C(Q)/Q: the one price every district pays under 统采分签 for a city-wide total Q (DESIGN §4)."""
    if quantity <= 0:
        return item.unit_price
    return cost(item, quantity) / quantity
