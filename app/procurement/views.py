"""统采分签 pages: solicitations (list; detail with the aggregation table and, for a district
authority, the reply form) and contracts (list and detail with locked prices and the audit trail).

Views parse, call one service, render or redirect; the edge commits. A refused reply is shown with a
message next to each field (422).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from app import clock
from app.accounts.roles import CITY, DISTRICTS
from app.auth import current_actor
from app.calendar.rules import local_date
from app.catalog import service as catalog_service
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.procurement import contracts, results, rounds
from app.procurement.models import ENTRUSTED, PENDING

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
    return _list(values={}, errors={})


def _list(*, values, errors: dict, message: str | None = None, status: int = 200):
    actor = current_actor()
    found = rounds.list_solicitations(db.session, actor, page=_page())
    may_issue = actor.has_any({rounds.BDC}) and not actor.is_system
    items = catalog_service.items_in_force(db.session, CITY, local_date(clock.now())) if may_issue else {}
    return render_template("procurement/solicitations.html", found=found, may_issue=may_issue, items=items,
                           districts=DISTRICTS, values=values, errors=errors, message=message), status


@bp.post("/solicitations")
@login_required
def issue():
    """bdc issues a solicitation from the page (P.4(1)): the ticked catalogue items, to the ticked districts."""
    form = request.form
    try:
        found = rounds.issue(
            db.session, current_actor(), title=form.get("title", "")[:200], budget_year=_int(form, "budget_year"),
            reply_deadline=_day(form, "reply_deadline"), districts=form.getlist("districts") or None,
            items=[{"item_code": code, "service_standard": form.get(f"standard-{code}", "")[:4000]}
                   for code in form.getlist("items")], note=form.get("note", "")[:4000], now=clock.now())
    except ValidationFailed as exc:
        db.session.rollback()
        return _list(values=form, errors=exc.fields, message=exc.message, status=422)
    db.session.commit()
    flash(_("Solicitation %(number)s issued to the districts (P.4(1)).", number=found.number))
    return redirect(url_for("procurement.solicitation", solicitation_id=found.id), code=303)


def _int(form, name: str) -> int:
    try:
        return int(form.get(name, "").strip())
    except ValueError:
        raise ValidationFailed(_("Enter a whole number."), fields={name: [_("Enter a whole number.")]})


def _day(form, name: str) -> date:
    try:
        return date.fromisoformat(form.get(name, "").strip())
    except ValueError:
        raise ValidationFailed(_("Enter a date as YYYY-MM-DD."), fields={name: [_("Enter a date as YYYY-MM-DD.")]})


@bp.get("/solicitations/<int:solicitation_id>")
@login_required
def solicitation(solicitation_id: int):
    return _detail(solicitation_id, values={}, errors={})


def _detail(solicitation_id: int, *, values: dict, errors: dict, message: str | None = None, status: int = 200):
    actor = current_actor()
    view = rounds.aggregation(db.session, actor, solicitation_id)
    own = next((d for d in view["districts"] if d["tenant"] == actor.tenant_id), None)
    may_reply = own is not None and own["status"] == PENDING and actor.has_any({rounds.DISTRICT_AUTHORITY})
    found = view["solicitation"]
    may_record = found.status == ENTRUSTED and actor.has_any({rounds.PROCUREMENT})
    return render_template("procurement/solicitation.html", view=view, found=found, may_reply=may_reply,
                           vendors=_vendor_names(found), may_record=may_record,
                           vendor_choices=results.vendor_choices(db.session) if may_record else [],
                           values=values, errors=errors, message=message), status


def _vendor_names(found) -> dict[int, str]:
    from app.procurement.results import vendor_names

    return vendor_names(found)


@bp.post("/solicitations/<int:solicitation_id>/reply")
@login_required
def reply(solicitation_id: int):
    actor = current_actor()
    decision, lines = request.form.get("decision", ""), []
    try:
        lines = _lines(request.form)
        rounds.reply(db.session, actor, solicitation_id, decision=decision, lines=lines,
                     note=request.form.get("note", "")[:2000])
    except ValidationFailed as exc:
        db.session.rollback()
        codes = [line["item_code"] for line in lines]
        return _detail(solicitation_id, values=request.form, errors=_by_code(exc.fields, codes, "qty-"),
                       message=exc.message, status=422)
    except Conflict as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("procurement.solicitation", solicitation_id=solicitation_id), code=303)
    db.session.commit()
    flash(_("Your reply is recorded; a demand goes to the district finance for filing (P.4(2))."))
    return redirect(url_for("procurement.solicitation", solicitation_id=solicitation_id), code=303)


@bp.post("/solicitations/<int:solicitation_id>/result")
@login_required
def result(solicitation_id: int):
    """The procurement centre records the result: one row per item (P.4(3))."""
    actor = current_actor()
    codes = [key[7:] for key in request.form if key.startswith("vendor-")]
    try:
        results.record(db.session, actor, solicitation_id, [_result_line(request.form, code) for code in codes])
    except ValidationFailed as exc:
        db.session.rollback()
        return _detail(solicitation_id, values=request.form, errors=_by_code(exc.fields, codes, "result-"),
                       message=exc.message, status=422)
    except Conflict as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("procurement.solicitation", solicitation_id=solicitation_id), code=303)
    db.session.commit()
    flash(_("The result is recorded and published to the districts (P.4(3))."))
    return redirect(url_for("procurement.solicitation", solicitation_id=solicitation_id), code=303)


def _result_line(form, code: str) -> dict[str, Any]:
    def fail(reason: str) -> ValidationFailed:
        return ValidationFailed(reason, fields={f"result-{code}": [reason]})

    try:
        starts, ends = (date.fromisoformat(form.get(f"{name}-{code}", "").strip()) for name in ("starts", "ends"))
    except ValueError:
        raise fail(_("Enter a date as YYYY-MM-DD."))
    try:
        price = Decimal(form.get(f"price-{code}", "").strip())
    except InvalidOperation:
        raise fail(_("Enter a number."))
    vendor = form.get(f"vendor-{code}", "")
    return {"item_code": code, "vendor_id": int(vendor) if vendor.isdigit() else None, "unit_price": price,
            "service_standard": form.get(f"standard-{code}", "")[:4000], "starts_on": starts, "ends_on": ends}


def _by_code(fields: dict[str, list[str]], codes: list[str], prefix: str) -> dict[str, list[str]]:
    """The service names ``lines.N.field``; the page's rows are named by item code."""
    out: dict[str, list[str]] = {}
    for name, reasons in fields.items():
        parts = name.split(".")
        if parts[0] == "lines" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(codes):
            name = f"{prefix}{codes[int(parts[1])]}"
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
