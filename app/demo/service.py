"""Load the demo data, idempotently: what exists is left alone, what is missing is added."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.models import Organisation, User
from app.accounts.roles import DISTRICTS
from app.demo import data


def _organisation(session: Session, code: str, name: str, kind: str, tenant: str) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.code == code))
    if org is None:
        org = Organisation(code=code, name=name, kind=kind, tenant_id=tenant)
        session.add(org)
        session.flush()
    return org


def _user(session: Session, username: str, display: str, org: Organisation, roles: set[str]) -> bool:
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        return False
    accounts_service.create_user(session, username=username, password=data.DEMO_PASSWORD,
                                 display_name=display, organisation=org, roles=roles)
    return True


def load(session: Session) -> list[str]:
    """Add what is missing; return the usernames created by this call."""
    accounts_service.ensure_tenants(session)
    orgs = {code: _organisation(session, code, name, kind, tenant)
            for code, name, kind, tenant in data.CITY_ORGANISATIONS}
    created = [u for u, display, org, roles in data.CITY_USERS
               if _user(session, u, display, orgs[org], roles)]
    for district in data.DEMO_DISTRICTS:
        label = DISTRICTS[district]
        for suffix, template, kind in data.DISTRICT_ORGANISATIONS:
            code = f"{district}.{suffix}"
            orgs[code] = _organisation(session, code, template.format(d=label), kind, district)
        for suffix, template, org_suffix, roles in data.DISTRICT_USERS:
            username = f"{district}.{suffix}"
            if _user(session, username, template.format(d=label), orgs[f"{district}.{org_suffix}"], roles):
                created.append(username)
    _load_resources(session)  # resources (helper)
    __import__("app.demo.procurement", fromlist=["load"]).load(session)  # 统采分签 demo round (procurement)
    return created


def _load_resources(session: Session) -> None:
    """resources (helper): the service catalogue and sample projects in several districts."""
    from app import clock
    from app.calendar.rules import local_date
    from app.demo import resources

    now = clock.now()
    resources.load(session, today=local_date(now), now=now)


def logins() -> list[tuple[str, str]]:
    """(username, what they do) for the README and ``make run``'s banner."""
    rows = [(u, ", ".join(sorted(r))) for u, _d, _o, r in data.CITY_USERS]
    for district in data.DEMO_DISTRICTS:
        rows += [(f"{district}.{s}", ", ".join(sorted(r))) for s, _d, _o, r in data.DISTRICT_USERS]
    return rows
