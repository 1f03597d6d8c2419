"""/api/v1/usage: collectors send metered usage (M.13, P.4(6)); everyone reads what they may see.

Function views, not a MethodView: the ``ingest`` token scope marks a view function, one per method.
"""
from __future__ import annotations

from flask_smorest import Blueprint

from app import bulk, clock
from app.auth import current_actor, token_scope, upload_limit
from app.calendar.rules import local_date
from app.extensions import db
from app.metering import schemas as s
from app.metering import service

bp = Blueprint("metering_api", __name__, url_prefix="/api/v1", description="Metered usage (M.13, P.4(6))")
TAGS = ["usage"]


def _upload_rows():
    return bulk.upload_rows(service.rows_from_csv)


@bp.route("/usage", methods=["POST"], endpoint="UsageIngest")
@bp.doc(tags=TAGS, requestBody={"content": {
    "application/json": {"schema": s.UsageUploadSchema},
    "multipart/form-data": {"schema": {"type": "object", "properties": {"file": {"type": "string",
                                                                                 "format": "binary"}}}}}})
@bp.response(200, s.IngestResultSchema)
@token_scope(service.INGEST_SCOPE)
@upload_limit(bulk.UPLOAD_LIMIT)
def ingest():
    """Send daily usage in bulk (a collector token limited to ``ingest``, or an administrator).
    Idempotent per resource, item and day; bad rows are reported, good rows kept."""
    actor = current_actor()
    now = clock.now()
    result = service.ingest(db.session, actor, _upload_rows(), today=local_date(now), now=now,
                            source=actor.username)
    db.session.commit()
    return result


@bp.route("/usage", methods=["GET"], endpoint="UsageList")
@bp.doc(tags=TAGS)
@bp.arguments(s.UsageQuerySchema, location="query")
@bp.response(200, s.UsagePageSchema)
@token_scope(service.INGEST_SCOPE)
def list_usage(query):
    """Usage I may see, by day; filter by resource, item and days (``from``, ``to``)."""
    return service.list_usage(db.session, current_actor(), **query)
