"""Absences and substitutes: while a user is away, a colleague of the same role and tenant works
on their tasks, and the audit names both (the substitute acts, ``on_behalf_of`` the absent user).

Periods are whole PRC days: an absence "from 1 to 5 October" runs from 00:00 on the 1st to
24:00 on the 5th, Shanghai time, whatever the server's zone. Which tasks a substitute then
reaches is decided in ``app.workflow.access`` (the one place for that rule); this module says
who is absent now and who covers them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import Organisation, User, UserRole
from app.calendar.rules import SHANGHAI, local_date
from app.errors import Conflict, Forbidden, ValidationFailed
from app.inbox.models import Absence
from app.security import Actor, get_visible, scoped

ADMIN = "admin"
# Roles that are permissions rather than work: sharing only these does not make a substitute.
NOT_WORK_ROLES = frozenset({"admin", "process_owner"})
MAX_DAYS = 366


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=SHANGHAI)


@dataclass(frozen=True)
class Colleague:
    username: str
    display_name: str
    shared_roles: frozenset[str]


def _user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def eligible_substitutes(session: Session, actor: Actor, username: str | None = None) -> list[Colleague]:
    """Active users of the same tenant sharing a working role with ``username`` (default: the actor)."""
    user = _user(session, username or actor.username)
    if user is None:
        return []
    roles = set(user.roles) - NOT_WORK_ROLES
    if not roles:
        return []
    rows = session.execute(
        select(User.username, User.display_name, UserRole.role)
        .join(UserRole, UserRole.user_id == User.id).join(Organisation, Organisation.id == User.organisation_id)
        .where(User.active, User.id != user.id, Organisation.tenant_id == user.tenant_id, UserRole.role.in_(roles))
        .order_by(User.username)).all()
    found: dict[str, tuple[str, set[str]]] = {}
    for name, display, role in rows:
        found.setdefault(name, (display, set()))[1].add(role)
    return [Colleague(name, display, frozenset(shared)) for name, (display, shared) in found.items()]


def set_absence(session: Session, actor: Actor, *, substitute: str, starts_on: date, ends_on: date,
                note: str = "", username: str | None = None) -> Absence:
    """Record an absence of ``username`` (default: the actor; admins may set one for a colleague
    of a tenant they see) covered by ``substitute`` from ``starts_on`` to ``ends_on`` inclusive."""
    username = username or actor.username
    if username != actor.username and not actor.has_any({ADMIN}):
        raise Forbidden(_("Only administrators may set an absence for someone else."))
    absent = _user(session, username)
    if absent is None or not actor.can_see_tenant(absent.tenant_id):
        raise ValidationFailed(_("Some fields are invalid."), fields={"username": [_("No such user.")]})
    _check_period(starts_on, ends_on)
    if substitute not in {c.username for c in eligible_substitutes(session, actor, username)}:
        raise ValidationFailed(_("Some fields are invalid."), fields={"substitute": [
            _("Choose an active colleague of the same tenant who shares one of the absent user's roles.")]})
    starts_at, ends_at = day_start(starts_on), day_start(ends_on + timedelta(days=1))
    overlapping = session.scalar(scoped(actor, Absence, Absence.username == username, Absence.cancelled_at.is_(None),
                                        Absence.starts_at < ends_at, Absence.ends_at > starts_at).limit(1))
    if overlapping is not None:
        raise Conflict(_("This period overlaps another absence of the same user; change or cancel that one."),
                       code="absence_overlaps", fields={"starts_on": [_("overlaps another absence")]})
    absence = Absence(tenant_id=absent.tenant_id, username=username, substitute=substitute, starts_at=starts_at,
                      ends_at=ends_at, note=(note or "").strip()[:200], created_by=actor.username,
                      created_at=clock.now())
    session.add(absence)
    session.flush()
    return absence


def _check_period(starts_on: date, ends_on: date) -> None:
    fields: dict[str, list[str]] = {}
    today = local_date(clock.now())
    if ends_on < starts_on:
        fields["ends_on"] = [_("The last day cannot be before the first day.")]
    elif ends_on < today:
        fields["ends_on"] = [_("The absence is already over.")]
    elif (ends_on - starts_on).days >= MAX_DAYS:
        fields["ends_on"] = [_("An absence lasts at most %(n)s days.", n=MAX_DAYS)]
    if fields:
        raise ValidationFailed(_("Some fields are invalid."), fields=fields)


def cancel_absence(session: Session, actor: Actor, absence_id: int) -> Absence:
    """End an absence now (or drop a future one): the absent user, or an administrator."""
    absence = get_visible(session, actor, Absence, absence_id)
    if absence.username != actor.username and not actor.has_any({ADMIN}):
        if absence.substitute == actor.username:
            raise Forbidden(_("Only the absent user or an administrator may cancel this absence."))
        raise Forbidden(_("This absence is not yours."))
    if absence.cancelled_at is None:
        absence.cancelled_at = clock.now()
        session.flush()
    return absence


def list_absences(session: Session, actor: Actor, *, include_past: bool = False) -> list[Absence]:
    """The actor's absences and those they cover (admins: every one they see), newest first."""
    stmt = scoped(actor, Absence)
    if not actor.has_any({ADMIN}):
        stmt = stmt.where((Absence.username == actor.username) | (Absence.substitute == actor.username))
    if not include_past:
        stmt = stmt.where(Absence.cancelled_at.is_(None), Absence.ends_at > clock.now())
    return list(session.scalars(stmt.order_by(Absence.starts_at.desc(), Absence.id.desc()).limit(200)))


def absent_colleagues(session: Session, actor: Actor, now: datetime | None = None) -> frozenset[str]:
    """Usernames the actor substitutes for at ``now``: the absence has begun and not ended."""
    now = now or clock.now()
    rows = session.scalars(scoped(actor, Absence, Absence.substitute == actor.username, Absence.cancelled_at.is_(None),
                                  Absence.starts_at <= now, Absence.ends_at > now).with_only_columns(Absence.username))
    return frozenset(rows)


def substitutes_of(session: Session, usernames: set[str], now: datetime) -> dict[str, str]:
    """For the scheduler's notices (system reads): absent user -> their substitute at ``now``."""
    from app.security import all_tenants

    if not usernames:
        return {}
    rows = session.execute(all_tenants(select(Absence.username, Absence.substitute).where(
        Absence.username.in_(sorted(usernames)), Absence.cancelled_at.is_(None), Absence.starts_at <= now,
        Absence.ends_at > now))).all()
    return {username: substitute for username, substitute in rows}


def display_names(session: Session, usernames: set[str]) -> dict[str, str]:
    names = {u for u in usernames if u}
    if not names:
        return {}
    rows = session.execute(select(User.username, User.display_name).where(User.username.in_(sorted(names))))
    return dict(rows.all())


@dataclass
class AbsencePage:
    absences: list[Absence]
    colleagues: list[Colleague]
    names: dict[str, str]
    covering_now: frozenset[str]


def absence_page(session: Session, actor: Actor) -> AbsencePage:
    """The substitutes page: current and future absences, who may cover me, display names."""
    absences = list_absences(session, actor)
    colleagues = eligible_substitutes(session, actor)
    names = display_names(session, {a.username for a in absences} | {a.substitute for a in absences})
    return AbsencePage(absences, colleagues, names, absent_colleagues(session, actor))
