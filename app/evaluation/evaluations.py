"""The periodic efficiency evaluation (M.33–M.34): open a period, compute scores through the
indicator registry, send back for recomputation, publish results and settlement coefficients.

The steps are driven by ``bpmn/efficiency_evaluation.bpmn``: the functions marked *process step*
are called by :mod:`app.evaluation.handlers` as the system; the rest take the acting person.
Visibility (M.34: results are published to those concerned): city roles see every evaluation and
result at every stage; once published, a unit or a vendor sees its own result, a district body
the results of its district's units. An unpublished evaluation is absent to everyone else.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.accounts.models import Organisation
from app.calendar.rules import local_date
from app.errors import Conflict, NotFound, ValidationFailed
from app.evaluation import feedback, indicators, schemes, scoring
from app.evaluation.models import (
    COMPUTED,
    PUBLISHED,
    RETURNED,
    EfficiencyCoefficient,
    Evaluation,
    EvaluationResult,
)
from app.security import Actor, all_tenants, require_role, scoped
from app.workflow import service as workflow_service

PROCESS_KEY = "efficiency_evaluation"
STARTERS = ("authority", "admin")
KINDS = {indicators.UNIT: ("city_unit", "district_unit"), indicators.VENDOR: ("vendor",)}
DISTRICT_BODIES = frozenset({"district.authority", "district.operator", "district.finance"})


# -- starting -------------------------------------------------------------------------------------------
def start(session: Session, actor: Actor, *, period_start: date, period_end: date, today: date) -> Evaluation:
    """Start the evaluation of a finished period by hand (the quarterly job starts it otherwise)."""
    require_role(actor, *STARTERS)
    if period_end < period_start:
        raise ValidationFailed(_("The period ends before it starts."), fields={"period_end": [_("Before the start.")]})
    if period_end >= today:
        # M.33: a period is evaluated on its whole evidence, so only once it is over.
        raise ValidationFailed(_("Only a finished period can be evaluated."),
                               fields={"period_end": [_("Must be before today.")]})
    if _for_period(session, period_start, period_end) is not None:
        raise Conflict(_("This period is already being evaluated."), code="already_evaluated")
    workflow_service.start_instance(
        session, actor, process_key=PROCESS_KEY, tenant_id="city",
        business_key=f"evaluation:{scoring.quarter_label(period_start, period_end)}",
        variables={"period_start": period_start.isoformat(), "period_end": period_end.isoformat(),
                   "started_by": actor.username})
    found = _for_period(session, period_start, period_end)
    if found is None:  # the diagram's first step failed: an incident for the admins
        raise Conflict(_("The evaluation could not be opened; an administrator has been notified."))
    return found


def _for_period(session: Session, start: date, end: date) -> Evaluation | None:
    return session.scalar(select(Evaluation).where(Evaluation.period_start == start, Evaluation.period_end == end))


def open_period(session: Session, *, period_start: str | None, period_end: str | None, now: datetime,
                instance_id: int | None, started_by: str) -> tuple[Evaluation, bool]:
    """*Process step.* The evaluation of the given period, or of the quarter before ``now`` when the
    schedule started it. Returns it and whether another instance already evaluates that period."""
    if period_start and period_end:
        start, end = date.fromisoformat(period_start), date.fromisoformat(period_end)
    else:
        start, end = scoring.previous_quarter(local_date(now))
    found = _for_period(session, start, end)
    if found is not None:
        return found, found.instance_id not in (None, instance_id)
    found = Evaluation(period_start=start, period_end=end, instance_id=instance_id, started_by=started_by,
                       schemes={})
    session.add(found)
    session.flush()
    return found, False


def _step_evaluation(session: Session, evaluation_id: int) -> Evaluation:
    found = session.get(Evaluation, evaluation_id)
    if found is None:
        raise NotFound(f"evaluation {evaluation_id} not found")
    if found.status == PUBLISHED:
        raise Conflict(f"evaluation {evaluation_id} is already published")
    return found


# -- computing ------------------------------------------------------------------------------------------
def compute(session: Session, evaluation_id: int, *, now: datetime) -> dict[str, Any]:
    """*Process step.* Score every unit and vendor with the schemes in force (M.33); replaces
    the results of an earlier round. Returns what the reviewers' forms show."""
    evaluation = _step_evaluation(session, evaluation_id)
    registry = indicators.load()
    session.execute(delete(EvaluationResult).where(EvaluationResult.evaluation_id == evaluation.id)
                    .execution_options(synchronize_session=False))
    snapshots: dict[str, Any] = {}
    summary: dict[str, Any] = {}
    for subject, scheme in schemes.all_schemes(session).items():
        if scheme is None:
            continue
        snapshot = snapshots[subject] = schemes.snapshot(scheme)
        results = _score_subject(session, evaluation, subject, snapshot, registry)
        scores = [r.score for r in results]
        summary[f"{subject}_count"] = len(results)
        summary[f"{subject}_mean"] = str(scoring.to_score(sum(scores) / len(scores))) if scores else "—"
    evaluation.schemes, evaluation.status, evaluation.computed_at = snapshots, COMPUTED, now
    evaluation.rounds += 1
    session.flush()
    return {"evaluation_id": evaluation.id, "round": evaluation.rounds,
            "period_label": scoring.quarter_label(evaluation.period_start, evaluation.period_end),
            "unit_count": 0, "vendor_count": 0, "unit_mean": "—", "vendor_mean": "—", **summary}


def _score_subject(session: Session, evaluation: Evaluation, subject: str, snapshot: dict[str, Any],
                   registry: dict[str, indicators.Indicator]) -> list[EvaluationResult]:
    organisations = list(session.scalars(select(Organisation).where(Organisation.kind.in_(KINDS[subject]))
                                         .order_by(Organisation.id)))
    ids = [o.id for o in organisations]
    by_indicator: dict[str, dict[int, Any]] = {}
    for key in snapshot["weights"]:
        known = registry.get(key)
        # An indicator whose module is gone counts as missing for everyone, as the scheme says.
        by_indicator[key] = known.score(session, ids, evaluation.period_start, evaluation.period_end) \
            if known is not None and ids else {}
    results = []
    for organisation in organisations:
        outcome = scoring.weighted(snapshot, {key: found.get(organisation.id) for key, found in by_indicator.items()})
        if outcome is None:
            continue  # nothing is known about it this period: not evaluated, its coefficient stays 1.0
        result = EvaluationResult(evaluation_id=evaluation.id, tenant_id=organisation.tenant_id,
                                  organisation_id=organisation.id, subject=subject, score=outcome.score,
                                  grade=outcome.grade, coefficient=outcome.coefficient, details=outcome.details)
        session.add(result)
        results.append(result)
    return results


def send_back(session: Session, evaluation_id: int, *, by: str, reason: str) -> None:
    """*Process step.* A reviewer sends the scores back to be computed again, saying why."""
    evaluation = _step_evaluation(session, evaluation_id)
    evaluation.status, evaluation.returned_by, evaluation.returned_reason = RETURNED, by, reason
    session.flush()


def publish(session: Session, evaluation_id: int, *, by: str, now: datetime) -> int:
    """*Process step.* M.34: publish the results; each vendor's coefficient applies to the settlement
    of the next period (M.27). Returns how many coefficients were published."""
    evaluation = _step_evaluation(session, evaluation_id)
    applies_from, applies_to = scoring.next_period(evaluation.period_start, evaluation.period_end)
    count = 0
    for result in _results_of(session, evaluation.id, subject=indicators.VENDOR):
        if result.coefficient is None:
            continue
        row = session.scalar(all_tenants(select(EfficiencyCoefficient).where(
            EfficiencyCoefficient.organisation_id == result.organisation_id,
            EfficiencyCoefficient.applies_from == applies_from)))
        if row is None:
            row = EfficiencyCoefficient(tenant_id=result.tenant_id, organisation_id=result.organisation_id,
                                        applies_from=applies_from, applies_to=applies_to,
                                        coefficient=result.coefficient, published_by=by)
            session.add(row)
        row.applies_to, row.coefficient, row.score = applies_to, result.coefficient, result.score
        row.evaluation_id, row.published_by, row.published_at = evaluation.id, by, now
        count += 1
    evaluation.status, evaluation.published_by, evaluation.published_at = PUBLISHED, by, now
    session.flush()
    return count


def _results_of(session: Session, evaluation_id: int, *, subject: str | None = None) -> list[EvaluationResult]:
    stmt = select(EvaluationResult).where(EvaluationResult.evaluation_id == evaluation_id)
    if subject:
        stmt = stmt.where(EvaluationResult.subject == subject)
    return list(session.scalars(all_tenants(stmt.order_by(EvaluationResult.subject, EvaluationResult.score.desc(),
                                                          EvaluationResult.organisation_id))))


# -- reading --------------------------------------------------------------------------------------------
def list_evaluations(session: Session, actor: Actor) -> list[Evaluation]:
    stmt = select(Evaluation).order_by(Evaluation.period_start.desc())
    if not actor.city_wide:
        stmt = stmt.where(Evaluation.status == PUBLISHED)
    return list(session.scalars(stmt))


def get_evaluation(session: Session, actor: Actor, evaluation_id: int) -> Evaluation:
    found = session.get(Evaluation, evaluation_id)
    if found is None or (not actor.city_wide and found.status != PUBLISHED):
        raise NotFound(f"Evaluation {evaluation_id} not found", code="not_found")
    return found


def _visible_results(session: Session, actor: Actor):
    """City roles: all; district bodies: their district's; a unit or vendor: its own (published)."""
    stmt = scoped(actor, EvaluationResult)
    if actor.city_wide:
        return stmt
    stmt = stmt.join(Evaluation, Evaluation.id == EvaluationResult.evaluation_id).where(Evaluation.status == PUBLISHED)
    if actor.has_any({"vendor"}):
        # Vendors are city organisations; their results are theirs whatever the tenant.
        own = feedback.organisation_of(session, actor).id
        return all_tenants(select(EvaluationResult).join(Evaluation, Evaluation.id == EvaluationResult.evaluation_id)
                           .where(Evaluation.status == PUBLISHED, EvaluationResult.organisation_id == own))
    if not actor.has_any(DISTRICT_BODIES):
        stmt = stmt.where(EvaluationResult.organisation_id == feedback.organisation_of(session, actor).id)
    return stmt


def results(session: Session, actor: Actor, *, evaluation_id: int | None = None,
            subject: str | None = None) -> list[EvaluationResult]:
    stmt = _visible_results(session, actor)
    if evaluation_id is not None:
        get_evaluation(session, actor, evaluation_id)
        stmt = stmt.where(EvaluationResult.evaluation_id == evaluation_id)
    if subject:
        stmt = stmt.where(EvaluationResult.subject == subject)
    return list(session.scalars(stmt.order_by(EvaluationResult.evaluation_id.desc(), EvaluationResult.subject,
                                              EvaluationResult.score.desc(), EvaluationResult.organisation_id)))


def get_result(session: Session, actor: Actor, result_id: int) -> EvaluationResult:
    found = session.scalar(_visible_results(session, actor).where(EvaluationResult.id == result_id))
    if found is None:
        raise NotFound(f"EvaluationResult {result_id} not found", code="not_found")
    return found
