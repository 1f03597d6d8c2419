"""Governance pages: vendor change proposals (M.28), security incidents and drills (M.31).

Views parse, call one service, render or redirect; the edge commits. A refused submission is shown
again with the message next to its field.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from app import clock
from app.accounts.roles import CITY, DISTRICTS
from app.auth import current_actor
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.forms.dates import app_zone
from app.governance import changes, drills, incidents, queries, rules

bp = Blueprint("governance", __name__, url_prefix="/governance")
STATUS_LABELS = {
    "reviewing": _l("Under review"), "returned": _l("Returned for changes"), "evaluating": _l("Being evaluated"),
    "authority_review": _l("With the authority"), "approved": _l("Approved, waiting for its window"),
    "in_window": _l("Window open"), "completed": _l("Completed"), "refused": _l("Refused"),
    "containing": _l("Containment"), "investigating": _l("Investigation"), "reporting": _l("Report"),
    "closed": _l("Closed"), "planning": _l("Planning"), "executing": _l("Carrying out"),
    "recording": _l("Recording findings"),
}
VIOLATION_LABELS = {"unapproved": _l("Carried out without approval"), "outside_window": _l("Outside its window")}


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"governance_status": STATUS_LABELS, "governance_violations": VIOLATION_LABELS,
            "governance_severities": {k: v.name for k, v in rules.SEVERITIES.items()},
            "governance_tenants": {CITY: _("City"), **DISTRICTS}}


def _fail(name: str, reason: str) -> ValidationFailed:
    return ValidationFailed(_("Some fields are invalid."), fields={name: [reason]})


def _moment(form: MultiDict, name: str) -> datetime:
    try:
        value = datetime.fromisoformat((form.get(name) or "").strip())
    except ValueError:
        raise _fail(name, _("Enter a date and time."))
    return value if value.tzinfo else value.replace(tzinfo=app_zone())


def _text(form: MultiDict, name: str, limit: int = 4000) -> str:
    return (form.get(name) or "").strip()[:limit]


def _submit(template: str, action: Callable[[], Any], done: Callable[[Any], str], target: Callable[[Any], str],
            **context: Any):
    """Run one service call; on a broken rule show the form again with the reasons by its fields."""
    try:
        result = action()
    except (ValidationFailed, Conflict) as exc:
        db.session.rollback()
        return render_template(template, values=request.form, errors=exc.fields, message=exc.message,
                               **context), 422
    db.session.commit()
    flash(done(result))
    return redirect(target(result), code=303)


# -- vendor changes (M.28) --------------------------------------------------------------------------
@bp.get("/changes")
@login_required
def change_list():
    actor = current_actor()
    return render_template("governance/changes.html", changes=changes.list_changes(db.session, actor),
                           violations=changes.violations(db.session, actor), values={}, errors={},
                           lead=(rules.ORDINARY_LEAD_WORKDAYS, rules.MAJOR_LEAD_WORKDAYS))


@bp.post("/changes")
@login_required
def change_submit():
    actor, form = current_actor(), request.form

    def submit():
        return changes.submit(
            db.session, actor, now=clock.now(), title=_text(form, "title", 200), description=_text(form, "description"),
            affected_systems=_text(form, "affected_systems"), affected_districts=form.getlist("affected_districts"),
            impact=_text(form, "impact"), rollback_plan=_text(form, "rollback_plan"),
            window_start=_moment(form, "window_start"), window_end=_moment(form, "window_end"),
            major=form.get("major") in ("on", "true", "1"), attachment_ids=form.get("attachment_ids"))
    return _submit("governance/changes.html", submit,
                   lambda c: _("Change plan %(number)s submitted to bdc (Article 28).", number=c.number),
                   lambda c: url_for("governance.change", change_id=c.id),
                   changes=changes.list_changes(db.session, actor), violations=changes.violations(db.session, actor),
                   lead=(rules.ORDINARY_LEAD_WORKDAYS, rules.MAJOR_LEAD_WORKDAYS))


@bp.get("/changes/<int:change_id>")
@login_required
def change(change_id: int):
    detail = queries.change_detail(db.session, current_actor(), change_id)
    return render_template("governance/change.html", change=detail, values={}, errors={})


@bp.post("/changes/<int:change_id>/carried-out")
@login_required
def change_carried_out(change_id: int):
    actor, form = current_actor(), request.form
    detail = queries.change_detail(db.session, actor, change_id)
    return _submit("governance/change.html",
                   lambda: changes.record_carried_out(db.session, actor, change_id, now=clock.now(),
                                                      carried_out_at=_moment(form, "carried_out_at"),
                                                      note=_text(form, "note", 2000)),
                   lambda v: _("Recorded: carried out within its approved window.") if v is None else
                   _("Recorded as a violation of Article 28: the change was not approved for that time."),
                   lambda v: url_for("governance.change", change_id=change_id), change=detail)


# -- security incidents (M.31) ------------------------------------------------------------------------
@bp.get("/incidents")
@login_required
def incident_list():
    actor = current_actor()
    return render_template("governance/incidents.html", incidents=incidents.list_incidents(db.session, actor),
                           values={}, errors={})


@bp.post("/incidents")
@login_required
def incident_report():
    actor, form = current_actor(), request.form

    def report():
        try:
            severity = int(form.get("severity") or 0)
        except ValueError:
            raise _fail("severity", _("A level from 1 to 4."))
        return incidents.report(db.session, actor, now=clock.now(), title=_text(form, "title", 200),
                                description=_text(form, "description"), severity=severity,
                                occurred_at=_moment(form, "occurred_at"), tenant_id=form.get("tenant_id") or None,
                                attachment_ids=form.get("attachment_ids"))
    return _submit("governance/incidents.html", report,
                   lambda i: _("Incident %(number)s reported; handling has started (Article 31).", number=i.number),
                   lambda i: url_for("governance.incident", incident_id=i.id),
                   incidents=incidents.list_incidents(db.session, actor))


@bp.get("/incidents/<int:incident_id>")
@login_required
def incident(incident_id: int):
    return render_template("governance/incident.html",
                           incident=queries.incident_detail(db.session, current_actor(), incident_id))


# -- drills (M.31) -----------------------------------------------------------------------------------
@bp.get("/drills")
@login_required
def drill_list():
    return render_template("governance/drills.html", drills=drills.list_drills(db.session, current_actor()))


@bp.post("/drills")
@login_required
def drill_start():
    actor = current_actor()
    drill = drills.start(db.session, actor, now=clock.now(), title=_text(request.form, "title", 200))
    db.session.commit()
    flash(_("Drill %(number)s started.", number=drill.number))
    return redirect(url_for("governance.drill", drill_id=drill.id), code=303)


@bp.get("/drills/<int:drill_id>")
@login_required
def drill(drill_id: int):
    return render_template("governance/drill.html", drill=queries.drill_detail(db.session, current_actor(), drill_id))
