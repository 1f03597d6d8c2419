"""Settlement pages: statements with a monthly spend chart, one statement with its evidence, and
bdc's actions (draft a month or a true-up, correct a confirmed statement) (M.27, P.4, P.5)."""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.accounts.roles import CITY, DISTRICTS
from app.auth import current_actor
from app.billing import export, process, service
from app.billing.models import MONTHLY, STATUSES, TRUE_UP
from app.errors import Conflict, Forbidden, ValidationFailed
from app.extensions import db

bp = Blueprint("billing", __name__, url_prefix="/settlements")
CHART_W, CHART_H, BAR_GAP = 640, 180, 8


def chart(spend: list[tuple[str, Decimal]]) -> dict:
    """Bars of a server-rendered SVG (no script, no CDN): one per month, scaled to the largest."""
    top = max((value for _m, value in spend), default=Decimal(0)) or Decimal(1)
    width = (CHART_W - BAR_GAP) / max(len(spend), 1) - BAR_GAP
    bars = []
    for index, (month, value) in enumerate(spend):
        height = float(value / top) * (CHART_H - 30)
        x = BAR_GAP + index * (width + BAR_GAP)
        bars.append({"month": month, "value": value, "x": round(x, 1), "w": round(width, 1),
                     "y": round(CHART_H - 20 - height, 1), "h": round(height, 1)})
    return {"bars": bars, "width": CHART_W, "height": CHART_H}


@bp.get("/")
@login_required
def index():
    actor = current_actor()
    service.require_reader(actor)
    page = service.list_statements(
        db.session, actor, period=request.args.get("period") or None,
        status=request.args.get("status") if request.args.get("status") in STATUSES else None,
        page=max(request.args.get("page", 1, type=int), 1))
    names = service.names(db.session, {s.vendor_id for s in page.items} | {s.organisation_id for s in page.items})
    return render_template("billing/index.html", page=page, names=names, statuses=STATUSES,
                           chart=chart(service.monthly_spend(db.session, actor)), may_draft=actor.has_any({"bdc"}),
                           tenants={CITY: _("City"), **DISTRICTS}, tenant_name=export.tenant_name,
                           kinds=(MONTHLY, TRUE_UP))


@bp.get("/<int:statement_id>")
@login_required
def statement(statement_id: int):
    actor = current_actor()
    found = service.get_statement(db.session, actor, statement_id)
    names = service.names(db.session, {found.vendor_id, found.organisation_id})
    return render_template("billing/statement.html", statement=found, names=names,
                           tenant_name=export.tenant_name, may_correct=found.confirmed and actor.has_any({"bdc"}))


@bp.post("/start")
@login_required
def start():
    actor = current_actor()
    try:
        instance = process.start(db.session, actor, tenant_id=request.form.get("tenant", ""),
                                 period=request.form.get("period", "").strip(),
                                 kind=request.form.get("kind", MONTHLY))
    except (ValidationFailed, Conflict, Forbidden) as exc:
        db.session.rollback()
        flash(f"{exc.message} {'; '.join(f'{k}: {v}' for k, v in exc.fields.items())}", "error")
        return redirect(url_for("billing.index"), code=303)
    db.session.commit()
    flash(_("Settlement %(key)s drafted: district finance reviews it, then eitc confirms (Article 27).",
            key=instance.business_key))
    return redirect(url_for("billing.index"), code=303)


@bp.post("/<int:statement_id>/correct")
@login_required
def correct(statement_id: int):
    try:
        instance = process.start_correction(db.session, current_actor(), statement_id)
    except Conflict as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("billing.statement", statement_id=statement_id), code=303)
    db.session.commit()
    flash(_("Correction %(key)s drafted: it goes through review like any statement.", key=instance.business_key))
    return redirect(url_for("billing.index"), code=303)
