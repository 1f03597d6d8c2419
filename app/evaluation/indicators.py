"""Evaluation indicators (M.33): each area that holds the evidence scores it, here in one registry.

An indicator scores organisations over a period on 0–100. It is declared where its data lives::

    @indicator("unit.utilisation", subject=UNIT, label=_l("Resource utilisation"))
    def utilisation(session, organisation_ids, start, end) -> dict[int, Decimal]: ...

and its module is listed once in :data:`INDICATOR_MODULES`. An evaluation scheme weights
indicators by key; an organisation an indicator has no evidence for is left out of the returned
mapping (the scheme decides what a missing score counts as), never given a made-up number.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

# M.33: using units are scored on resource-use efficiency; vendors on construction (delivery),
# service, operation and security.
UNIT, VENDOR = "unit", "vendor"
SUBJECTS = (UNIT, VENDOR)

INDICATOR_MODULES: tuple[str, ...] = (
    "app.evaluation.vendor_indicators",
    "app.governance.indicators",
    "app.monitoring.indicators",
)

Score = Callable[[Session, list[int], date, date], dict[int, Decimal]]


@dataclass(frozen=True)
class Indicator:
    key: str
    subject: str
    label: object
    score: Score


_REGISTRY: dict[str, Indicator] = {}


def indicator(key: str, *, subject: str, label: object) -> Callable[[Score], Score]:
    if subject not in SUBJECTS:
        raise ValueError(f"indicator {key}: subject must be one of {SUBJECTS}")

    def register(fn: Score) -> Score:
        if key in _REGISTRY and _REGISTRY[key].score is not fn:
            raise ValueError(f"indicator {key} is declared twice")
        _REGISTRY[key] = Indicator(key, subject, label, fn)
        return fn
    return register


def load(modules: tuple[str, ...] | None = None) -> dict[str, Indicator]:
    """Import the declaring modules and return every indicator by key."""
    for name in INDICATOR_MODULES if modules is None else modules:
        importlib.import_module(name)
    return dict(_REGISTRY)
