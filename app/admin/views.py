"""Admin pages: dashboard, definitions (with upload and diagrams), instances, repairs, migration.

Views parse, call one service, render (STYLE habit 2); the edge commits. Every form posts its
CSRF token (checked centrally in ``app.auth``); a refused action re-renders its page with the
reason next to the field that caused it.
"""
from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from app.accounts.roles import CITY, DISTRICTS
from app.admin import dashboard as dashboard_service
from app.admin import service
from app.auth import current_actor
from app.calendar.rules import SHANGHAI
from app.errors import BadRequest, DomainError, NotFound
from app.extensions import db
from app.security import require_role
from app.workflow import operations

bp = Blueprint("admin", __name__, url_prefix="/admin")
PER_PAGE = 25
ADMIN = "admin"
STATUS_LABELS = {"running": _l("running"), "suspended": _l("suspended"), "completed": _l("completed"),
                 "cancelled": _l("cancelled")}


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {"status_labels": STATUS_LABELS}


def _tenants() -> dict[str, str]:
    return {CITY: _("City"), **DISTRICTS}


@bp.get("/")
@login_required
def dashboard():
    return render_template("admin/dashboard.html", board=dashboard_service.build(db.session, current_actor()),
                           tenants=_tenants())


# -- definitions --------------------------------------------------------------------------------
@bp.get("/definitions")
@login_required
def definitions():
    return render_template("admin/definitions.html", groups=service.definitions(db.session, current_actor()),
                           upload=None)


@bp.post("/definitions")
@login_required
def upload():
    actor = current_actor()
    file = request.files.get("file")
    try:
        result = service.upload(db.session, actor, file.read() if file else b"", file.filename if file else "")
    except BadRequest as exc:
        return _definitions_with(upload=None, errors=exc.fields, status=400)
    if not result.ok:
        return _definitions_with(upload=result, errors={}, status=422)
    db.session.commit()
    if result.created:
        flash(_("Deployed %(key)s version %(v)s.", key=result.definition.key, v=result.definition.version))
    else:
        flash(_("Unchanged: %(key)s version %(v)s is already this diagram.", key=result.definition.key,
                v=result.definition.version))
    return redirect(url_for("admin.definition", key=result.definition.key, version=result.definition.version))


def _definitions_with(*, upload: service.Upload | None, errors: dict, status: int):
    db.session.rollback()
    groups = service.definitions(db.session, current_actor())
    return render_template("admin/definitions.html", groups=groups, upload=upload, errors=errors), status


@bp.get("/definitions/<key>/<int:version>")
@login_required
def definition(key: str, version: int):
    actor = current_actor()
    found = service.definition_version(db.session, actor, key, version)
    group = next((g for g in service.definitions(db.session, actor) if g.key == key), None)
    return render_template("admin/definition.html", definition=found, group=group)


@bp.get("/definitions/<key>/<int:version>/xml")
@login_required
def definition_xml(key: str, version: int):
    found = service.definition_version(db.session, current_actor(), key, version)
    return Response(found.xml, mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{key}-v{found.version}.bpmn"'})


# -- instances ----------------------------------------------------------------------------------
def _day(name: str, *, end: bool = False) -> datetime | None:
    try:
        day = date.fromisoformat(request.args.get(name, "").strip())
    except ValueError:
        return None
    return datetime.combine(day + timedelta(days=1 if end else 0), time(), SHANGHAI)


def _filters() -> service.InstanceFilters:
    args = request.args
    version = args.get("version", type=int)
    return service.InstanceFilters(
        process_key=args.get("process") or None, version=version if version and version > 0 else None,
        status=args.get("status") if args.get("status") in service.STATUSES else None,
        tenant=args.get("tenant") or None, business_key=(args.get("business_key") or "").strip() or None,
        started_from=_day("started_from"), started_to=_day("started_to", end=True),
        has_incident={"1": True, "0": False}.get(args.get("incident", "")),
        waiting_at=(args.get("waiting_at") or "").strip() or None)


@bp.get("/instances")
@login_required
def instances():
    page = max(1, request.args.get("page", 1, type=int) or 1)
    actor = current_actor()
    listing = service.list_instances(db.session, actor, _filters(), page=page, per_page=PER_PAGE)
    return render_template("admin/instances.html", listing=listing, args=request.args, tenants=_tenants(),
                           groups=service.definitions(db.session, actor), statuses=service.STATUSES)


@bp.get("/instances/<int:instance_id>")
@login_required
def instance(instance_id: int):
    return _instance_page(instance_id)


def _instance_page(instance_id: int, *, form: str | None = None, errors: dict | None = None,
                   posted: MultiDict | None = None, status: int = 200):
    view = service.instance_view(db.session, current_actor(), instance_id)
    return render_template("admin/instance.html", view=view, i=view.instance, tenants=_tenants(), form=form,
                           errors=errors or {}, posted=posted or MultiDict()), status


def _json_object(text: str, field: str) -> dict[str, Any]:
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise BadRequest(_("Not valid JSON."), fields={field: [_("Not valid JSON: %(e)s", e=str(exc))]})
    if not isinstance(value, dict):
        raise BadRequest(_("Expected an object."), fields={field: [_('Write a JSON object, e.g. {"amount": 5}.')]})
    return value


def _act(action: str, instance_id: int, form: MultiDict) -> str:
    """Run one admin action from its form; returns the confirmation to flash."""
    actor, session, reason = current_actor(), db.session, form.get("reason", "")
    if action == "suspend":
        operations.suspend(session, actor, instance_id, reason=reason)
        return _("The instance is suspended.")
    if action == "resume":
        operations.resume(session, actor, instance_id, reason=reason)
        return _("The instance is running again.")
    if action == "cancel":
        operations.cancel(session, actor, instance_id, reason=reason)
        return _("The instance is cancelled.")
    if action == "variables":
        unset = [n for n in form.get("unset", "").replace("，", ",").split(",") if n.strip()]
        operations.edit_variables(session, actor, instance_id, values=_json_object(form.get("values", ""), "values"),
                                  unset=unset, reason=reason)
        return _("The variables are changed.")
    if action == "message":
        operations.send_message(session, actor, instance_id, name=form.get("name", "").strip(),
                                variables=_json_object(form.get("variables", ""), "variables"), reason=reason)
        return _("The message is delivered.")
    if action == "move":
        move = operations.move_token(session, actor, instance_id, source=form.get("source", ""),
                                     target=form.get("target", ""), reason=reason)
        return _("The token moved from %(a)s to %(b)s.", a=move.source, b=move.target)
    if action == "migrate":
        result = operations.migrate_instance(session, actor, instance_id, reason=reason,
                                             target_version=form.get("target_version", type=int))
        return _("Migrated from version %(a)s to %(b)s.", a=result.from_version, b=result.to_version)
    raise NotFound(_("No such action."))


@bp.post("/instances/<int:instance_id>/<action>")
@login_required
def act(instance_id: int, action: str):
    try:
        message = _act(action, instance_id, request.form)
    except DomainError as exc:
        if exc.status in (401, 403, 404):
            raise
        db.session.rollback()
        errors = exc.fields or {"_": [exc.message]}
        flash(exc.message, "error")
        return _instance_page(instance_id, form=action, errors=errors, posted=request.form, status=exc.status)
    db.session.commit()
    flash(message)
    return redirect(url_for("admin.instance", instance_id=instance_id))


@bp.post("/incidents/<int:incident_id>/retry")
@login_required
def retry(incident_id: int):
    instance_id = request.form.get("instance_id", type=int)
    try:
        incident = operations.retry_incident(db.session, current_actor(), incident_id,
                                             reason=request.form.get("reason", ""))
    except DomainError as exc:
        if exc.status in (401, 403, 404) or instance_id is None:
            raise
        db.session.rollback()
        flash(exc.message, "error")
        return _instance_page(instance_id, form=f"retry-{incident_id}", errors=exc.fields or {"_": [exc.message]},
                              posted=request.form, status=exc.status)
    db.session.commit()
    flash(_("The failed step ran again.") if incident.status == "resolved"
          else _("The step was retried and failed again."))
    return redirect(url_for("admin.instance", instance_id=incident.instance_id))


# -- migration ----------------------------------------------------------------------------------
def _selection(form: MultiDict) -> service.MigrationSelection:
    ids = [int(part) for part in form.get("instance_ids", "").replace(",", " ").split() if part.isdigit()]
    return service.MigrationSelection(
        process_key=form.get("process_key", "").strip(), target_version=form.get("target_version", type=int),
        instance_ids=ids or None, from_version=form.get("from_version", type=int),
        tenant=form.get("tenant") or None, business_key=(form.get("business_key") or "").strip() or None,
        waiting_at=(form.get("waiting_at") or "").strip() or None)


@bp.route("/migrations", methods=["GET", "POST"])
@login_required
def migrations():
    actor = current_actor()
    require_role(actor, ADMIN)
    form = request.form if request.method == "POST" else request.args
    previews = results = None
    errors: dict = {}
    status = 200
    if request.method == "POST":
        selection = _selection(form)
        try:
            if not selection.process_key:
                raise BadRequest(_("Choose a process."), fields={"process_key": [_("Choose a process.")]})
            if form.get("do") == "migrate":
                results = service.migrate(db.session, actor, selection, reason=form.get("reason", ""))
                db.session.commit()
            else:
                previews = service.preview_migration(db.session, actor, selection)
        except DomainError as exc:
            if exc.status in (401, 403):
                raise
            db.session.rollback()
            errors, status = exc.fields or {"_": [exc.message]}, exc.status
    groups = service.definitions(db.session, actor)
    return render_template("admin/migrations.html", groups=groups, form=form, previews=previews, results=results,
                           errors=errors, tenants=_tenants()), status
