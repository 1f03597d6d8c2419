"""/api/v1: go-live security checks (M.30), dedicated domains (M.11), outside applications (M.7)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app import clock
from app.auth import current_actor
from app.calendar.rules import local_date
from app.extensions import db
from app.onboarding import domains, golive, outside
from app.onboarding import schemas as s

bp = Blueprint("onboarding_api", __name__, url_prefix="/api/v1",
               description="Going on the cloud: go-live security, dedicated domains, outside applicants")
GOLIVE, DOMAINS, OUTSIDE = ["go-live security (M.30)"], ["dedicated domains (M.11)"], ["outside applicants (M.7)"]


def _today():
    return local_date(clock.now())


@bp.route("/golive-checks")
class GoLiveChecks(MethodView):
    @bp.doc(tags=GOLIVE)
    @bp.arguments(s.GoLiveQuerySchema, location="query")
    @bp.response(200, s.GoLiveSchema(many=True))
    def get(self, query):
        """Go-live security checks of the projects I may see."""
        return golive.list_checks(db.session, current_actor(), project_id=query["project_id"])

    @bp.doc(tags=GOLIVE)
    @bp.arguments(s.GoLiveStartSchema)
    @bp.response(201, s.GoLiveSchema)
    def post(self, body):
        """The project's unit starts its pre-launch security steps (M.30); formal opening waits for them."""
        check = golive.start(db.session, current_actor(), body["project_id"], today=_today())
        db.session.commit()
        return check


@bp.route("/golive-checks/<int:check_id>")
class GoLiveCheckById(MethodView):
    @bp.doc(tags=GOLIVE)
    @bp.response(200, s.GoLiveSchema)
    def get(self, check_id: int):
        """A check with its recorded steps, evidence and the security commitment."""
        return golive.get(db.session, current_actor(), check_id)


@bp.route("/dedicated-domains")
class Domains(MethodView):
    @bp.doc(tags=DOMAINS)
    @bp.response(200, s.DomainSchema(many=True))
    def get(self):
        """Dedicated domains I may see."""
        return domains.list_domains(db.session, current_actor())

    @bp.doc(tags=DOMAINS)
    @bp.arguments(s.DomainSubmitSchema)
    @bp.response(201, s.DomainSchema)
    def post(self, body):
        """Submit a construction and management plan (M.11); the authority and eitc review it."""
        domain = domains.submit(db.session, current_actor(), today=_today(), **body)
        db.session.commit()
        return domain


@bp.route("/dedicated-domains/<int:domain_id>")
class DomainById(MethodView):
    @bp.doc(tags=DOMAINS)
    @bp.response(200, s.DomainSchema)
    def get(self, domain_id: int):
        """A dedicated domain, its responsibility split and the resources placed in it."""
        return domains.get(db.session, current_actor(), domain_id)


@bp.route("/dedicated-domains/<int:domain_id>/placements")
class DomainPlacements(MethodView):
    @bp.doc(tags=DOMAINS)
    @bp.arguments(s.PlacementSchema)
    @bp.response(201, s.PlacementSchema)
    def post(self, body, domain_id: int):
        """Place one of the unit's resources in its approved domain."""
        placement = domains.place(db.session, current_actor(), domain_id, body["allocation_id"])
        db.session.commit()
        return placement


@bp.route("/outside-applications")
class OutsideApplications(MethodView):
    @bp.doc(tags=OUTSIDE)
    @bp.response(200, s.OutsideSchema(many=True))
    def get(self):
        """Applications of outside bodies I may see (a supervising department: its own)."""
        return outside.list_applications(db.session, current_actor())

    @bp.doc(tags=OUTSIDE)
    @bp.arguments(s.OutsideApplySchema)
    @bp.response(201, s.OutsideSchema)
    def post(self, body):
        """A supervising department files an outside body's application to bdc (M.7)."""
        application = outside.apply(db.session, current_actor(), today=_today(), **body)
        db.session.commit()
        return application


@bp.route("/outside-applications/<int:application_id>")
class OutsideApplicationById(MethodView):
    @bp.doc(tags=OUTSIDE)
    @bp.response(200, s.OutsideSchema)
    def get(self, application_id: int):
        """An outside body's application and its outcome."""
        return outside.get(db.session, current_actor(), application_id)
