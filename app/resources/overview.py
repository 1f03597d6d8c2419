"""What the resource pages show, gathered in one call per page (views stay thin)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.catalog import service as catalog_service
from app.projects import service as projects_service
from app.projects.models import Project
from app.resources import queries
from app.resources.models import OPEN, PENDING, SPECIAL_KINDS, STANDARD_KINDS, Allocation, Application
from app.security import Actor


@dataclass
class ProjectCard:
    project: Project
    usage: list[queries.ItemUse]
    allocations: list[Allocation]

    @property
    def expandable(self) -> list[Allocation]:
        return [a for a in self.allocations if a.kind in STANDARD_KINDS and a.state == OPEN]

    @property
    def reclaimable(self) -> list[Allocation]:
        return [a for a in self.allocations if a.state == OPEN]

    @property
    def extendable(self) -> list[Allocation]:
        return [a for a in self.allocations if a.kind in SPECIAL_KINDS and a.state == OPEN]


@dataclass
class Overview:
    cards: list[ProjectCard]
    applications: list[Application]
    steps: dict[int, list[Any]] = field(default_factory=dict)
    items: dict[str, Any] = field(default_factory=dict)  # catalogue items in force, by code

    @property
    def pending(self) -> list[Application]:
        return [a for a in self.applications if a.status == PENDING]

    @property
    def escalated(self) -> list[Application]:
        return [a for a in self.pending if a.escalated_at is not None]


def _cards(session: Session, projects: list[Project], allocations: list[Allocation]) -> list[ProjectCard]:
    by_project: dict[int, list[Allocation]] = {}
    for allocation in allocations:
        by_project.setdefault(allocation.project_id, []).append(allocation)
    return [ProjectCard(p, queries.quota_use(session, p), by_project.get(p.id, [])) for p in projects]


def unit_overview(session: Session, actor: Actor, *, today: date) -> Overview:
    """My projects with their quota use, my resources with expiry, my applications."""
    projects = projects_service.list_projects(session, actor)
    allocations = queries.list_allocations(session, actor, active_only=True)
    applications = queries.list_applications(session, actor, limit=50)
    return Overview(_cards(session, projects, allocations), applications,
                    queries.open_steps(session, actor, applications),
                    catalog_service.items_in_force(session, actor.tenant_id, today))


def operator_overview(session: Session, actor: Actor, *, tenant_id: str | None = None) -> Overview:
    """All projects in scope and the applications being decided, for bdc, eitc and the districts."""
    projects = projects_service.list_projects(session, actor, tenant_id=tenant_id)
    pending = [a for a in queries.list_applications(session, actor, status=PENDING, limit=500)
               if tenant_id is None or a.tenant_id == tenant_id]
    return Overview([ProjectCard(p, [], []) for p in projects], pending, queries.open_steps(session, actor, pending))


def project_page(session: Session, actor: Actor, project_id: int, *, today: date) -> Overview:
    """One project: quota use, every resource (history included), applications, what may be applied for."""
    project = projects_service.get_project(session, actor, project_id)
    allocations = queries.list_allocations(session, actor, project_id=project.id)
    applications = queries.list_applications(session, actor, project_id=project.id)
    overview = Overview(_cards(session, [project], allocations), applications,
                        queries.open_steps(session, actor, applications),
                        catalog_service.items_in_force(session, project.tenant_id, today))
    return overview


def is_owner(session: Session, actor: Actor, project: Project) -> bool:
    return "unit" in actor.roles and project.organisation_id == projects_service.organisation_id(session, actor)
