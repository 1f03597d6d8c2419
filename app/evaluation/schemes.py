"""Evaluation schemes (M.33): per subject, weighted indicators, grades, what a missing indicator
counts as, and the coefficient table that turns a score into the settlement coefficient (M.27).

A unit scheme may carry a coefficient table too: its coefficient is shown with each unit's result as
a basis for resource adjustment (M.34), but only vendors' coefficients are published to settlement.

Schemes are city-wide configuration: everyone may read them (an evaluated organisation should
know how it is scored); the authority (or an admin) replaces one whole, validated as a unit.
"""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.errors import NotFound, ValidationFailed
from app.evaluation import indicators
from app.evaluation.models import (
    MISSING_FIXED,
    MISSING_POLICIES,
    CoefficientBand,
    EvaluationScheme,
    SchemeGrade,
    SchemeWeight,
)
from app.security import Actor, require_role

EDITORS = ("authority", "admin")
MAX_COEFFICIENT = Decimal("1.2")  # a coefficient rewards at most 20 % above the contract price
HUNDRED = Decimal(100)


def get(session: Session, subject: str) -> EvaluationScheme | None:
    if subject not in indicators.SUBJECTS:
        raise NotFound(f"no evaluation subject {subject}")
    return session.scalar(select(EvaluationScheme).where(EvaluationScheme.subject == subject))


def get_configured(session: Session, subject: str) -> EvaluationScheme:
    found = get(session, subject)
    if found is None:
        raise NotFound(f"no {subject} scheme is configured")
    return found


def all_schemes(session: Session) -> dict[str, EvaluationScheme | None]:
    return {subject: get(session, subject) for subject in indicators.SUBJECTS}


def available_indicators(subject: str) -> list[indicators.Indicator]:
    return sorted((i for i in indicators.load().values() if i.subject == subject), key=lambda i: i.key)


def replace(session: Session, actor: Actor, subject: str, data: Mapping[str, Any]) -> EvaluationScheme:
    """Replace the scheme of ``subject``; 422 with every field's reasons when it does not hold."""
    require_role(actor, *EDITORS)
    scheme = get(session, subject)
    errors = validate(subject, data)
    if errors:
        raise ValidationFailed(_("The evaluation scheme is not valid."), fields=errors)
    if scheme is None:
        scheme = EvaluationScheme(subject=subject, updated_by=actor.username)
        session.add(scheme)
    scheme.missing_policy = data["missing_policy"]
    scheme.missing_score = data.get("missing_score") if data["missing_policy"] == MISSING_FIXED else None
    scheme.updated_by = actor.username
    scheme.updated_at = clock.now()
    for rows in (scheme.weights, scheme.grades, scheme.bands):
        rows.clear()
    session.flush()  # the old rows go before the new ones arrive (one weight per indicator)
    scheme.weights = [SchemeWeight(indicator=w["indicator"], weight=w["weight"]) for w in data["weights"]]
    scheme.grades = [SchemeGrade(grade=g["grade"], min_score=g["min_score"]) for g in data.get("grades", [])]
    scheme.bands = [CoefficientBand(min_score=b["min_score"], max_score=b["max_score"], coefficient=b["coefficient"])
                    for b in data.get("bands", [])]
    session.flush()
    return scheme


def validate(subject: str, data: Mapping[str, Any]) -> dict[str, list[str]]:
    """Every rule a scheme must satisfy, as field → reasons (empty when valid)."""
    errors: dict[str, list[str]] = {}
    policy = data.get("missing_policy")
    if policy not in MISSING_POLICIES:
        errors["missing_policy"] = [_("Choose one of: %(values)s.", values=", ".join(MISSING_POLICIES))]
    if policy == MISSING_FIXED and not _in_range(data.get("missing_score")):
        errors["missing_score"] = [_("A fixed score for a missing indicator must be between 0 and 100.")]
    errors.update(_weight_errors(subject, data.get("weights") or []))
    errors.update(_grade_errors(data.get("grades") or []))
    errors.update(_band_errors(subject, data.get("bands") or []))
    return errors


def _in_range(value: Any) -> bool:
    return value is not None and Decimal(0) <= Decimal(value) <= HUNDRED


def _weight_errors(subject: str, weights: list[Mapping[str, Any]]) -> dict[str, list[str]]:
    known = {i.key for i in available_indicators(subject)}
    errors: dict[str, list[str]] = {}
    if not weights:
        return {"weights": [_("Weight at least one indicator.")]}
    seen: set[str] = set()
    for index, row in enumerate(weights):
        key = row.get("indicator")
        if key not in known:
            errors[f"weights.{index}.indicator"] = [_("Unknown indicator for this subject: %(key)s.", key=key)]
        elif key in seen:
            errors[f"weights.{index}.indicator"] = [_("This indicator is weighted twice.")]
        seen.add(key)
        if not (Decimal(0) < Decimal(row.get("weight") or 0) <= HUNDRED):
            errors[f"weights.{index}.weight"] = [_("A weight must be more than 0 and at most 100.")]
    total = sum((Decimal(row.get("weight") or 0) for row in weights), Decimal(0))
    if total != HUNDRED:
        errors["weights"] = [_("The weights must add up to 100 (they add up to %(total)s).", total=total)]
    return errors


def _grade_errors(grades: list[Mapping[str, Any]]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    names, minimums = set(), set()
    for index, row in enumerate(grades):
        if not str(row.get("grade") or "").strip():
            errors[f"grades.{index}.grade"] = [_("Name the grade.")]
        elif row["grade"] in names:
            errors[f"grades.{index}.grade"] = [_("This grade is named twice.")]
        if not _in_range(row.get("min_score")):
            errors[f"grades.{index}.min_score"] = [_("A threshold must be between 0 and 100.")]
        elif Decimal(row["min_score"]) in minimums:
            errors[f"grades.{index}.min_score"] = [_("Two grades have the same threshold.")]
        names.add(row.get("grade"))
        minimums.add(Decimal(row.get("min_score") or 0))
    return errors


def _band_errors(subject: str, bands: list[Mapping[str, Any]]) -> dict[str, list[str]]:
    """M.27: the table must give exactly one coefficient to every score from 0 to 100."""
    if not bands:
        # Vendors' scores set the settlement coefficient, so their scheme needs the table.
        return {"bands": [_("A vendor scheme needs a coefficient table.")]} if subject == indicators.VENDOR else {}
    errors: dict[str, list[str]] = {}
    for index, row in enumerate(bands):
        low, high, coefficient = (Decimal(row.get(k) or 0) for k in ("min_score", "max_score", "coefficient"))
        if not (_in_range(low) and _in_range(high) and low < high):
            errors[f"bands.{index}"] = [_("A range needs 0 ≤ from < to ≤ 100.")]
        if not (Decimal(0) < coefficient <= MAX_COEFFICIENT):
            errors[f"bands.{index}.coefficient"] = [_("A coefficient must be more than 0 and at most 1.2.")]
    ordered = sorted((Decimal(b.get("min_score") or 0), Decimal(b.get("max_score") or 0)) for b in bands)
    edges_meet = all(ordered[i][1] == ordered[i + 1][0] for i in range(len(ordered) - 1))
    if ordered[0][0] != 0 or ordered[-1][1] != HUNDRED or not edges_meet:
        errors["bands"] = [_("The ranges must be contiguous and cover 0 to 100 without gaps or overlaps.")]
    return errors


def snapshot(scheme: EvaluationScheme) -> dict[str, Any]:
    """The scheme as plain data, kept with an evaluation (see :mod:`app.evaluation.scoring`)."""
    return {
        "subject": scheme.subject,
        "missing_policy": scheme.missing_policy,
        "missing_score": None if scheme.missing_score is None else str(scheme.missing_score),
        "weights": {w.indicator: str(w.weight) for w in scheme.weights},
        "grades": [[g.grade, str(g.min_score)] for g in scheme.grades],
        "bands": [[str(b.min_score), str(b.max_score), str(b.coefficient)] for b in scheme.bands],
    }
