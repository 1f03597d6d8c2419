"""Catalogue pages: the versions I may read with the items in force, one version with its items,
and for the operator of a catalogue: proposing a version and compiling its items (M.15, M.16)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app import clock
from app.auth import current_actor
from app.calendar.rules import local_date
from app.catalog import service
from app.catalog.models import EDITABLE_STATES, LAYERS, PRICING_TYPES, TIER_MODES
from app.errors import Conflict, ValidationFailed
from app.extensions import db

bp = Blueprint("catalog", __name__, url_prefix="/catalog")
BLANK_ROWS = 3
ITEM_FIELDS = ("code", "layer", "name", "content", "pricing_unit", "unit_price", "pricing_type", "tier_mode", "tiers")


@bp.get("/")
@login_required
def index():
    actor = current_actor()
    in_force = service.in_force_for(db.session, actor, tenant_id=None, day=local_date(clock.now()))
    return render_template("catalog/index.html", versions=service.list_versions(db.session, actor),
                           in_force=in_force, may_propose=actor.has_any({"bdc", "district.operator"}))


@bp.post("/")
@login_required
def propose():
    actor = current_actor()
    try:
        version = service.propose(
            db.session, actor, tenant_id=actor.tenant_id, title=request.form.get("title", "").strip()[:200],
            effective_from=_date(request.form.get("effective_from")), note=request.form.get("note", "")[:4000],
            based_on_id=int(request.form["based_on_id"]) if request.form.get("based_on_id", "").isdigit() else None,
            today=local_date(clock.now()))
    except (ValidationFailed, Conflict) as exc:
        db.session.rollback()
        flash(f"{exc.message} {_fields(exc.fields)}", "error")
        return redirect(url_for("catalog.index"), code=303)
    db.session.commit()
    flash(_("%(label)s proposed: the authority reviews it (Article 15).", label=version.label))
    return redirect(url_for("catalog.version", version_id=version.id), code=303)


@bp.get("/<int:version_id>")
@login_required
def version(version_id: int):
    actor = current_actor()
    found = service.get_version(db.session, actor, version_id)
    editable = found.status in EDITABLE_STATES and actor.has_any({service.operator_role(found.tenant_id)}) \
        and actor.can_see_tenant(found.tenant_id)
    return render_template("catalog/version.html", version=found, editable=editable, blank_rows=BLANK_ROWS,
                           layers=LAYERS, pricing_types=PRICING_TYPES, tier_modes=TIER_MODES)


@bp.post("/<int:version_id>/items")
@login_required
def items(version_id: int):
    actor = current_actor()
    try:
        service.replace_items(db.session, actor, version_id, _items(request.form))
    except (ValidationFailed, Conflict) as exc:
        db.session.rollback()
        flash(f"{exc.message} {_fields(exc.fields)}", "error")
        return redirect(url_for("catalog.version", version_id=version_id), code=303)
    db.session.commit()
    flash(_("The items are saved. Complete the compilation task in your inbox to send it for approval."))
    return redirect(url_for("catalog.version", version_id=version_id), code=303)


def _fields(fields: dict[str, list[str]]) -> str:
    return "; ".join(f"{name}: {', '.join(reasons)}" for name, reasons in fields.items())


def _date(text: str | None):
    from datetime import date

    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise ValidationFailed(_("Enter a date as YYYY-MM-DD."), fields={"effective_from": [text or ""]})


def _number(text: str, name: str) -> Decimal:
    try:
        return Decimal((text or "").strip())
    except InvalidOperation:
        raise ValidationFailed(_("Enter a number."), fields={name: [text]})


def _items(form) -> list[dict[str, Any]]:
    """Rows ``item-N-field``; a row without a code is skipped."""
    rows = sorted({int(k.split("-")[1]) for k in form if k.startswith("item-") and k.split("-")[1].isdigit()})
    found = []
    for row in rows:
        values = {field: (form.get(f"item-{row}-{field}") or "").strip() for field in ITEM_FIELDS}
        if values["code"]:
            found.append({**values, "code": values["code"].upper(), "tier_mode": values["tier_mode"] or None,
                          "unit_price": _number(values["unit_price"], f"item-{row}"),
                          "tiers": _tiers(values["tiers"], f"item-{row}-tiers")})
    return found


def _tiers(text: str, name: str) -> list[dict[str, Decimal]]:
    """Tiers as people type them: ``0:100; 100:80`` (lower bound, then price; Chinese ``；`` too)."""
    pairs = [pair.split(":", 1) for pair in text.replace("；", ";").split(";") if ":" in pair]
    return [{"lower_bound": _number(bound, name), "unit_price": _number(price, name)} for bound, price in pairs]
