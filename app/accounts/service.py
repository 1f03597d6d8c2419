"""Accounts: users, password login with lock-out, API tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from app.accounts.models import ApiToken, Organisation, Tenant, User, UserRole
from app.accounts.roles import CITY, DISTRICTS, ROLES, ROLES_BY_KIND
from app.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from app.extensions import utcnow
from app.security import Actor

TOKEN_PREFIX = "ygt_"  # noqa: S105 - a marker, not a secret
MIN_PASSWORD_LENGTH = 8
# Checked against when the username is unknown, so timing does not reveal which usernames exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def ensure_tenants(session: Session) -> None:
    """The 16 districts and the city level exist in every database (idempotent)."""
    existing = set(session.scalars(select(Tenant.code)))
    if CITY not in existing:
        session.add(Tenant(code=CITY, name="市级", is_district=False))
    for code, name in DISTRICTS.items():
        if code not in existing:
            session.add(Tenant(code=code, name=name, is_district=True))
    session.flush()


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            _("The password is too short."),
            fields={"password": [_("At least %(n)s characters.", n=MIN_PASSWORD_LENGTH)]},
        )
    return generate_password_hash(password)


def create_user(session: Session, *, username: str, password: str, display_name: str,
                organisation: Organisation, roles: set[str]) -> User:
    unknown = set(roles) - ROLES
    if unknown:
        raise ValidationFailed(_("Unknown role."), fields={"roles": sorted(unknown)})
    allowed = ROLES_BY_KIND.get(organisation.kind, set())
    if not set(roles) <= allowed:
        raise ValidationFailed(
            _("These roles do not fit the organisation."),
            fields={"roles": [_("A %(kind)s member may hold: %(allowed)s", kind=organisation.kind,
                                allowed=", ".join(sorted(allowed)))]},
        )
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(_("The username %(name)s is taken.", name=username), fields={"username": ["taken"]})
    user = User(username=username, display_name=display_name, password_hash=hash_password(password),
                organisation=organisation)
    user.role_rows = [UserRole(role=r) for r in sorted(roles)]
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str, *, max_failures: int,
                 lockout_seconds: int, now: datetime | None = None) -> User:
    """The user if the password is right. Repeated failures lock the account for a while;
    the message never tells whether the username exists."""
    now = now or utcnow()
    bad = Unauthorized(_("Wrong username or password, or the account is locked."), code="bad_credentials")
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        raise bad
    if user.locked_until and user.locked_until > now:
        raise Unauthorized(
            _("Too many failed attempts: the account is locked until %(t)s.",
              t=user.locked_until.strftime("%H:%M UTC")),
            code="account_locked",
        )
    if not user.active or not check_password_hash(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= max_failures:
            user.locked_until = now + timedelta(seconds=lockout_seconds)
            user.failed_logins = 0
        session.flush()
        raise bad
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, *, days: int, name: str = "",
                scopes: set[str] | None = None) -> tuple[ApiToken, str]:
    """Create a token; the clear text is returned once and never stored."""
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, token_hash=_digest(clear), prefix=clear[:10],
                     scopes=",".join(sorted(scopes or ())), expires_at=utcnow() + timedelta(days=days))
    session.add(token)
    session.flush()
    return token, clear


def user_for_token(session: Session, clear: str, *, now: datetime | None = None) -> tuple[User, ApiToken] | None:
    if not clear.startswith(TOKEN_PREFIX):
        return None
    now = now or utcnow()
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(clear)))
    if token is None or token.revoked_at is not None or token.expires_at <= now or not token.user.active:
        return None
    # Record use at most once a minute: a busy collector should not write on every request.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
    return token.user, token


def list_tokens(session: Session, actor: Actor) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == actor.user_id)
                                .order_by(ApiToken.created_at.desc())))


def revoke_token(session: Session, actor: Actor, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or (token.user_id != actor.user_id and not actor.has_any({"admin"})):
        raise NotFound(_("No such token."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
    return token


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)
