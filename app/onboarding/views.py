"""Pages: going on the cloud — go-live security (M.30), dedicated domains (M.11), outside applicants (M.7).

Lists with the forms that start each process, and one page per record (its documents through the
attachments widget). Views parse, call one service, render or redirect; the edge commits.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from app import clock
from app.attachments import service as attachments_service
from app.auth import current_actor
from app.calendar.rules import local_date
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.forms.markdown import render_markdown
from app.onboarding import domains, golive, outside, overview

bp = Blueprint("onboarding", __name__, url_prefix="/onboarding")
STATUS_LABELS = {"in_progress": _l("In progress"), "complete": _l("Complete"), "refused": _l("Refused"),
                 "reviewing": _l("Under review"), "returned": _l("Returned for changes"), "approved": _l("Approved"),
                 "withdrawn": _l("Withdrawn"), "pending": _l("Being decided"), "accepted": _l("Accepted"),
                 "declined": _l("Declined by the supervising department")}


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"onboarding_labels": STATUS_LABELS}


def _today():
    return local_date(clock.now())


def _text(name: str, limit: int = 5000) -> str:
    return (request.form.get(name) or "").strip()[:limit]


def _index(errors: dict | None = None, status: int = 200):
    view = overview.build(db.session, current_actor())
    return render_template("onboarding/index.html", view=view, errors=errors or {}, form=request.form), status


def _start(action: Callable[[], Any], endpoint: str):
    try:
        record = action()
    except (ValidationFailed, Conflict) as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _index(getattr(exc, "fields", {}) or {}, 422 if isinstance(exc, ValidationFailed) else 409)
    db.session.commit()
    flash(_("Submitted as %(no)s.", no=record.number), "success")
    return redirect(url_for(endpoint, record_id=record.id))


@bp.get("/")
@login_required
def index():
    return _index()


@bp.post("/golive")
@login_required
def start_golive():
    project_id = int(request.form.get("project_id") or 0)
    return _start(lambda: golive.start(db.session, current_actor(), project_id, today=_today()),
                  "onboarding.golive_page")


@bp.post("/domains")
@login_required
def submit_domain():
    values = {k: _text(k) for k in ("name", "plan_summary", "plan_attachments", *domains.DUTIES)}
    return _start(lambda: domains.submit(db.session, current_actor(), today=_today(), **values), "onboarding.domain")


@bp.post("/outside")
@login_required
def apply_outside():
    values = {k: _text(k) for k in ("body_name", "body_code", "body_nature", "reason", "contact", "attachments")}
    return _start(lambda: outside.apply(db.session, current_actor(), today=_today(), **values),
                  "onboarding.outside_page")


@bp.get("/golive/<int:record_id>")
@login_required
def golive_page(record_id: int):
    check = golive.get(db.session, current_actor(), record_id)
    ids = [i for step in check.steps for i in step.attachment_ids]
    return render_template("onboarding/golive.html", check=check, labels=golive.STAGE_LABELS,
                           attachments=attachments_service.list_attachments(db.session, current_actor(), ids=ids),
                           commitment=render_markdown(check.commitment_text, {}) if check.commitment_text else None)


@bp.get("/domains/<int:record_id>")
@login_required
def domain(record_id: int):
    record = domains.get(db.session, current_actor(), record_id)
    return render_template("onboarding/domain.html", domain=record, attachments=attachments_service.list_attachments(
        db.session, current_actor(), ids=record.plan_attachment_ids))


@bp.get("/outside/<int:record_id>")
@login_required
def outside_page(record_id: int):
    record = outside.get(db.session, current_actor(), record_id)
    files = attachments_service.list_attachments(db.session, current_actor(), ids=record.attachment_ids)
    return render_template("onboarding/outside.html", application=record, attachments=files)

