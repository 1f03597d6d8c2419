"""/api/v1/admin: the admin pages' data and actions, for scripts. Admins act; process owners read
definitions and deploy. Every action takes a ``reason`` and is recorded in the instance's history."""
from __future__ import annotations

from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint

from app.admin import dashboard, service
from app.admin import schemas as s
from app.auth import current_actor
from app.errors import ValidationFailed
from app.extensions import db
from app.workflow import operations

bp = Blueprint("admin_api", __name__, url_prefix="/api/v1/admin",
               description="Admin: definitions, instances, repairs, migration, dashboard")


@bp.route("/dashboard")
class Dashboard(MethodView):
    @bp.response(200, s.AdminDashboardSchema)
    def get(self):
        """Instances by process and state, incidents, overdue tasks by district, timers, job health."""
        return dashboard.build(db.session, current_actor())


@bp.route("/definitions")
class Definitions(MethodView):
    @bp.response(200, s.AdminDefinitionGroupSchema(many=True))
    def get(self):
        """Every process key with its versions and their instances by status (process owners, admins)."""
        return service.definitions(db.session, current_actor())


@bp.route("/deployments")
class Deployments(MethodView):
    @bp.arguments(s.AdminUploadFileSchema, location="files")
    @bp.response(201, s.AdminUploadResultSchema)
    @bp.alt_response(200, schema=s.AdminUploadResultSchema, description="unchanged: not redeployed")
    def post(self, files):
        """Upload a new version; 422 lists each problem as file:line: [element] reason."""
        upload = files["file"]
        result = service.upload(db.session, current_actor(), upload.read(), upload.filename or "")
        if not result.ok:
            raise ValidationFailed(_("The diagram cannot be deployed: %(n)s problem(s).", n=len(result.problems)),
                                   fields={"file": [str(p) for p in result.problems]}, code="invalid_diagram")
        db.session.commit()
        return result, 201 if result.created else 200


@bp.route("/instances")
class Instances(MethodView):
    @bp.arguments(s.AdminInstanceQuerySchema, location="query")
    @bp.response(200, s.AdminInstancePageSchema)
    def get(self, query):
        """Instances by definition and version, status, tenant, business key, start time, incident, wait."""
        page, per_page = query.pop("page"), query.pop("per_page")
        return service.list_instances(db.session, current_actor(), service.InstanceFilters(**query), page=page,
                                      per_page=per_page)


@bp.route("/instances/<int:instance_id>")
class InstanceById(MethodView):
    @bp.response(200, s.AdminInstanceDetailSchema)
    def get(self, instance_id: int):
        """Active, completed and failed elements, the path taken, variables, tasks, timers, incidents."""
        return service.instance_view(db.session, current_actor(), instance_id)


@bp.route("/instances/<int:instance_id>/history")
class InstanceHistory(MethodView):
    @bp.response(200, s.AdminHistorySchema)
    def get(self, instance_id: int):
        """The audit events, oldest first, with the hash chain verified."""
        _instance, events, intact, broken_at = service.history(db.session, current_actor(), instance_id)
        return {"events": events, "intact": intact, "broken_at": broken_at}


def _done(result):
    db.session.commit()
    return result


@bp.route("/instances/<int:instance_id>/suspend")
class InstanceSuspend(MethodView):
    @bp.arguments(s.AdminReasonSchema)
    @bp.response(200, s.AdminInstanceSchema)
    def post(self, body, instance_id: int):
        """Suspend: its tasks cannot be completed and its timers wait until it is resumed."""
        return _done(operations.suspend(db.session, current_actor(), instance_id, reason=body["reason"]))


@bp.route("/instances/<int:instance_id>/resume")
class InstanceResume(MethodView):
    @bp.arguments(s.AdminReasonSchema)
    @bp.response(200, s.AdminInstanceSchema)
    def post(self, body, instance_id: int):
        """Resume a suspended instance."""
        return _done(operations.resume(db.session, current_actor(), instance_id, reason=body["reason"]))


@bp.route("/instances/<int:instance_id>/cancel")
class InstanceCancel(MethodView):
    @bp.arguments(s.AdminReasonSchema)
    @bp.response(200, s.AdminInstanceSchema)
    def post(self, body, instance_id: int):
        """Cancel the instance: open tasks are withdrawn, timers dropped."""
        return _done(operations.cancel(db.session, current_actor(), instance_id, reason=body["reason"]))


@bp.route("/instances/<int:instance_id>/variables")
class InstanceVariables(MethodView):
    @bp.arguments(s.AdminVariablesSchema)
    @bp.response(200, s.AdminChangesSchema)
    def post(self, body, instance_id: int):
        """Set (``values``) and remove (``unset``) process variables; old and new values are audited."""
        changes = operations.edit_variables(db.session, current_actor(), instance_id, values=body["values"],
                                            unset=body["unset"], reason=body["reason"])
        return _done({"changes": changes})


@bp.route("/instances/<int:instance_id>/messages")
class InstanceMessages(MethodView):
    @bp.arguments(s.AdminMessageSchema)
    @bp.response(200, s.AdminInstanceSchema)
    def post(self, body, instance_id: int):
        """Deliver a BPMN message on the admin's authority; 409 when nothing waits for it."""
        return _done(operations.send_message(db.session, current_actor(), instance_id, name=body["name"],
                                             variables=body["variables"], reason=body["reason"]))


@bp.route("/instances/<int:instance_id>/move")
class InstanceMove(MethodView):
    @bp.arguments(s.AdminMoveSchema)
    @bp.response(200, s.AdminMoveResultSchema)
    def post(self, body, instance_id: int):
        """Cancel the token at ``source`` and start one before ``target`` (instance modification)."""
        return _done(operations.move_token(db.session, current_actor(), instance_id, source=body["source"],
                                           target=body["target"], reason=body["reason"]))


@bp.route("/instances/<int:instance_id>/migrate")
class InstanceMigrate(MethodView):
    @bp.arguments(s.AdminMigrateOneSchema)
    @bp.response(200, s.AdminMigrationResultSchema)
    def post(self, body, instance_id: int):
        """Move the instance to a newer version of its definition; 409 with the reasons if it cannot."""
        return _done(operations.migrate_instance(db.session, current_actor(), instance_id,
                                                 target_version=body["target_version"], reason=body["reason"]))


@bp.route("/incidents/<int:incident_id>/retry")
class IncidentRetry(MethodView):
    @bp.arguments(s.AdminReasonSchema)
    @bp.response(200, s.IncidentSchema)
    def post(self, body, incident_id: int):
        """Run the failed step again, after its cause is fixed."""
        return _done(operations.retry_incident(db.session, current_actor(), incident_id, reason=body["reason"]))


@bp.route("/migrations/preview")
class MigrationPreview(MethodView):
    @bp.arguments(s.AdminMigrationSelectionSchema)
    @bp.response(200, s.AdminMigrationPreviewSchema(many=True))
    def post(self, body):
        """Which instances could move to the target version, and why the others cannot. Changes nothing."""
        return service.preview_migration(db.session, current_actor(), service.MigrationSelection(**body))


@bp.route("/migrations")
class Migrations(MethodView):
    @bp.arguments(s.AdminMigrationBatchSchema)
    @bp.response(200, s.AdminMigrationResultSchema(many=True))
    def post(self, body):
        """Migrate each selected instance on its own: one that fails stays as it was; the report says which."""
        reason = body.pop("reason")
        return _done(service.migrate(db.session, current_actor(), service.MigrationSelection(**body), reason=reason))
