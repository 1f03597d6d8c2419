"""Evaluation pages: evaluations and results (M.33–M.34), the schemes (authority), vendor feedback
(P.4(7)). Views parse, call one service, render or redirect; a refused form is shown again (422)
with each reason next to its field."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from app import clock
from app.auth import current_actor
from app.calendar.rules import local_date
from app.errors import Conflict, ValidationFailed
from app.evaluation import evaluations, feedback, schemes
from app.evaluation.indicators import SUBJECTS, UNIT, VENDOR
from app.evaluation.models import MISSING_POLICIES
from app.evaluation.scoring import parse_quarter, previous_quarter, quarter_label
from app.extensions import db

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation")
SUBJECT_LABELS = {UNIT: _l("User units"), VENDOR: _l("Vendors")}
STATUS_LABELS = {"computed": _l("Under review"), "returned": _l("Sent back"), "published": _l("Published")}
POLICY_LABELS = {"zero": _l("counts as 0"), "fixed": _l("counts as a fixed score"),
                 "reweight": _l("is left out and the other weights scaled to 100")}
ROWS = 5


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"evaluation_subjects": SUBJECT_LABELS, "evaluation_status": STATUS_LABELS,
            "evaluation_period": quarter_label}


@bp.get("/")
@login_required
def index():
    actor = current_actor()
    return render_template("evaluation/index.html", evaluations=evaluations.list_evaluations(db.session, actor),
                           results=evaluations.results(db.session, actor)[:50], errors={}, values={},
                           may_start=actor.has_any(evaluations.STARTERS))


@bp.post("/")
@login_required
def start():
    actor = current_actor()
    try:
        period = _quarter(request.form.get("period"), "period")
        found = evaluations.start(db.session, actor, period_start=period[0], period_end=period[1],
                                  today=local_date(clock.now()))
    except (ValidationFailed, Conflict) as exc:
        db.session.rollback()
        fields = getattr(exc, "fields", {}) or {"period": [exc.message]}
        return render_template("evaluation/index.html", evaluations=evaluations.list_evaluations(db.session, actor),
                               results=[], errors=fields, values=request.form, message=exc.message,
                               may_start=True), exc.status
    db.session.commit()
    flash(_("The evaluation is computed: the authority and eitc review it in their inbox."))
    return redirect(url_for("evaluation.detail", evaluation_id=found.id), code=303)


@bp.get("/<int:evaluation_id>")
@login_required
def detail(evaluation_id: int):
    actor = current_actor()
    found = evaluations.get_evaluation(db.session, actor, evaluation_id)
    return render_template("evaluation/detail.html", evaluation=found,
                           results=evaluations.results(db.session, actor, evaluation_id=evaluation_id))


@bp.get("/schemes")
@login_required
def scheme_list():
    return _schemes_page({}, {}, None)


@bp.post("/schemes/<subject>")
@login_required
def scheme_save(subject: str):
    actor = current_actor()
    try:
        schemes.replace(db.session, actor, subject, _scheme_form(subject, request.form))
    except ValidationFailed as exc:
        db.session.rollback()
        return _schemes_page({subject: exc.fields}, {subject: request.form}, exc.message), 422
    db.session.commit()
    flash(_("The scheme is saved; the next evaluation uses it."))
    return redirect(url_for("evaluation.scheme_list"), code=303)


def _schemes_page(errors: dict, values: dict, message: str | None):
    actor = current_actor()
    return render_template("evaluation/schemes.html", schemes=schemes.all_schemes(db.session),
                           indicators={s: schemes.available_indicators(s) for s in SUBJECTS},
                           policies=MISSING_POLICIES, policy_labels=POLICY_LABELS, rows=ROWS,
                           editable=actor.has_any(schemes.EDITORS), errors=errors, values=values, message=message)


@bp.get("/feedback")
@login_required
def feedback_page():
    return _feedback_page({}, {}, None)


@bp.post("/feedback")
@login_required
def feedback_save():
    actor = current_actor()
    form = request.form
    try:
        period = _quarter(form.get("period"), "period")
        _row, created = feedback.rate(db.session, actor, vendor_id=_int(form.get("vendor_id"), "vendor_id"),
                                      period_start=period[0], period_end=period[1],
                                      rating=_int(form.get("rating"), "rating"), comment=form.get("comment", ""))
    except ValidationFailed as exc:
        db.session.rollback()
        return _feedback_page(exc.fields, form, exc.message), 422
    db.session.commit()
    flash(_("Your rating is recorded.") if created else _("Your earlier rating of this period is replaced."))
    return redirect(url_for("evaluation.feedback_page"), code=303)


def _feedback_page(errors: dict, values: Any, message: str | None):
    actor = current_actor()
    rows = feedback.list_feedback(db.session, actor)
    default_period = quarter_label(*previous_quarter(local_date(clock.now())))
    return render_template("evaluation/feedback.html", feedback=rows, summary=feedback.summary(rows),
                           vendors=feedback.vendors(db.session), may_rate=actor.has_any(feedback.RATERS),
                           errors=errors, values=values or {"period": default_period}, message=message)


# -- parsing ------------------------------------------------------------------------------------------
def _quarter(text: str | None, name: str):
    try:
        return parse_quarter(text or "")
    except ValueError:
        raise ValidationFailed(_("Write a quarter as 2025Q3."), fields={name: [_("Write a quarter as 2025Q3.")]})


def _int(text: str | None, name: str) -> int:
    try:
        return int((text or "").strip())
    except ValueError:
        raise ValidationFailed(_("Enter a whole number."), fields={name: [_("Enter a whole number.")]})


def _decimal(text: str | None, name: str, problems: dict[str, list[str]]) -> Decimal | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        problems[name] = [_("Enter a number.")]
        return None


def _scheme_form(subject: str, form) -> dict[str, Any]:
    """Weights ``weight-<indicator>`` (blank: not weighted), grades ``grade-N-*``, bands ``band-N-*``."""
    problems: dict[str, list[str]] = {}
    weights = [{"indicator": i.key, "weight": w} for i in schemes.available_indicators(subject)
               if (w := _decimal(form.get(f"weight-{i.key}"), f"weight-{i.key}", problems)) is not None]
    grades = [{"grade": form.get(f"grade-{n}-name", "").strip(), "min_score": _decimal(
        form.get(f"grade-{n}-min"), f"grades.{n}.min_score", problems)} for n in range(ROWS)
        if form.get(f"grade-{n}-name", "").strip()]
    bands = [{"min_score": _decimal(form.get(f"band-{n}-min"), f"bands.{n}", problems),
              "max_score": _decimal(form.get(f"band-{n}-max"), f"bands.{n}", problems),
              "coefficient": _decimal(form.get(f"band-{n}-coefficient"), f"bands.{n}.coefficient", problems)}
             for n in range(ROWS) if form.get(f"band-{n}-coefficient", "").strip()]
    if problems:
        raise ValidationFailed(_("The evaluation scheme is not valid."), fields=problems)
    return {"missing_policy": form.get("missing_policy"), "weights": weights, "grades": grades, "bands": bands,
            "missing_score": _decimal(form.get("missing_score"), "missing_score", problems)}
