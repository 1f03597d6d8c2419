"""Evaluation arithmetic (M.33–M.34, M.27): pure functions over a scheme snapshot, no database.

A scheme snapshot is the plain dict :func:`app.evaluation.schemes.snapshot` makes::

    {"subject": "vendor", "missing_policy": "reweight", "missing_score": None,
     "weights": {"vendor.service": "40", ...}, "grades": [["优秀", "90"], ...],
     "bands": [["90", "100", "1.00"], ["80", "90", "0.98"], ...]}

Scores are ``Decimal`` on 0–100, rounded to two places, halves away from zero.
"""
from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from app.evaluation.models import MISSING_FIXED, MISSING_ZERO

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def to_score(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Outcome:
    score: Decimal
    grade: str
    coefficient: Decimal | None
    details: dict[str, dict[str, str | None]]


def weighted(scheme: Mapping[str, Any], scores: Mapping[str, Decimal | None]) -> Outcome | None:
    """One organisation's weighted score from its indicator scores (None or absent: no evidence).

    What a missing indicator counts as is the scheme's choice: ``zero``; ``fixed`` (the scheme's
    ``missing_score``); or ``reweight`` (left out, the other weights scaled back to 100). An
    organisation with no evidence for any indicator is not evaluated at all (None): a score of
    zero, or a fixed default, for an organisation nothing is known about would be made up.
    """
    weights = {key: Decimal(str(w)) for key, w in scheme["weights"].items()}
    if all(scores.get(key) is None for key in weights):
        return None
    policy = scheme["missing_policy"]
    counted: dict[str, Decimal | None] = {}
    for key in weights:
        value = scores.get(key)
        if value is None and policy == MISSING_ZERO:
            value = Decimal(0)
        elif value is None and policy == MISSING_FIXED:
            value = Decimal(str(scheme.get("missing_score") or 0))
        counted[key] = value  # None: left out (MISSING_REWEIGHT)
    total_weight = sum((weights[k] for k, v in counted.items() if v is not None), Decimal(0))
    raw = sum((weights[k] * v for k, v in counted.items() if v is not None), Decimal(0)) / total_weight
    score = to_score(raw)
    details = {key: {"score": None if scores.get(key) is None else str(to_score(scores[key])),
                     "weight": str(weights[key]),
                     "counted": None if counted[key] is None else str(to_score(counted[key]))}
               for key in weights}
    return Outcome(score, grade_of(scheme, score), coefficient_of(scheme, score), details)


def grade_of(scheme: Mapping[str, Any], score: Decimal) -> str:
    """The grade of the highest threshold the score reaches ("" when none)."""
    reached = [(Decimal(str(minimum)), grade) for grade, minimum in scheme.get("grades", [])
               if score >= Decimal(str(minimum))]
    return max(reached)[1] if reached else ""


def coefficient_of(scheme: Mapping[str, Any], score: Decimal) -> Decimal | None:
    """M.27, M.34: the coefficient of the band holding the score; the top band includes its upper end."""
    bands = sorted((Decimal(str(lo)), Decimal(str(hi)), Decimal(str(c))) for lo, hi, c in scheme.get("bands", []))
    for index, (low, high, coefficient) in enumerate(bands):
        last = index == len(bands) - 1
        if low <= score < high or (last and score == high):
            return coefficient
    return None


# -- periods -------------------------------------------------------------------------------------------
def quarter_of(day: date) -> tuple[date, date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    return date(day.year, first_month, 1), _month_end(day.year, first_month + 2)


def previous_quarter(day: date) -> tuple[date, date]:
    start, _ = quarter_of(day)
    return quarter_of(start - timedelta(days=1))


def parse_quarter(text: str) -> tuple[date, date]:
    """``2025Q3`` → (2025-07-01, 2025-09-30); ValueError otherwise."""
    text = (text or "").strip().upper()
    if len(text) != 6 or text[4] != "Q" or not text[:4].isdigit() or text[5] not in "1234":
        raise ValueError(text)
    return quarter_of(date(int(text[:4]), 3 * int(text[5]) - 2, 1))


def quarter_label(start: date, end: date) -> str:
    if (start, end) == quarter_of(start):
        return f"{start.year}Q{(start.month - 1) // 3 + 1}"
    return f"{start.isoformat()}–{end.isoformat()}"


def next_period(start: date, end: date) -> tuple[date, date]:
    """The settlement period after [start, end], of the same length: whole months when the period
    is whole months (a quarter is followed by the next quarter), else the same number of days."""
    following = end + timedelta(days=1)
    if start.day == 1 and following.day == 1:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        last_month = following.month + months - 1
        year = following.year + (last_month - 1) // 12
        return following, _month_end(year, (last_month - 1) % 12 + 1)
    return following, following + (end - start)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])
