"""Attachment pages: my attachments with an upload form, and the download link every page uses.

Other pages include ``attachments/_widget.html`` to list the attachments a record names and to
offer the upload page (which shows the new attachment's number to put into a form field).
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.attachments import http, service
from app.auth import current_actor
from app.errors import ValidationFailed
from app.extensions import db

bp = Blueprint("attachments", __name__, url_prefix="/attachments")


@bp.get("/")
@login_required
def index():
    items = service.list_attachments(db.session, current_actor(), purpose=request.args.get("purpose") or None)
    return render_template("attachments/index.html", items=items, errors={},
                           purpose=request.args.get("purpose", ""), created=request.args.get("created"))


@bp.post("/")
@login_required
def upload():
    upload = request.files.get("file")
    purpose = (request.form.get("purpose") or "")[:64]
    try:
        attachment = service.upload(db.session, current_actor(), filename=upload.filename if upload else "",
                                    stream=upload.stream if upload else _Empty(), purpose=purpose)
    except ValidationFailed as exc:
        db.session.rollback()
        items = service.list_attachments(db.session, current_actor())
        return render_template("attachments/index.html", items=items, errors=exc.fields, purpose=purpose,
                               created=None), 422
    db.session.commit()
    flash(_("Uploaded as attachment no. %(id)s.", id=attachment.id), "success")
    return redirect(url_for("attachments.index", created=attachment.id))


@bp.get("/<int:attachment_id>/download")
@login_required
def download(attachment_id: int):
    return http.download(*service.content(db.session, current_actor(), attachment_id))


class _Empty:
    @staticmethod
    def read(_size: int = -1) -> bytes:
        return b""
