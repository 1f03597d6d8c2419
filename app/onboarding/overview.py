"""What the onboarding index page shows each person."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.onboarding import domains, golive, outside
from app.projects import service as projects_service
from app.security import Actor


@dataclass
class Overview:
    checks: list[Any] = field(default_factory=list)
    domains: list[Any] = field(default_factory=list)
    applications: list[Any] = field(default_factory=list)
    projects: list[Any] = field(default_factory=list)  # a unit's own, to start go-live security
    is_unit: bool = False


def build(session: Session, actor: Actor) -> Overview:
    view = Overview(checks=golive.list_checks(session, actor), domains=domains.list_domains(session, actor),
                    applications=outside.list_applications(session, actor), is_unit="unit" in actor.roles)
    if view.is_unit:
        own = projects_service.organisation_id(session, actor)
        view.projects = [p for p in projects_service.list_projects(session, actor) if p.organisation_id == own]
    return view
