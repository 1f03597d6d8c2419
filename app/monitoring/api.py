"""/api/v1: utilisation samples (M.13), detection rules and idle/zombie findings (M.25).

Ingestion is a function view (the ``ingest`` token scope marks a view function, as for usage).
"""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app import bulk, clock
from app.auth import current_actor, token_scope, upload_limit
from app.calendar.rules import local_date
from app.extensions import db
from app.monitoring import ingest, service
from app.monitoring import schemas as s

bp = Blueprint("monitoring_api", __name__, url_prefix="/api/v1",
               description="Utilisation monitoring and idle/zombie findings (M.13, M.25)")
UTILISATION, FINDINGS = ["utilisation"], ["idle findings"]


@bp.route("/utilisation", methods=["POST"], endpoint="UtilisationIngest")
@bp.doc(tags=UTILISATION, requestBody={"content": {
    "application/json": {"schema": s.SampleUploadSchema},
    "multipart/form-data": {"schema": {"type": "object", "properties": {"file": {"type": "string",
                                                                                 "format": "binary"}}}}}})
@bp.response(200, s.SampleIngestResultSchema)
@token_scope(ingest.INGEST_SCOPE)
@upload_limit(bulk.UPLOAD_LIMIT)
def ingest_samples():
    """Send utilisation samples in bulk (a collector token limited to ``ingest``, or an administrator).
    Idempotent per system and moment; bad rows are reported, good rows kept and rolled up."""
    actor = current_actor()
    result = ingest.ingest(db.session, actor, bulk.upload_rows(ingest.rows_from_csv), now=clock.now(),
                           source=actor.username)
    db.session.commit()
    return result


@bp.route("/systems/<int:project_id>/utilisation")
class SystemUtilisation(MethodView):
    @bp.doc(tags=UTILISATION)
    @bp.arguments(s.SpanQuerySchema, location="query")
    @bp.response(200, s.DailySchema(many=True))
    def get(self, query, project_id: int):
        """A system's daily utilisation (default: the last 30 days)."""
        first, last = service.default_span(local_date(clock.now()))
        return service.daily(db.session, current_actor(), project_id, day_from=query["day_from"] or first,
                             day_to=query["day_to"] or last)


@bp.route("/idle-rules")
class Rules(MethodView):
    @bp.doc(tags=FINDINGS)
    @bp.response(200, s.RuleSchema(many=True))
    def get(self):
        """The idle and zombie rules with their thresholds."""
        rules = service.ensure_rules(db.session)
        db.session.commit()
        return rules


@bp.route("/idle-rules/<key>")
class RuleByKey(MethodView):
    @bp.doc(tags=FINDINGS)
    @bp.arguments(s.RuleUpdateSchema)
    @bp.response(200, s.RuleSchema)
    def put(self, body, key: str):
        """Change a rule's thresholds (administrators); fields left out keep their value."""
        rule = service.update_rule(db.session, current_actor(), key, body, now=clock.now())
        db.session.commit()
        return rule


@bp.route("/idle-findings")
class Findings(MethodView):
    @bp.doc(tags=FINDINGS)
    @bp.arguments(s.FindingQuerySchema, location="query")
    @bp.response(200, s.FindingSchema(many=True))
    def get(self, query):
        """Findings on systems I may see, newest first."""
        return service.list_findings(db.session, current_actor(), status=query["status"], rule=query["rule"],
                                     project_id=query["project_id"], open_only=query["open"])


@bp.route("/idle-findings/<int:finding_id>")
class FindingById(MethodView):
    @bp.doc(tags=FINDINGS)
    @bp.response(200, s.FindingDetailSchema)
    def get(self, finding_id: int):
        """A finding with its evidence, history and the tasks its case waits on."""
        return service.finding_detail(db.session, current_actor(), finding_id)
