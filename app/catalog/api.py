"""/api/v1: the service catalogue — versions, their items, the items in force (M.15, M.16)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app import clock
from app.auth import current_actor
from app.calendar.rules import local_date
from app.catalog import schemas as s
from app.catalog import service
from app.extensions import db

bp = Blueprint("catalog_api", __name__, url_prefix="/api/v1", description="Service catalogue (M.15, M.16)")
TAGS = ["catalogue"]


@bp.route("/catalog-versions")
class Versions(MethodView):
    @bp.doc(tags=TAGS)
    @bp.arguments(s.VersionQuerySchema, location="query")
    @bp.response(200, s.VersionSummarySchema(many=True))
    def get(self, query):
        """Catalogue versions I may read: the city's and my district's, every version kept (M.16)."""
        return service.list_versions(db.session, current_actor(), tenant_id=query["tenant"])

    @bp.doc(tags=TAGS)
    @bp.arguments(s.VersionCreateSchema)
    @bp.response(201, s.VersionSchema)
    def post(self, body):
        """Propose a version or an adjustment (the operator of the catalogue's tenant); starts the
        compilation process: authority review → compile → authority and eitc approve."""
        actor = current_actor()
        tenant = body.pop("tenant") or actor.tenant_id
        version = service.propose(db.session, actor, tenant_id=tenant, today=local_date(clock.now()), **body)
        db.session.commit()
        return version


@bp.route("/catalog-versions/<int:version_id>")
class VersionById(MethodView):
    @bp.doc(tags=TAGS)
    @bp.response(200, s.VersionSchema)
    def get(self, version_id: int):
        """A version with its items and tier tables."""
        return service.get_version(db.session, current_actor(), version_id)


@bp.route("/catalog-versions/<int:version_id>/items")
class VersionItems(MethodView):
    @bp.doc(tags=TAGS)
    @bp.arguments(s.ItemsSchema)
    @bp.response(200, s.VersionSchema)
    def put(self, body, version_id: int):
        """Replace the items while the version is proposed or being compiled (409 once approved)."""
        version = service.replace_items(db.session, current_actor(), version_id, body["items"])
        db.session.commit()
        return version


@bp.route("/catalog-items")
class ItemsInForce(MethodView):
    @bp.doc(tags=TAGS)
    @bp.arguments(s.ItemQuerySchema, location="query")
    @bp.response(200, s.ItemsInForceSchema)
    def get(self, query):
        """The items in force on a day for my tenant: my district's own catalogue, else the city's."""
        actor = current_actor()
        return service.in_force_for(db.session, actor, tenant_id=query["tenant"],
                                    day=query["on"] or local_date(clock.now()))
