"""The shell of the UI: home page, language switch, API documentation."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import login_required

from app.auth import current_actor
from app.i18n import LOCALES

bp = Blueprint("web", __name__)


@bp.get("/")
@login_required
def index():
    return render_template("web/index.html", actor=current_actor())


@bp.post("/lang/<code>")
def set_language(code: str):
    if code in LOCALES:
        session["lang"] = code
    target = request.form.get("next") or url_for("web.index")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("web.index")
    return redirect(target)


@bp.get("/api-docs")
def api_docs():
    # Swagger UI from our own static folder (npm swagger-ui-dist), never a CDN.
    return render_template("web/api_docs.html")
