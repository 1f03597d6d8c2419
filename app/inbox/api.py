"""/api/v1: the inbox for other clients — tasks, bulk completion, absences, notifications.

One blueprint (already registered by the app factory) with OpenAPI tags per resource.
"""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app import clock
from app.auth import current_actor
from app.extensions import db
from app.inbox import bulk, notifications, service, substitutes
from app.inbox import schemas as s

bp = Blueprint("tasks", __name__, url_prefix="/api/v1", description="Human tasks, substitutes and notifications")
TASKS, ABSENCES, NOTIFICATIONS = ["tasks"], ["absences"], ["notifications"]


@bp.route("/tasks")
class Tasks(MethodView):
    @bp.doc(tags=TASKS)
    @bp.arguments(s.TaskQuerySchema, location="query")
    @bp.response(200, s.TaskPageSchema)
    def get(self, query):
        """My tasks by scope, filtered (process, district, overdue, due before) and sorted (due date first)."""
        filters = service.TaskFilters(process_key=query["process_key"], tenant=query["tenant"],
                                      overdue=query["overdue"], due_before=query["due_before"])
        return service.list_tasks(db.session, current_actor(), scope=query["scope"], filters=filters,
                                  page=query["page"], per_page=query["per_page"], sort=query["sort"])


@bp.route("/tasks/bulk-complete")
class TasksBulkComplete(MethodView):
    @bp.doc(tags=TASKS)
    @bp.arguments(s.BulkCompleteSchema)
    @bp.response(200, s.BulkResultSchema)
    def post(self, body):
        """Complete several tasks of one step and form with the same data, each in its own transaction.
        422 (nothing done) when the selection is mixed or the data breaks the form; otherwise 200 with
        the outcome of every task (``ok``, and the status it would have had alone: 409, 403, 422 …)."""
        outcomes = bulk.complete_many(db.session, current_actor(), body["task_ids"], body["data"],
                                      commit=db.session.commit, rollback=db.session.rollback)
        done = sum(o.ok for o in outcomes)
        return {"completed": done, "failed": len(outcomes) - done, "items": outcomes}


@bp.route("/tasks/<task_id>")
class TaskById(MethodView):
    @bp.doc(tags=TASKS)
    @bp.response(200, s.TaskDetailSchema)
    def get(self, task_id: str):
        """The task with its form schema, the data it shows and the regulation article it implements."""
        return service.task_view(db.session, current_actor(), task_id)


@bp.route("/tasks/<task_id>/claim")
class TaskClaim(MethodView):
    @bp.doc(tags=TASKS)
    @bp.response(200, s.TaskSchema)
    def post(self, task_id: str):
        """Take a task offered to one of my groups (409 if someone else has it)."""
        item = service.claim(db.session, current_actor(), task_id)
        db.session.commit()
        return item


@bp.route("/tasks/<task_id>/unclaim")
class TaskUnclaim(MethodView):
    @bp.doc(tags=TASKS)
    @bp.response(200, s.TaskSchema)
    def post(self, task_id: str):
        """Give a claimed task back to its groups."""
        item = service.unclaim(db.session, current_actor(), task_id)
        db.session.commit()
        return item


@bp.route("/tasks/<task_id>/complete")
class TaskComplete(MethodView):
    @bp.doc(tags=TASKS)
    @bp.arguments(s.CompleteSchema)
    @bp.response(200, s.TaskSchema)
    def post(self, body, task_id: str):
        """Complete with data validated against the task's form: 409 if already completed, 422 per field.
        A substitute completes on behalf of the absent colleague (the audit names both)."""
        item = service.complete(db.session, current_actor(), task_id, body["data"])
        db.session.commit()
        return item


@bp.route("/absences")
class Absences(MethodView):
    @bp.doc(tags=ABSENCES)
    @bp.arguments(s.AbsenceQuerySchema, location="query")
    @bp.response(200, s.AbsenceSchema(many=True))
    def get(self, query):
        """My absences and those I cover (admins: all they see); current and future unless include_past."""
        return substitutes.list_absences(db.session, current_actor(), include_past=query["include_past"])

    @bp.doc(tags=ABSENCES)
    @bp.arguments(s.AbsenceCreateSchema)
    @bp.response(201, s.AbsenceSchema)
    def post(self, body):
        """Set an absence and its substitute (same tenant, a shared role); 409 if it overlaps another."""
        absence = substitutes.set_absence(db.session, current_actor(), **body)
        db.session.commit()
        return absence


@bp.route("/absences/colleagues")
class AbsenceColleagues(MethodView):
    @bp.doc(tags=ABSENCES)
    @bp.response(200, s.ColleagueSchema(many=True))
    def get(self):
        """Who may substitute for me: active users of my tenant sharing one of my working roles."""
        return substitutes.eligible_substitutes(db.session, current_actor())


@bp.route("/absences/<int:absence_id>")
class AbsenceById(MethodView):
    @bp.doc(tags=ABSENCES)
    @bp.response(200, s.AbsenceSchema)
    def delete(self, absence_id: int):
        """Cancel an absence (the absent user or an admin): the substitute stops seeing the tasks."""
        absence = substitutes.cancel_absence(db.session, current_actor(), absence_id)
        db.session.commit()
        return absence


@bp.route("/notifications")
class Notifications(MethodView):
    @bp.doc(tags=NOTIFICATIONS)
    @bp.arguments(s.NotificationQuerySchema, location="query")
    @bp.response(200, s.NotificationPageSchema)
    def get(self, query):
        """My notifications, newest first, with the unread count."""
        return notifications.list_notifications(db.session, current_actor(), unread_only=query["unread"],
                                                page=query["page"], per_page=query["per_page"])


@bp.route("/notifications/read-all")
class NotificationsReadAll(MethodView):
    @bp.doc(tags=NOTIFICATIONS)
    @bp.response(200, s.ReadAllSchema)
    def post(self):
        """Mark all my notifications read."""
        marked = notifications.mark_all_read(db.session, current_actor(), now=clock.now())
        db.session.commit()
        return {"marked": marked}


@bp.route("/notifications/<int:notification_id>/read")
class NotificationRead(MethodView):
    @bp.doc(tags=NOTIFICATIONS)
    @bp.response(200, s.NotificationSchema)
    def post(self, notification_id: int):
        """Mark one of my notifications read."""
        found = notifications.mark_read(db.session, current_actor(), notification_id, now=clock.now())
        db.session.commit()
        return found
