"""/api/v1/attachments: upload (multipart), metadata, download."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app.attachments import http, service
from app.attachments import schemas as s
from app.auth import current_actor
from app.extensions import db

bp = Blueprint("attachments_api", __name__, url_prefix="/api/v1", description="Attachments")
TAGS = ["attachments"]


@bp.route("/attachments")
class Attachments(MethodView):
    @bp.doc(tags=TAGS)
    @bp.arguments(s.AttachmentQuerySchema, location="query")
    @bp.response(200, s.AttachmentSchema(many=True))
    def get(self, query):
        """Attachments I may see (my tenant; a unit or vendor: its own organisation's)."""
        ids = service.parse_ids(query["ids"], field="ids") if query["ids"] else None
        return service.list_attachments(db.session, current_actor(), ids=ids, purpose=query["purpose"])

    @bp.doc(tags=TAGS)
    @bp.arguments(s.UploadFileSchema, location="files")
    @bp.arguments(s.UploadFormSchema, location="form")
    @bp.response(201, s.AttachmentSchema)
    def post(self, files, form):
        """Upload one file (multipart ``file=``): pdf, png, jpeg, docx, xlsx, txt or csv, checked by content."""
        upload = files["file"]
        attachment = service.upload(db.session, current_actor(), filename=upload.filename or "",
                                    stream=upload.stream, purpose=form["purpose"])
        db.session.commit()
        return attachment


@bp.route("/attachments/<int:attachment_id>")
class AttachmentById(MethodView):
    @bp.doc(tags=TAGS)
    @bp.response(200, s.AttachmentSchema)
    def get(self, attachment_id: int):
        """An attachment's metadata."""
        return service.get(db.session, current_actor(), attachment_id)


@bp.route("/attachments/<int:attachment_id>/content")
class AttachmentContent(MethodView):
    @bp.doc(tags=TAGS)
    @bp.response(200, {"format": "binary", "type": "string"}, content_type="application/octet-stream")
    def get(self, attachment_id: int):
        """The file, always as a download (``Content-Disposition: attachment``, ``nosniff``)."""
        return http.download(*service.content(db.session, current_actor(), attachment_id))
