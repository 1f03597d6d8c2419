"""The inbox pages: task lists, the task page with its form, bulk approval, substitutes, notifications.

Each view parses, calls one service and renders (STYLE habit 2); the edge commits. Forms post
with the CSRF token (checked centrally in ``app.auth``) and work without JavaScript.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app import clock
from app.accounts.roles import CITY, DISTRICTS
from app.auth import current_actor
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.forms import has_submit_button, parse_form_post, render_form
from app.inbox import bulk, context, notifications, service, substitutes
from app.inbox.substitutes import day_start

bp = Blueprint("inbox", __name__, url_prefix="/inbox")
TABS = {"mine": "mine", "group": "candidate", "covering": "covering", "done": "done"}
PER_PAGE = 20


@bp.app_context_processor
def _bell() -> dict[str, Any]:
    """``inbox_unread()`` for the bell in the header: a function, so only pages that show it query."""
    def inbox_unread() -> int:
        from flask import g

        actor = g.get("actor")
        return notifications.unread_count(db.session, actor) if actor is not None else 0

    return {"inbox_unread": inbox_unread}


# -- lists -------------------------------------------------------------------------------------
def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, "").strip())
    except ValueError:
        return None


def _filters() -> service.TaskFilters:
    overdue = {"1": True, "0": False}.get(request.args.get("overdue", ""))
    due_by = _date_arg("due_before")
    return service.TaskFilters(
        process_key=request.args.get("process") or None, tenant=request.args.get("district") or None,
        overdue=overdue, due_before=day_start(due_by + timedelta(days=1)) if due_by else None)


@bp.get("/")
@login_required
def index():
    tab = request.args.get("tab", "mine")
    tab = tab if tab in TABS else "mine"
    sort = request.args.get("sort") if request.args.get("sort") in service.SORTS else None
    page = request.args.get("page", 1, type=int) or 1
    actor = current_actor()
    view = service.overview(db.session, actor, scope=TABS[tab], filters=_filters(), page=max(1, page),
                            per_page=PER_PAGE, sort=sort)
    tenant_names = {CITY: _("City"), **DISTRICTS}
    return render_template("inbox/index.html", view=view, tab=tab, sort=sort or "", args=request.args,
                           count_limit=service.COUNT_LIMIT,
                           tenant_names=tenant_names, districts=tenant_names if actor.city_wide else {})


# -- one task ----------------------------------------------------------------------------------
def _render_task(page: context.TaskPage, errors: dict | None = None, status: int = 200):
    form_html = None
    if page.form is not None:
        # An unclaimed group task can be completed straight away (claiming says "mine", it is not
        # a precondition), so the form is live for whoever may work on the task, read-only otherwise.
        form_html = render_form(page.form, values=page.values, errors=errors, readonly=not page.can_complete)
    return render_template("inbox/task.html", page=page, form_html=form_html,
                           own_submit=page.form is not None and has_submit_button(page.form)), status


@bp.get("/tasks/<task_id>")
@login_required
def task(task_id: str):
    return _render_task(context.task_page(db.session, current_actor(), task_id))


def _back(task_id: str) -> str:
    target = request.form.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("inbox.task", task_id=task_id)


@bp.post("/tasks/<task_id>/claim")
@login_required
def claim(task_id: str):
    service.claim(db.session, current_actor(), task_id)
    db.session.commit()
    flash(_("You have claimed the task."))
    return redirect(_back(task_id))


@bp.post("/tasks/<task_id>/unclaim")
@login_required
def unclaim(task_id: str):
    service.unclaim(db.session, current_actor(), task_id)
    db.session.commit()
    flash(_("The task is back in its group's inbox."))
    return redirect(_back(task_id))


@bp.post("/tasks/<task_id>/complete")
@login_required
def complete(task_id: str):
    actor = current_actor()
    try:
        item = service.complete(db.session, actor, task_id, html_post=request.form)
    except ValidationFailed as exc:
        db.session.rollback()
        page = context.task_page(db.session, actor, task_id, posted=request.form)
        return _render_task(page, errors=exc.fields, status=422)
    db.session.commit()
    if item.on_behalf_of:
        flash(_("Task “%(name)s” completed on behalf of %(user)s.", name=item.name, user=item.on_behalf_of))
    else:
        flash(_("Task “%(name)s” completed.", name=item.name))
    return redirect(url_for("inbox.index"))


# -- bulk approval ---------------------------------------------------------------------------
@bp.route("/bulk", methods=["GET", "POST"])
@login_required
def bulk_complete():
    actor = current_actor()
    ids = request.values.getlist("ids")
    if request.method == "GET":
        selection = bulk.select_tasks(db.session, actor, ids)
        return _render_bulk(selection)
    try:
        outcomes = bulk.complete_many(db.session, actor, ids, html_post=request.form,
                                      commit=db.session.commit, rollback=db.session.rollback)
    except ValidationFailed as exc:
        db.session.rollback()
        if exc.code == "mixed_selection" or "task_ids" in exc.fields:
            raise
        return _render_bulk(bulk.select_tasks(db.session, actor, ids), errors=exc.fields, status=422)
    return render_template("inbox/bulk_result.html", outcomes=outcomes, done=sum(o.ok for o in outcomes))


def _render_bulk(selection: bulk.Selection, errors: dict | None = None, status: int = 200):
    form_html = None
    if selection.form is not None:
        values = parse_form_post(selection.form, request.form) if errors is not None else None
        form_html = render_form(selection.form, values=values, errors=errors)
    return render_template("inbox/bulk.html", selection=selection, form_html=form_html,
                           own_submit=selection.form is not None and has_submit_button(selection.form)), status


# -- substitutes -----------------------------------------------------------------------------
@bp.route("/absences", methods=["GET", "POST"])
@login_required
def absences():
    actor = current_actor()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        starts_on, ends_on = _form_date("starts_on", errors), _form_date("ends_on", errors)
        try:
            if errors:
                raise ValidationFailed(_("Some fields are invalid."), fields=errors)
            substitutes.set_absence(db.session, actor, substitute=request.form.get("substitute", ""),
                                    starts_on=starts_on, ends_on=ends_on, note=request.form.get("note", ""))
            db.session.commit()
            flash(_("Your absence is recorded; your substitute sees your tasks during it."))
            return redirect(url_for("inbox.absences"))
        except (ValidationFailed, Conflict) as exc:
            db.session.rollback()
            errors = {**exc.fields, "_form": [exc.message]} if isinstance(exc, Conflict) else exc.fields
    page = substitutes.absence_page(db.session, actor)
    return render_template("inbox/absences.html", page=page, errors=errors, form=request.form), \
        (422 if errors else 200)


def _form_date(name: str, errors: dict[str, list[str]]) -> date | None:
    try:
        return date.fromisoformat(request.form.get(name, "").strip())
    except ValueError:
        errors[name] = [_("Enter a date as YYYY-MM-DD.")]
        return None


@bp.post("/absences/<int:absence_id>/cancel")
@login_required
def cancel_absence(absence_id: int):
    substitutes.cancel_absence(db.session, current_actor(), absence_id)
    db.session.commit()
    flash(_("The absence is cancelled."))
    return redirect(url_for("inbox.absences"))


# -- notifications ---------------------------------------------------------------------------
@bp.get("/notifications")
@login_required
def notification_list():
    page = request.args.get("page", 1, type=int) or 1
    view = notifications.list_notifications(db.session, current_actor(), unread_only=request.args.get("unread") == "1",
                                            page=max(1, page), per_page=30)
    return render_template("inbox/notifications.html", view=view, unread_only=request.args.get("unread") == "1")


@bp.get("/notifications/<int:notification_id>")
@login_required
def open_notification(notification_id: int):
    """Follow a notification to its task; reading it is what marks it read (idempotent)."""
    found = notifications.mark_read(db.session, current_actor(), notification_id, now=clock.now())
    db.session.commit()
    return redirect(url_for("inbox.task", task_id=found.task_id))


@bp.post("/notifications/read-all")
@login_required
def read_all():
    notifications.mark_all_read(db.session, current_actor(), now=clock.now())
    db.session.commit()
    return redirect(url_for("inbox.notification_list"))
