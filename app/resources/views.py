"""Resource pages: my projects and resources (units), projects and pending applications (bdc, eitc,
districts), a project with its application forms, an application.

Views parse, call one service, render or redirect; the edge commits. Every form posts the CSRF
token (checked centrally in ``app.auth``). A refused application is shown with the rule it broke.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from app import clock
from app.accounts.roles import CITY, DISTRICTS
from app.auth import current_actor
from app.calendar.rules import SHANGHAI, local_date
from app.catalog import service as catalog_service
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.resources import forms, overview, queries, rules, service
from app.resources.models import SPECIAL_KINDS
from app.security import require_role

bp = Blueprint("resources", __name__, url_prefix="/resources")
OVERSEERS = ("bdc", "eitc", "authority", "district.authority", "district.operator", "district.finance", "admin")
KIND_LABELS = {"test": _l("Test resources"), "formal": _l("Formal resources"),
               "development": _l("Development resources"), "emergency": _l("Emergency resources"),
               "temporary": _l("Temporary resources"), "quota": _l("Project quota"), "expansion": _l("Expansion"),
               "reclaim": _l("Reclaim"), "extension": _l("Extension")}
STATE_LABELS = {"requested": _l("Requested"), "open": _l("Open"), "expanding": _l("Expanding"),
                "reclaiming": _l("Reclaiming"), "reclaimed": _l("Reclaimed"), "rejected": _l("Refused"),
                "pending": _l("Being decided"), "done": _l("Done"), "applying": _l("Quota under review"),
                "approved": _l("Approved")}


def _today():
    return local_date(clock.now())


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"resource_kind_labels": KIND_LABELS, "resource_state_labels": STATE_LABELS,
            "resource_tenants": {CITY: _("City"), **DISTRICTS},
            "inbox_pages": "inbox.task" in current_app.view_functions}


@bp.app_template_filter("qty")
def _quantity(value: Decimal | None) -> str:
    return "" if value is None else rules.plain(Decimal(value))


@bp.app_template_filter("local_time")
def _local_time(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _apply(action: Callable[[], Any], done: str, back: str):
    """Run one service call; commit and say so, or show the rule it broke (PRG either way)."""
    try:
        result = action()
    except (ValidationFailed, Conflict) as exc:
        db.session.rollback()
        details = "; ".join(f"{', '.join(reasons)}" for reasons in exc.fields.values())
        flash(f"{exc.message} {details}".strip(), "error")
        return redirect(back, code=303)
    db.session.commit()
    flash(done % {"number": getattr(result, "number", "")})
    return redirect(back, code=303)


@bp.get("/mine")
@login_required
def mine():
    actor = current_actor()
    require_role(actor, "unit")
    return render_template("resources/mine.html", view=overview.unit_overview(db.session, actor, today=_today()))


@bp.get("/projects")
@login_required
def projects():
    actor = current_actor()
    require_role(actor, *OVERSEERS)
    tenant = request.args.get("district") or None
    return render_template("resources/projects.html", tenant=tenant,
                           view=overview.operator_overview(db.session, actor, tenant_id=tenant))


@bp.route("/projects/new", methods=["GET", "POST"])
@login_required
def new_project():
    actor = current_actor()
    require_role(actor, "unit")
    items = catalog_service.items_in_force(db.session, actor.tenant_id, _today())
    if request.method == "GET":
        return render_template("resources/new_project.html", items=items, values={}, errors={}, rows=forms.QUOTA_ROWS)
    try:
        application = service.apply_for_quota(db.session, actor, today=_today(), **forms.project(request.form))
    except ValidationFailed as exc:
        db.session.rollback()
        return render_template("resources/new_project.html", items=items, values=request.form, errors=exc.fields,
                               message=exc.message, rows=forms.QUOTA_ROWS), 422
    db.session.commit()
    flash(_("Quota application %(number)s submitted to eitc (Article 18).", number=application.number))
    return redirect(url_for("resources.project", project_id=application.project_id), code=303)


@bp.get("/projects/<int:project_id>")
@login_required
def project(project_id: int):
    actor = current_actor()
    view = overview.project_page(db.session, actor, project_id, today=_today())
    card = view.cards[0]
    return render_template("resources/project.html", view=view, card=card, special_kinds=SPECIAL_KINDS,
                           owner=overview.is_owner(db.session, actor, card.project))


def _project_back(project_id: int) -> str:
    return url_for("resources.project", project_id=project_id)


@bp.post("/projects/<int:project_id>/expansions")
@login_required
def expand(project_id: int):
    actor = current_actor()
    return _apply(lambda: service.request_expansion(db.session, actor, project_id, today=_today(),
                                                    **forms.expansion(request.form)),
                  _("Expansion application %(number)s submitted (Article 20)."), _project_back(project_id))


@bp.post("/projects/<int:project_id>/reclaims")
@login_required
def reclaim(project_id: int):
    actor = current_actor()
    return _apply(lambda: service.request_reclaim(db.session, actor, project_id, today=_today(),
                                                  **forms.reclaim(request.form)),
                  _("Reclaim application %(number)s submitted (Article 21)."), _project_back(project_id))


@bp.post("/projects/<int:project_id>/special")
@login_required
def special(project_id: int):
    actor = current_actor()
    return _apply(lambda: service.request_special(db.session, actor, project_id, today=_today(),
                                                  **forms.special(request.form)),
                  _("Application %(number)s submitted."), _project_back(project_id))


@bp.post("/items/<int:allocation_id>/extension")
@login_required
def extend(allocation_id: int):
    actor = current_actor()
    allocation = queries.get_allocation(db.session, actor, allocation_id)
    return _apply(lambda: service.request_extension(db.session, actor, allocation_id, today=_today(),
                                                    **forms.extension(request.form)),
                  _("Extension application %(number)s sent to eitc and the authority (Articles 23 and 24)."),
                  _project_back(allocation.project_id))


@bp.get("/applications/<int:application_id>")
@login_required
def application(application_id: int):
    detail = queries.application_detail(db.session, current_actor(), application_id)
    return render_template("resources/application.html", application=detail)


@bp.post("/applications/<int:application_id>/quota")
@login_required
def grant(application_id: int):
    actor = current_actor()
    return _apply(lambda: service.set_granted_quantities(db.session, actor, application_id,
                                                         forms.granted(request.form)),
                  _("The temporary quota of %(number)s is set (Article 24)."),
                  url_for("resources.application", application_id=application_id))
