"""/api/v1: resources (allocations) and resource applications — expansion, reclaim, development,
emergency and temporary resources, extensions (M.19–M.24, M.26)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app import clock
from app.auth import current_actor
from app.calendar.rules import local_date
from app.extensions import db
from app.resources import queries, service
from app.resources import schemas as s

bp = Blueprint("resources_api", __name__, url_prefix="/api/v1", description="Resources and applications (M.19–M.26)")
RESOURCES, APPLICATIONS = ["resources"], ["resource applications"]


def _today():
    return local_date(clock.now())


@bp.route("/resources")
class Allocations(MethodView):
    @bp.doc(tags=RESOURCES)
    @bp.arguments(s.AllocationQuerySchema, location="query")
    @bp.response(200, s.AllocationSchema(many=True))
    def get(self, query):
        """Resources I may see, with kind, state and expiry."""
        return queries.list_allocations(db.session, current_actor(), project_id=query["project_id"],
                                        state=query["state"], kind=query["kind"], active_only=query["active"])


@bp.route("/resources/<int:allocation_id>")
class AllocationById(MethodView):
    @bp.doc(tags=RESOURCES)
    @bp.response(200, s.AllocationDetailSchema)
    def get(self, allocation_id: int):
        """A resource with its history (opened, expanded, notices, extensions, reclaim)."""
        return queries.allocation_detail(db.session, current_actor(), allocation_id)


@bp.route("/resources/<int:allocation_id>/extensions")
class AllocationExtensions(MethodView):
    @bp.doc(tags=RESOURCES)
    @bp.arguments(s.ExtensionSchema)
    @bp.response(201, s.ApplicationSchema)
    def post(self, body, allocation_id: int):
        """Ask to extend an emergency or temporary resource, at least 15 working days before expiry
        (M.23, M.24); eitc and the authority decide."""
        application = service.request_extension(db.session, current_actor(), allocation_id, today=_today(), **body)
        db.session.commit()
        return application


@bp.route("/projects/<int:project_id>/expansions")
class ProjectExpansions(MethodView):
    @bp.doc(tags=APPLICATIONS)
    @bp.arguments(s.ExpansionSchema)
    @bp.response(201, s.ApplicationSchema)
    def post(self, body, project_id: int):
        """Apply to expand open resources (M.20); above 120 % of the quota eitc decides first."""
        application = service.request_expansion(db.session, current_actor(), project_id, today=_today(), **body)
        db.session.commit()
        return application


@bp.route("/projects/<int:project_id>/reclaims")
class ProjectReclaims(MethodView):
    @bp.doc(tags=APPLICATIONS)
    @bp.arguments(s.ReclaimSchema)
    @bp.response(201, s.ApplicationSchema)
    def post(self, body, project_id: int):
        """Return resources no longer used (M.21), after backup and migration (M.26)."""
        application = service.request_reclaim(db.session, current_actor(), project_id, today=_today(), **body)
        db.session.commit()
        return application


@bp.route("/projects/<int:project_id>/special-resources")
class ProjectSpecialResources(MethodView):
    @bp.doc(tags=APPLICATIONS)
    @bp.arguments(s.SpecialSchema)
    @bp.response(201, s.ApplicationSchema)
    def post(self, body, project_id: int):
        """Apply for development (M.22), emergency (M.23) or temporary (M.24) resources."""
        application = service.request_special(db.session, current_actor(), project_id, today=_today(), **body)
        db.session.commit()
        return application


@bp.route("/resource-applications")
class Applications(MethodView):
    @bp.doc(tags=APPLICATIONS)
    @bp.arguments(s.ApplicationQuerySchema, location="query")
    @bp.response(200, s.ApplicationSchema(many=True))
    def get(self, query):
        """Applications I may see, newest first (``status=pending``: what is being decided)."""
        return queries.list_applications(db.session, current_actor(), **query)


@bp.route("/resource-applications/<int:application_id>")
class ApplicationById(MethodView):
    @bp.doc(tags=APPLICATIONS)
    @bp.response(200, s.ApplicationDetailSchema)
    def get(self, application_id: int):
        """An application with its lines, history and the steps it waits on."""
        return queries.application_detail(db.session, current_actor(), application_id)


@bp.route("/resource-applications/<int:application_id>/quota")
class ApplicationQuota(MethodView):
    @bp.doc(tags=APPLICATIONS)
    @bp.arguments(s.GrantSchema)
    @bp.response(200, s.ApplicationSchema)
    def put(self, body, application_id: int):
        """eitc sets the quota of a temporary application (M.24) before approving it."""
        quantities = {line["line_id"]: line["quantity"] for line in body["lines"]}
        application = service.set_granted_quantities(db.session, current_actor(), application_id, quantities)
        db.session.commit()
        return application
