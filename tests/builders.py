"""Small builders for test data. Users share one pre-computed password hash (hashing is slow by design)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from itertools import count

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app import clock
from app.accounts.models import Organisation, User, UserRole
from app.accounts.roles import CITY
from app.extensions import db
from app.security import Actor

PASSWORD = "correct-horse-battery"
_seq = count(1)

KIND_FOR_ROLE = {
    "authority": "authority", "eitc": "eitc", "bdc": "bdc", "procurement": "procurement",
    "admin": "bdc", "process_owner": "bdc", "district.authority": "district_authority",
    "district.operator": "district_operator", "district.finance": "district_finance", "vendor": "vendor",
}


@cache
def _password_hash() -> str:
    return generate_password_hash(PASSWORD)


def organisation(*, kind: str = "district_unit", tenant: str = "huangpu", code: str | None = None,
                 name: str | None = None) -> Organisation:
    code = code or f"org-{next(_seq)}"
    org = db.session.scalar(select(Organisation).where(Organisation.code == code))
    if org is None:
        org = Organisation(code=code, name=name or code, kind=kind, tenant_id=tenant)
        db.session.add(org)
        db.session.flush()
    return org


def user(username: str | None = None, *, roles: set[str] | str = "unit", tenant: str | None = None,
         org: Organisation | None = None) -> User:
    roles = {roles} if isinstance(roles, str) else set(roles)
    if org is None:
        first = sorted(roles)[0]
        kind = KIND_FOR_ROLE.get(first) or ("city_unit" if tenant in (None, CITY) else "district_unit")
        if tenant is None:
            tenant = CITY if kind in {"authority", "eitc", "bdc", "procurement", "vendor"} else "huangpu"
        org = organisation(kind=kind, tenant=tenant, code=f"{kind}.{tenant}")
    account = User(username=username or f"user{next(_seq)}", display_name=username or "user",
                   password_hash=_password_hash(), organisation=org)
    account.role_rows = [UserRole(role=r) for r in sorted(roles)]
    db.session.add(account)
    db.session.commit()
    return account


def actor(account: User) -> Actor:
    return Actor.of(account)


@contextmanager
def frozen_at(moment: datetime) -> Iterator[clock.FrozenClock]:
    """The app clock (and with it SpiffWorkflow's timers, see ``engine.use_app_clock``) frozen at
    ``moment``; move it with ``.advance(…)`` or by setting ``.current``."""
    source = clock.FrozenClock(moment)
    clock.set_source(source)
    try:
        yield source
    finally:
        clock.set_source(None)
