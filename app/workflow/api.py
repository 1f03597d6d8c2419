"""/api/v1: process definitions, deployments, instances, history, messages, cancel, incidents."""
from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint

from app.auth import current_actor
from app.errors import BadRequest
from app.extensions import db
from app.workflow import deployment, service
from app.workflow import schemas as s

bp = Blueprint("workflow", __name__, url_prefix="/api/v1", description="Processes")


@bp.route("/process-definitions")
class Definitions(MethodView):
    @bp.response(200, s.DefinitionSchema(many=True))
    def get(self):
        """Deployed definitions with their running-instance counts."""
        return service.definitions_overview(db.session, current_actor())


@bp.route("/deployments")
class Deployments(MethodView):
    @bp.arguments(s.DeploymentFileSchema, location="files")
    @bp.response(201, s.DeploymentResultSchema)
    @bp.alt_response(200, schema=s.DeploymentResultSchema, description="unchanged: not redeployed")
    def post(self, files):
        """Deploy one .bpmn file (process owners). 422 lists every problem as file:line: [element] reason."""
        upload = files["file"]
        name = upload.filename or "upload.bpmn"
        if not name.lower().endswith(".bpmn"):
            raise BadRequest(_("Upload a .bpmn file."), fields={"file": ["must end with .bpmn"]})
        result = deployment.deploy(db.session, current_actor(), upload.read(), name)
        db.session.commit()
        return result, 201 if result.created else 200


@bp.route("/process-definitions/<key>/xml")
class DefinitionXml(MethodView):
    @bp.arguments(s.XmlQuerySchema, location="query")
    @bp.response(200, description="BPMN 2.0 XML", content_type="application/xml")
    def get(self, query, key: str):
        """The diagram as deployed, to open in Camunda Modeler."""
        definition = deployment.get_definition(db.session, key, query["version"])
        return Response(definition.xml, mimetype="application/xml", headers={
            "Content-Disposition": f'attachment; filename="{key}-v{definition.version}.bpmn"'})


@bp.route("/process-instances")
class Instances(MethodView):
    @bp.arguments(s.StartInstanceSchema)
    @bp.response(201, s.InstanceDetailSchema)
    def post(self, body):
        """Start the latest version of a process."""
        actor = current_actor()
        instance = service.start_instance(db.session, actor, process_key=body["process_key"],
                                          business_key=body["business_key"], variables=body["variables"],
                                          tenant_id=body["tenant"])
        db.session.commit()
        return _detail(instance.id)

    @bp.arguments(s.InstanceQuerySchema, location="query")
    @bp.response(200, s.InstancePageSchema)
    def get(self, query):
        """Instances visible to me, newest first."""
        return service.list_instances(db.session, current_actor(), **query)


class _InstanceView:
    """The instance row plus what describe() adds, for one schema to dump."""

    def __init__(self, detail: dict):
        self._instance = detail.pop("instance")
        self.__dict__.update(detail)

    def __getattr__(self, name: str):
        return getattr(self._instance, name)


def _detail(instance_id: int) -> _InstanceView:
    return _InstanceView(service.instance_detail(db.session, current_actor(), instance_id))


@bp.route("/process-instances/<int:instance_id>")
class InstanceById(MethodView):
    @bp.response(200, s.InstanceDetailSchema)
    def get(self, instance_id: int):
        """State, active and completed elements, variables, pending timers, open incidents."""
        return _detail(instance_id)


@bp.route("/process-instances/<int:instance_id>/history")
class InstanceHistory(MethodView):
    @bp.response(200, s.AuditEventSchema(many=True))
    def get(self, instance_id: int):
        """The audit events of the instance, oldest first."""
        return service.history(db.session, current_actor(), instance_id)


@bp.route("/process-instances/<int:instance_id>/messages")
class InstanceMessages(MethodView):
    @bp.arguments(s.MessageSchema)
    @bp.response(200, s.InstanceDetailSchema)
    def post(self, body, instance_id: int):
        """Deliver a BPMN message, or a signal of that name; 409 when the instance is not waiting for it."""
        service.send_message(db.session, current_actor(), instance_id, body["name"], body["variables"])
        db.session.commit()
        return _detail(instance_id)


@bp.route("/process-instances/<int:instance_id>/cancel")
class InstanceCancel(MethodView):
    @bp.arguments(s.CancelSchema)
    @bp.response(200, s.InstanceDetailSchema)
    def post(self, body, instance_id: int):
        """Cancel a running instance (admins)."""
        service.cancel_instance(db.session, current_actor(), instance_id, body["reason"])
        db.session.commit()
        return _detail(instance_id)


@bp.route("/incidents")
class Incidents(MethodView):
    @bp.arguments(s.IncidentQuerySchema, location="query")
    @bp.response(200, s.IncidentSchema(many=True))
    def get(self, query):
        """Failed steps (admins)."""
        return service.list_incidents(db.session, current_actor(), status=query["status"])


@bp.route("/incidents/<int:incident_id>/retry")
class IncidentRetry(MethodView):
    @bp.response(200, s.IncidentSchema)
    def post(self, incident_id: int):
        """Run the failed step again after its cause is fixed (admins)."""
        incident = service.retry_incident(db.session, current_actor(), incident_id)
        db.session.commit()
        return incident

