"""Monitoring pages (M.13, M.25): systems with utilisation charts, a system in detail, findings
with their evidence and history, and the rules an admin edits.

Views parse, call one service, render or redirect; the edge commits. Forms post the CSRF token
(checked centrally in ``app.auth``); a refused rule shows its reasons next to the fields.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from app import clock
from app.auth import current_actor
from app.calendar.rules import local_date
from app.errors import ValidationFailed
from app.extensions import db
from app.monitoring import overview, service
from app.monitoring.models import RULE_KEYS
from app.projects.service import READERS
from app.security import require_role

bp = Blueprint("monitoring", __name__, url_prefix="/monitoring")
RULE_LABELS = {"idle": _l("Idle (long-term low utilisation)"), "zombie": _l("Zombie (no business, no change)")}
STATUS_LABELS = {"open": _l("Awaiting review"), "warned": _l("Warned, awaiting rectification"),
                 "checking": _l("Being checked"), "consent": _l("Awaiting consent to reclaim"),
                 "reclaiming": _l("Being reclaimed"), "dismissed": _l("Dismissed"), "rectified": _l("Rectified"),
                 "kept": _l("Kept (consent withheld)"), "reclaimed": _l("Reclaimed")}
RULE_FIELDS = ("window_days", "min_days", "cpu_max_pct", "network_max_mb", "business_max", "rectify_workdays")
INTEGER_FIELDS = {"window_days", "min_days", "business_max", "rectify_workdays"}


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"idle_rule_labels": RULE_LABELS, "idle_status_labels": STATUS_LABELS}


def _today():
    return local_date(clock.now())


@bp.get("/")
@login_required
def index():
    actor = current_actor()
    require_role(actor, *READERS)
    return render_template("monitoring/index.html", cards=overview.systems_page(db.session, actor, today=_today()))


@bp.get("/systems/<int:project_id>")
@login_required
def system(project_id: int):
    card = overview.system_page(db.session, current_actor(), project_id, today=_today())
    return render_template("monitoring/system.html", card=card)


@bp.get("/findings")
@login_required
def findings():
    actor = current_actor()
    require_role(actor, *READERS)
    status = request.args.get("status") or None
    found = service.list_findings(db.session, actor, status=status, open_only=request.args.get("open") == "1")
    return render_template("monitoring/findings.html", findings=found, status=status)


@bp.get("/findings/<int:finding_id>")
@login_required
def finding(finding_id: int):
    return render_template("monitoring/finding.html",
                           finding=service.finding_detail(db.session, current_actor(), finding_id))


def _rule_form(form) -> tuple[dict[str, Any], dict[str, list[str]]]:
    values: dict[str, Any] = {"enabled": form.get("enabled") == "on"}
    errors: dict[str, list[str]] = {}
    for name in RULE_FIELDS:
        raw = (form.get(name) or "").strip()
        if not raw and name in ("cpu_max_pct", "network_max_mb"):
            values[name] = None
            continue
        try:
            values[name] = int(raw) if name in INTEGER_FIELDS else Decimal(raw)
        except (ValueError, ArithmeticError):
            errors[name] = [_("Not a number.")]
    return values, errors


@bp.route("/rules", methods=["GET", "POST"])
@login_required
def rules():
    actor = current_actor()
    require_role(actor, *service.RULE_EDITORS)
    key = request.form.get("key") if request.method == "POST" else None
    errors: dict[str, dict[str, list[str]]] = {}
    if key in RULE_KEYS:
        values, problems = _rule_form(request.form)
        try:
            if problems:
                raise ValidationFailed(_("Some thresholds are invalid."), fields=problems)
            service.update_rule(db.session, actor, key, values, now=clock.now())
        except ValidationFailed as exc:
            db.session.rollback()
            errors[key] = exc.fields
        else:
            db.session.commit()
            flash(_("The rule is saved; the next daily scan uses it."))
            return redirect(url_for("monitoring.rules"), code=303)
    found = service.ensure_rules(db.session)
    db.session.commit()
    return render_template("monitoring/rules.html", rules=found, errors=errors,
                           posted=request.form if errors else {}), (422 if errors else 200)
