"""Authentication at the edge: who sent this request, as an :class:`~app.security.Actor`.

Pages use the Flask-Login session; the API takes ``Authorization: Bearer <token>`` or, for
pages that call it, the session plus the CSRF header. CSRF is checked here, once, for every
state-changing request that rides on a cookie.
"""
from __future__ import annotations

from flask import Flask, current_app, g, redirect, request, url_for
from flask_login import current_user

from app.accounts import service as accounts_service
from app.errors import Forbidden, Unauthorized
from app.extensions import csrf, db, login_manager
from app.security import Actor

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Reachable without credentials: the token exchange itself and the API description.
PUBLIC_API = {("POST", "/api/v1/auth/tokens"), ("GET", "/api/v1/openapi.json")}


def current_actor() -> Actor:
    actor = g.get("actor")
    if actor is None:
        raise Unauthorized("Log in or send a valid API token.")
    return actor


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return None


def _load_actor() -> None:
    _apply_upload_limit()
    g.actor = None
    g.token_scopes = frozenset()
    is_api = request.path.startswith("/api/")
    token = _bearer() if is_api else None
    if token is not None:
        found = accounts_service.user_for_token(db.session, token)
        if found is None:
            raise Unauthorized("The API token is invalid, expired or revoked.", code="bad_token")
        user, api_token = found
        scopes = frozenset(s for s in api_token.scopes.split(",") if s)
        g.actor = Actor.of(user, scopes)
        db.session.commit()  # last_used_at
        return
    if current_user.is_authenticated:
        g.actor = Actor.of(current_user)
    if request.method not in SAFE_METHODS and (request.method, request.path) not in PUBLIC_API:
        csrf.protect()
    if is_api and g.actor is None and (request.method, request.path) not in PUBLIC_API:
        raise Unauthorized("Log in or send a valid API token.")


def _enforce_token_scopes() -> None:
    actor = g.get("actor")
    if actor is None or not actor.scopes:
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "_token_scope", None) not in actor.scopes:
        raise Forbidden(f"This token is limited to: {', '.join(sorted(actor.scopes))}.")


def upload_limit(max_bytes: int):
    """Let one view accept bodies above the app-wide ``MAX_CONTENT_LENGTH`` (bulk uploads).

    Applied before anything reads the body, the CSRF check of a browser session included."""
    def mark(view):
        view._upload_limit = max_bytes
        return view
    return mark


def _apply_upload_limit() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    limit = getattr(view, "_upload_limit", None)
    if limit is not None:
        request.max_content_length = limit


def token_scope(scope: str):
    """Mark an API view as usable by a token limited to ``scope``."""
    def mark(view):
        view._token_scope = scope
        return view
    return mark


@login_manager.user_loader
def _load_user(user_id: str):
    user = accounts_service.get_user(db.session, int(user_id))
    return user if user is not None and user.active else None


@login_manager.unauthorized_handler
def _unauthorized():
    if request.path.startswith("/api/"):
        raise Unauthorized("Log in or send a valid API token.")
    return redirect(url_for("accounts.login", next=request.full_path))


def init_app(app: Flask) -> None:
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked in _load_actor, once, for every cookie request
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "strong"
    app.before_request(_load_actor)
    app.before_request(_enforce_token_scopes)
