"""/api/v1/tasks: the inbox for other clients."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app.auth import current_actor
from app.extensions import db
from app.inbox import service
from app.inbox import schemas as s

bp = Blueprint("tasks", __name__, url_prefix="/api/v1/tasks", description="Human tasks")


@bp.route("")
class Tasks(MethodView):
    @bp.arguments(s.TaskQuerySchema, location="query")
    @bp.response(200, s.TaskPageSchema)
    def get(self, query):
        """scope=mine (assigned to me), candidate (my groups, unclaimed) or all I can see."""
        filters = service.TaskFilters(process_key=query["process_key"], tenant=query["tenant"],
                                      overdue=query["overdue"], due_before=query["due_before"])
        return service.list_tasks(db.session, current_actor(), scope=query["scope"], filters=filters,
                                  page=query["page"], per_page=query["per_page"])


def _detail(task_id: str) -> dict:
    view = service.task_view(db.session, current_actor(), task_id)
    return {**s.TaskSchema().dump(view["task"]), "form": view["form"], "data": view["data"]}


@bp.route("/<task_id>")
class TaskById(MethodView):
    @bp.response(200, s.TaskDetailSchema)
    def get(self, task_id: str):
        """The task with its form schema and the data it shows."""
        return _detail(task_id)


@bp.route("/<task_id>/claim")
class TaskClaim(MethodView):
    @bp.response(200, s.TaskSchema)
    def post(self, task_id: str):
        """Take a task offered to one of my groups."""
        task = service.claim(db.session, current_actor(), task_id)
        db.session.commit()
        return task


@bp.route("/<task_id>/unclaim")
class TaskUnclaim(MethodView):
    @bp.response(200, s.TaskSchema)
    def post(self, task_id: str):
        """Give a claimed task back to its groups."""
        task = service.unclaim(db.session, current_actor(), task_id)
        db.session.commit()
        return task


@bp.route("/<task_id>/complete")
class TaskComplete(MethodView):
    @bp.arguments(s.CompleteSchema)
    @bp.response(200, s.TaskSchema)
    def post(self, body, task_id: str):
        """Complete with data validated against the task's form: 409 if already completed, 422 per field."""
        task = service.complete(db.session, current_actor(), task_id, body["data"])
        db.session.commit()
        return task
