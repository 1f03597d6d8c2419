"""/api/v1: vendor change proposals (M.28), security incidents and drills (M.31)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app import clock
from app.auth import current_actor
from app.extensions import db
from app.governance import changes, drills, incidents, queries
from app.governance import schemas as s

bp = Blueprint("governance_api", __name__, url_prefix="/api/v1",
               description="Vendor changes (M.28), security incidents and drills (M.31)")
CHANGES, INCIDENTS, DRILLS = ["vendor changes"], ["security incidents"], ["security drills"]


@bp.route("/vendor-changes")
class Changes(MethodView):
    @bp.doc(tags=CHANGES)
    @bp.arguments(s.ChangeQuerySchema, location="query")
    @bp.response(200, s.ChangeSchema(many=True))
    def get(self, query):
        """Change proposals I may see: a vendor its own, bdc, the authority and eitc all."""
        return changes.list_changes(db.session, current_actor(), **query)

    @bp.doc(tags=CHANGES)
    @bp.arguments(s.ChangeSubmitSchema)
    @bp.response(201, s.ChangeSchema)
    def post(self, body):
        """A vendor submits an optimisation or adjustment plan in advance (M.28): at least 5 working
        days before its window, 15 for a major change."""
        change = changes.submit(db.session, current_actor(), now=clock.now(), **body)
        db.session.commit()
        return change


@bp.route("/vendor-changes/<int:change_id>")
class ChangeById(MethodView):
    @bp.doc(tags=CHANGES)
    @bp.response(200, s.ChangeDetailSchema)
    def get(self, change_id: int):
        """A change proposal with its violations and the steps it waits on."""
        return queries.change_detail(db.session, current_actor(), change_id)


@bp.route("/vendor-changes/<int:change_id>/carried-out")
class ChangeCarriedOut(MethodView):
    @bp.doc(tags=CHANGES)
    @bp.arguments(s.CarriedOutSchema)
    @bp.response(201, s.CarriedOutResultSchema)
    def post(self, body, change_id: int):
        """Record that the change was carried out; without approval or outside the window it is a
        violation of M.28 that bdc and the authority see and the vendor's evaluation counts."""
        violation = changes.record_carried_out(db.session, current_actor(), change_id, now=clock.now(), **body)
        db.session.commit()
        return {"change_id": change_id, "authorised": violation is None, "violation": violation}


@bp.route("/vendor-change-violations")
class Violations(MethodView):
    @bp.doc(tags=CHANGES)
    @bp.response(200, s.ViolationSchema(many=True))
    def get(self):
        """Changes carried out without approval or outside their window (M.28)."""
        return changes.violations(db.session, current_actor())


@bp.route("/security-incidents")
class Incidents(MethodView):
    @bp.doc(tags=INCIDENTS)
    @bp.arguments(s.SecurityIncidentQuerySchema, location="query")
    @bp.response(200, s.SecurityIncidentSchema(many=True))
    def get(self, query):
        """Incidents I may see: units their own, districts theirs, city roles all."""
        return incidents.list_incidents(db.session, current_actor(), **query)

    @bp.doc(tags=INCIDENTS)
    @bp.arguments(s.SecurityIncidentReportSchema)
    @bp.response(201, s.SecurityIncidentSchema)
    def post(self, body):
        """Report a security incident with its severity (M.31); handling starts with deadlines by severity."""
        incident = incidents.report(db.session, current_actor(), now=clock.now(), **body)
        db.session.commit()
        return incident


@bp.route("/security-incidents/<int:incident_id>")
class IncidentById(MethodView):
    @bp.doc(tags=INCIDENTS)
    @bp.response(200, s.SecurityIncidentDetailSchema)
    def get(self, incident_id: int):
        """An incident with its deadlines, escalation, report and open steps."""
        return queries.incident_detail(db.session, current_actor(), incident_id)


@bp.route("/security-drills")
class Drills(MethodView):
    @bp.doc(tags=DRILLS)
    @bp.response(200, s.DrillSchema(many=True))
    def get(self):
        """Emergency drills, scheduled or started by hand (M.31)."""
        return drills.list_drills(db.session, current_actor())

    @bp.doc(tags=DRILLS)
    @bp.arguments(s.DrillStartSchema)
    @bp.response(201, s.DrillSchema)
    def post(self, body):
        """bdc starts a drill outside its quarterly schedule."""
        drill = drills.start(db.session, current_actor(), now=clock.now(), **body)
        db.session.commit()
        return drill


@bp.route("/security-drills/<int:drill_id>")
class DrillById(MethodView):
    @bp.doc(tags=DRILLS)
    @bp.response(200, s.DrillDetailSchema)
    def get(self, drill_id: int):
        """A drill with its findings (owner, due date) and open steps."""
        return queries.drill_detail(db.session, current_actor(), drill_id)
