"""/api/v1/auth: API tokens and the current user."""
from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from app.accounts import service
from app.accounts.schemas import MeSchema, NewTokenSchema, TokenRequestSchema, TokenSchema
from app.auth import current_actor
from app.errors import Unauthorized
from app.extensions import db

bp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Authentication")


@bp.route("/tokens")
class Tokens(MethodView):
    @bp.arguments(TokenRequestSchema)
    @bp.response(201, NewTokenSchema)
    def post(self, body):
        """Exchange a username and password for a bearer token."""
        try:
            user = service.authenticate(
                db.session, body["username"], body["password"],
                max_failures=current_app.config["LOGIN_MAX_FAILURES"],
                lockout_seconds=current_app.config["LOGIN_LOCKOUT_SECONDS"],
            )
        except Unauthorized:
            db.session.commit()  # keep the failure count that drives the lock-out
            raise
        token, clear = service.issue_token(db.session, user, name=body["name"],
                                           days=body["days"] or current_app.config["API_TOKEN_DAYS"])
        db.session.commit()
        token.clear_text = clear  # shown once, never stored
        return token

    @bp.response(200, TokenSchema(many=True))
    def get(self):
        """My tokens (never their secret)."""
        return service.list_tokens(db.session, current_actor())


@bp.route("/tokens/<int:token_id>")
class TokenById(MethodView):
    @bp.response(200, TokenSchema)
    def delete(self, token_id: int):
        """Revoke a token."""
        token = service.revoke_token(db.session, current_actor(), token_id)
        db.session.commit()
        return token


@bp.route("/me")
class Me(MethodView):
    @bp.response(200, MeSchema)
    def get(self):
        """Who the credentials belong to."""
        return current_actor()
