"""Who is acting, what they may see: the one place where tenant isolation lives.

P.4(5) / DESIGN §1: a district's users see only their district; city roles see across
districts. Every model holding tenant data inherits :class:`TenantScoped`. Services read
such rows only through :func:`scoped` / :func:`get_visible`, which add the tenant filter.
A session-level guard refuses any other SELECT of a tenant-scoped model, so a new domain
that forgets the helper fails on its first query instead of leaking data. System jobs that
legitimately read across tenants say so with :func:`all_tenants`.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import ForeignKey, Select, String, event, select
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, declared_attr, mapped_column

from app.accounts.roles import CITY, CITY_WIDE_ROLES
from app.errors import Forbidden, NotFound

M = TypeVar("M")


@dataclass(frozen=True)
class Actor:
    """The acting person (or the system) as services see it: never the request."""

    user_id: int | None
    username: str
    tenant_id: str
    roles: frozenset[str]
    display_name: str = ""
    is_system: bool = False
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def city_wide(self) -> bool:
        return self.is_system or bool(self.roles & CITY_WIDE_ROLES)

    def has_any(self, roles: Iterable[str]) -> bool:
        return self.is_system or bool(self.roles & set(roles))

    def can_see_tenant(self, tenant_id: str) -> bool:
        return self.city_wide or tenant_id == self.tenant_id

    @classmethod
    def of(cls, user: Any, scopes: Iterable[str] = ()) -> Actor:
        return cls(
            user_id=user.id,
            username=user.username,
            tenant_id=user.tenant_id,
            roles=user.roles,
            display_name=user.display_name,
            scopes=frozenset(scopes),
        )


SYSTEM = Actor(user_id=None, username="system", tenant_id=CITY, roles=frozenset({"admin"}),
               display_name="system", is_system=True)


class TenantScoped:
    """Mixin for every model that belongs to a tenant (a district code or ``city``)."""

    @declared_attr
    def tenant_id(cls) -> Mapped[str]:  # noqa: N805 - SQLAlchemy declared_attr signature
        return mapped_column(String(32), ForeignKey("tenant.code"), index=True)


class UnscopedQueryError(RuntimeError):
    """A tenant-scoped model was queried without going through :func:`scoped`."""


_CHECKED = "tenant_checked"


def scoped(actor: Actor, model: type[M], *criteria: Any) -> Select:
    """SELECT of ``model`` limited to what ``actor`` may see, plus ``criteria``."""
    stmt = select(model).where(*criteria)
    if not actor.city_wide:
        stmt = stmt.where(model.tenant_id == actor.tenant_id)  # type: ignore[attr-defined]
    return stmt.execution_options(**{_CHECKED: True})


def all_tenants(stmt: Select) -> Select:
    """Mark a statement as deliberately cross-tenant (scheduler jobs, system aggregates)."""
    return stmt.execution_options(**{_CHECKED: True})


def get_visible(session: Session, actor: Actor, model: type[M], ident: Any,
                *, roles: Iterable[str] | None = None) -> M:
    """The object if the actor may see it: 404 when absent or in another tenant, 403 when
    visible but the actor's roles may not act on it."""
    pk = model.__mapper__.primary_key[0]  # type: ignore[attr-defined]
    obj = session.execute(scoped(actor, model, pk == ident)).scalar_one_or_none()
    if obj is None:
        raise NotFound(f"{model.__name__} {ident} not found", code="not_found")
    if roles is not None:
        require_role(actor, *roles)
    return obj


def require_role(actor: Actor, *roles: str) -> None:
    if not actor.has_any(roles):
        from flask_babel import gettext as _

        raise Forbidden(_("This action needs one of the roles: %(roles)s.", roles=", ".join(roles)))


def require_tenant(actor: Actor, tenant_id: str) -> None:
    """For writes that name a tenant: another tenant is reported as absent, never as forbidden."""
    if not actor.can_see_tenant(tenant_id):
        raise NotFound(f"tenant {tenant_id} not found")


@event.listens_for(Session, "do_orm_execute")
def _guard_tenant_queries(state: ORMExecuteState) -> None:
    if not state.is_select or state.is_column_load or state.is_relationship_load:
        return
    if state.execution_options.get(_CHECKED):
        return
    for mapper in state.all_mappers:
        if issubclass(mapper.class_, TenantScoped):
            raise UnscopedQueryError(
                f"{mapper.class_.__name__} is tenant-scoped: query it with app.security.scoped() "
                "or mark a system query with all_tenants()"
            )
