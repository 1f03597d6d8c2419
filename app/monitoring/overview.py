"""What the monitoring pages show: systems with their utilisation charts, a system in detail."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.monitoring import charts, service
from app.monitoring.models import Finding, UtilisationDaily
from app.projects.models import Project
from app.security import Actor, scoped

MAX_CARDS = 100  # the overview lists at most this many systems; filters narrow it


@dataclass
class Card:
    project: Project
    charts: list[charts.Chart] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def _series(rows: list[UtilisationDaily]) -> dict[str, dict[str, dict[date, Decimal]]]:
    cpu: dict[str, dict[date, Decimal]] = {_("CPU average"): {}, _("CPU peak"): {}, _("Memory"): {}}
    io: dict[str, dict[date, Decimal]] = {_("Network"): {}, _("Disk"): {}}
    business: dict[str, dict[date, Decimal]] = {_("Requests"): {}, _("Logins"): {}, _("API calls"): {}}
    for r in rows:
        cpu[_("CPU average")][r.day], cpu[_("CPU peak")][r.day], cpu[_("Memory")][r.day] = (
            r.cpu_avg, r.cpu_max, r.memory_avg)
        io[_("Network")][r.day], io[_("Disk")][r.day] = r.network_io_mb, r.disk_io_mb
        business[_("Requests")][r.day], business[_("Logins")][r.day] = Decimal(r.requests), Decimal(r.logins)
        business[_("API calls")][r.day] = Decimal(r.api_calls)
    return {"cpu": cpu, "io": io, "business": business}


def _charts(rows: list[UtilisationDaily], first: date, last: date, *, compact: bool) -> list[charts.Chart]:
    series = _series(rows)
    size = {"width": 300, "height": 100} if compact else {}
    return [charts.chart(_("CPU and memory"), "%", first, last, series["cpu"], top=Decimal(100), **size),
            charts.chart(_("Network and disk I/O"), "MB", first, last, series["io"], **size),
            charts.chart(_("Business traffic"), _("per day"), first, last, series["business"], **size)]


def systems_page(session: Session, actor: Actor, *, today: date, days: int = 30) -> list[Card]:
    """Visible systems with compact charts: one query for all their rollups, one for findings."""
    projects = service.systems(session, actor)[:MAX_CARDS]
    first, last = charts.span(today, days)
    ids = [p.id for p in projects]
    rows: dict[int, list[UtilisationDaily]] = defaultdict(list)
    for row in session.scalars(scoped(actor, UtilisationDaily, UtilisationDaily.project_id.in_(ids),
                                      UtilisationDaily.day.between(first, last)).order_by(UtilisationDaily.day)):
        rows[row.project_id].append(row)
    open_findings: dict[int, list[Finding]] = defaultdict(list)
    for finding in service.list_findings(session, actor, open_only=True):
        open_findings[finding.project_id].append(finding)
    return [Card(p, _charts(rows[p.id], first, last, compact=True), open_findings[p.id]) for p in projects]


def system_page(session: Session, actor: Actor, project_id: int, *, today: date, days: int = 60) -> Card:
    first, last = charts.span(today, days)
    rows = service.daily(session, actor, project_id, day_from=first, day_to=last)
    project = service.get_system(session, actor, project_id)
    return Card(project, _charts(rows, first, last, compact=False),
                service.list_findings(session, actor, project_id=project_id))
