"""统采分签 pages: solicitations (list; detail with the aggregation table and, for a district
authority, the reply form) and contracts (list and detail with locked prices and the audit trail).

Views parse, call one service, render or redirect; the edge commits. A refused reply is shown with a
message next to each field (422).
"""
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
from app.extensions import db
from app.procurement import contracts, rounds
from app.procurement.models import PENDING

bp = Blueprint("procurement", __name__, url_prefix="/procurement")
ROUND_LABELS = {"replying": _l("Collecting replies"), "aggregated": _l("Demand aggregated"),
                "entrusted": _l("Entrusted to procurement"), "published": _l("Result published"),
                "closed": _l("Closed")}
REPLY_LABELS = {"pending": _l("Awaiting reply"), "demand": _l("Demand"), "declined": _l("Declined"),
                "no_reply": _l("No reply by the deadline")}


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"round_labels": ROUND_LABELS, "reply_labels": REPLY_LABELS}


def _page() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


@bp.get("/solicitations")
@login_required
def solicitations():
    found = rounds.list_solicitations(db.session, current_actor(), page=_page())
    return render_template("procurement/solicitations.html", found=found)


@bp.get("/solicitations/<int:solicitation_id>")
@login_required
def solicitation(solicitation_id: int):
    return _detail(solicitation_id, values={}, errors={})


def _detail(solicitation_id: int, *, values: dict, errors: dict, message: str | None = None, status: int = 200):
    actor = current_actor()
    view = rounds.aggregation(db.session, actor, solicitation_id)
    own = next((d for d in view["districts"] if d["tenant"] == actor.tenant_id), None)
    may_reply = own is not None and own["status"] == PENDING and actor.has_any({rounds.DISTRICT_AUTHORITY})
    names = _vendor_names(view["solicitation"])
    return render_template("procurement/solicitation.html", view=view, found=view["solicitation"], may_reply=may_reply,
                           vendors=names, values=values, errors=errors, message=message), status


def _vendor_names(found) -> dict[int, str]:
    from app.procurement.results import vendor_names

    return vendor_names(found)


@bp.post("/solicitations/<int:solicitation_id>/reply")
@login_required
def reply(solicitation_id: int):
    actor = current_actor()
    decision = request.form.get("decision", "")
    try:
        lines = _lines(request.form)
        rounds.reply(db.session, actor, solicitation_id, decision=decision, lines=lines,
                     note=request.form.get("note", "")[:2000])
    except ValidationFailed as exc:
        db.session.rollback()
        return _detail(solicitation_id, values=request.form, errors=_page_fields(exc.fields, request.form),
                       message=exc.message, status=422)
    except Conflict as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("procurement.solicitation", solicitation_id=solicitation_id), code=303)
    db.session.commit()
    flash(_("Your reply is recorded; a demand goes to the district finance for filing (P.4(2))."))
    return redirect(url_for("procurement.solicitation", solicitation_id=solicitation_id), code=303)


def _page_fields(fields: dict[str, list[str]], form) -> dict[str, list[str]]:
    """The service names ``lines.N.field``; the page's inputs are ``qty-<item code>``."""
    codes = [key[4:] for key in form if key.startswith("qty-") and form[key].strip()]
    out: dict[str, list[str]] = {}
    for name, reasons in fields.items():
        parts = name.split(".")
        if parts[0] == "lines" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(codes):
            name = f"qty-{codes[int(parts[1])]}"
        out.setdefault(name, []).extend(reasons)
    return out


def _lines(form) -> list[dict[str, Any]]:
    """Inputs ``qty-<item code>``; an empty one is no demand for that item."""
    lines, problems = [], {}
    for key in form:
        if not key.startswith("qty-") or not form[key].strip():
            continue
        code = key[4:]
        try:
            lines.append({"item_code": code, "quantity": Decimal(form[key].strip())})
        except InvalidOperation:
            problems[f"qty-{code}"] = [_("Enter a number.")]
    if problems:
        raise ValidationFailed(_("The reply is invalid."), fields=problems)
    return lines


@bp.get("/contracts")
@login_required
def contract_list():
    found = contracts.list_contracts(db.session, current_actor(), page=_page())
    return render_template("procurement/contracts.html", found=found)


@bp.get("/contracts/<int:contract_id>")
@login_required
def contract(contract_id: int):
    page = contracts.contract_page(db.session, current_actor(), contract_id, today=local_date(clock.now()))
    return render_template("procurement/contract.html", **page)
