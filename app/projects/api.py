"""/api/v1/projects: a unit's information systems and their quotas (M.18)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app import clock
from app.auth import current_actor
from app.calendar.rules import local_date
from app.extensions import db
from app.projects import schemas as s
from app.projects import service
from app.resources import queries as resources_queries
from app.resources import service as resources_service
from app.resources.schemas import ApplicationSchema

bp = Blueprint("projects_api", __name__, url_prefix="/api/v1", description="Projects and quotas (M.18)")
TAGS = ["projects"]


@bp.route("/projects")
class Projects(MethodView):
    @bp.doc(tags=TAGS)
    @bp.arguments(s.ProjectQuerySchema, location="query")
    @bp.response(200, s.ProjectSchema(many=True))
    def get(self, query):
        """Projects I may see: a unit its own, a district its district's, city roles all."""
        return service.list_projects(db.session, current_actor(), status=query["status"], tenant_id=query["tenant"])

    @bp.doc(tags=TAGS)
    @bp.arguments(s.ProjectCreateSchema)
    @bp.response(201, ApplicationSchema)
    def post(self, body):
        """Apply for a project quota at approval (立项), declaring any periodic load (M.18). Starts the
        resource application chain: eitc review → test resources → verification → formal opening."""
        application = resources_service.apply_for_quota(db.session, current_actor(), today=local_date(clock.now()),
                                                        **body)
        db.session.commit()
        return application


@bp.route("/projects/<int:project_id>")
class ProjectById(MethodView):
    @bp.doc(tags=TAGS)
    @bp.response(200, s.ProjectDetailSchema)
    def get(self, project_id: int):
        """The project with its quota per item and what is used of it (M.20, M.22)."""
        return resources_queries.project_detail(db.session, current_actor(), project_id)
