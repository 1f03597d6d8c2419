"""/api/v1: evaluation schemes, evaluations and their results (M.33–M.34), vendor feedback (P.4(7))."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app import clock
from app.auth import current_actor
from app.calendar.rules import local_date
from app.errors import ValidationFailed
from app.evaluation import evaluations, feedback, schemes
from app.evaluation import schemas as s
from app.evaluation.scoring import parse_quarter
from app.extensions import db

bp = Blueprint("evaluation_api", __name__, url_prefix="/api/v1", description="Efficiency evaluation (M.33–M.34)")
SCHEMES, EVALUATIONS, FEEDBACK = ["evaluation schemes"], ["evaluations"], ["vendor feedback"]


@bp.route("/evaluation-schemes/<subject>")
class SchemeBySubject(MethodView):
    @bp.doc(tags=SCHEMES)
    @bp.response(200, s.SchemeSchema)
    def get(self, subject: str):
        """The scheme of ``unit`` or ``vendor`` (404 until one is configured)."""
        return schemes.get_configured(db.session, subject)

    @bp.doc(tags=SCHEMES)
    @bp.arguments(s.SchemeInSchema)
    @bp.response(200, s.SchemeSchema)
    def put(self, body, subject: str):
        """Replace the scheme (authority or admin): weights adding up to 100, grades, what a missing
        indicator counts as, and the coefficient table (M.27, M.33)."""
        scheme = schemes.replace(db.session, current_actor(), subject, body)
        db.session.commit()
        return scheme


@bp.route("/evaluation-indicators")
class Indicators(MethodView):
    @bp.doc(tags=SCHEMES)
    @bp.response(200, s.IndicatorSchema(many=True))
    def get(self):
        """Every indicator a scheme may weight, by subject."""
        return [i for subject in ("unit", "vendor") for i in schemes.available_indicators(subject)]


@bp.route("/evaluations")
class Evaluations(MethodView):
    @bp.doc(tags=EVALUATIONS)
    @bp.response(200, s.EvaluationSchema(many=True))
    def get(self):
        """Evaluations, newest period first (published ones only, outside the city roles)."""
        return evaluations.list_evaluations(db.session, current_actor())

    @bp.doc(tags=EVALUATIONS)
    @bp.arguments(s.EvaluationStartSchema)
    @bp.response(201, s.EvaluationSchema)
    def post(self, body):
        """Start the evaluation of a finished period by hand (authority or admin): computed, then
        reviewed by the authority and eitc, then published."""
        found = evaluations.start(db.session, current_actor(), today=local_date(clock.now()), **body)
        db.session.commit()
        return found


@bp.route("/evaluations/<int:evaluation_id>")
class EvaluationById(MethodView):
    @bp.doc(tags=EVALUATIONS)
    @bp.response(200, s.EvaluationSchema)
    def get(self, evaluation_id: int):
        return evaluations.get_evaluation(db.session, current_actor(), evaluation_id)


@bp.route("/evaluations/<int:evaluation_id>/results")
class EvaluationResults(MethodView):
    @bp.doc(tags=EVALUATIONS)
    @bp.response(200, s.EvaluationResultSchema(many=True))
    def get(self, evaluation_id: int):
        """The results of one evaluation the caller may see (a unit or vendor: its own)."""
        return evaluations.results(db.session, current_actor(), evaluation_id=evaluation_id)


@bp.route("/evaluation-results")
class Results(MethodView):
    @bp.doc(tags=EVALUATIONS)
    @bp.arguments(s.ResultQuerySchema, location="query")
    @bp.response(200, s.EvaluationResultSchema(many=True))
    def get(self, query):
        """Every result the caller may see, newest first."""
        return evaluations.results(db.session, current_actor(), **query)


@bp.route("/evaluation-results/<int:result_id>")
class ResultById(MethodView):
    @bp.doc(tags=EVALUATIONS)
    @bp.response(200, s.EvaluationResultSchema)
    def get(self, result_id: int):
        return evaluations.get_result(db.session, current_actor(), result_id)


@bp.route("/vendor-feedback")
class Feedback(MethodView):
    @bp.doc(tags=FEEDBACK)
    @bp.arguments(s.FeedbackQuerySchema, location="query")
    @bp.response(200, s.FeedbackSchema(many=True))
    def get(self, query):
        """Feedback I may see: a vendor about itself, a district its own, city roles all."""
        period_start = None
        if query.get("period"):
            try:
                period_start = parse_quarter(query["period"])[0]
            except ValueError:
                raise ValidationFailed("Write a quarter as 2025Q3.", fields={"period": ["Write a quarter as 2025Q3."]})
        return feedback.list_feedback(db.session, current_actor(), vendor_id=query.get("vendor_id"),
                                      period_start=period_start)

    @bp.doc(tags=FEEDBACK)
    @bp.arguments(s.FeedbackInSchema)
    @bp.response(201, s.FeedbackSchema)
    @bp.alt_response(200, schema=s.FeedbackSchema, description="an earlier rating of the same period replaced")
    def post(self, body):
        """Rate a vendor's service for a quarter (P.4(7)); rating again replaces the earlier rating."""
        row, created = feedback.rate(db.session, current_actor(), **body)
        db.session.commit()
        return row, 201 if created else 200


@bp.route("/vendor-feedback/<int:feedback_id>")
class FeedbackById(MethodView):
    @bp.doc(tags=FEEDBACK)
    @bp.response(200, s.FeedbackSchema)
    def get(self, feedback_id: int):
        return feedback.get_feedback(db.session, current_actor(), feedback_id)
