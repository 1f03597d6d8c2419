"""/api/v1/timers, /api/v1/jobs, /api/v1/job-runs: what the scheduler waits for and has done (admins)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app.auth import current_actor
from app.extensions import db
from app.jobs import schemas as s
from app.jobs import service

bp = Blueprint("scheduler", __name__, url_prefix="/api/v1", description="Timers and periodic jobs")


@bp.route("/timers")
class Timers(MethodView):
    @bp.arguments(s.SchedulerTimerQuerySchema, location="query")
    @bp.response(200, s.SchedulerTimerPageSchema)
    def get(self, query):
        """Timers, soonest due first, with instance, element, due time and lateness."""
        return service.list_timers(db.session, current_actor(), **query)


@bp.route("/timers/<int:timer_id>/retry")
class TimerRetry(MethodView):
    @bp.response(200, s.RetriedTimerSchema)
    def post(self, timer_id: int):
        """Let the scheduler try a failing timer again (its attempts start over)."""
        timer = service.retry_timer(db.session, current_actor(), timer_id)
        db.session.commit()
        return timer


@bp.route("/jobs")
class Jobs(MethodView):
    @bp.response(200, s.JobSchema(many=True))
    def get(self):
        """Registered periodic jobs, their schedules and latest runs."""
        return service.jobs_overview(db.session, current_actor())


@bp.route("/job-runs")
class JobRuns(MethodView):
    @bp.arguments(s.JobRunQuerySchema, location="query")
    @bp.response(200, s.JobRunSchema(many=True))
    def get(self, query):
        """Runs of periodic jobs, newest first."""
        return service.list_runs(db.session, current_actor(), **query)
