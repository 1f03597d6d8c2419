"""Utilisation ingestion (M.13: 政务云运行管理单位 monitors the use of resources) and the daily rollup.

Collectors send samples per system in bulk, as metering's collectors send usage (same token
scope, same upload shapes, shared helpers in ``app.bulk``): each row is checked on its own, bad
rows come back with their number and reasons, good rows are kept. A sample is keyed by (system,
moment): re-sending replaces, never adds. The days touched are rolled up again in SQL at once.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from app import bulk
from app.calendar.rules import SHANGHAI, local_date
from app.errors import Forbidden
from app.metering.service import INGEST_SCOPE, may_ingest
from app.monitoring.detection import COUNTED
from app.monitoring.models import UtilisationDaily, UtilisationSample
from app.projects.models import Project
from app.security import Actor, scoped

COLUMNS = ("system", "at", "cpu", "memory", "disk_io", "network_io", "requests", "logins", "api_calls")
PERCENTS = {"cpu": "cpu_pct", "memory": "memory_pct"}
VOLUMES = {"disk_io": "disk_io_mb", "network_io": "network_io_mb"}
COUNTS = ("requests", "logins", "api_calls")
MAX_MB = Decimal("1e15")
MAX_COUNT = 10 ** 15
STORED = ["tenant_id", "project_id", "at", "day", "cpu_pct", "memory_pct", "disk_io_mb", "network_io_mb",
          "requests", "logins", "api_calls", "source"]
__all__ = ["INGEST_SCOPE", "ingest", "rollup", "rows_from_csv"]


@dataclass
class Row:
    number: int
    values: dict[str, Any] = field(default_factory=dict)
    system: int | str | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    def reject(self, key: str, reason: str) -> None:
        self.errors.setdefault(key, []).append(reason)


@dataclass
class IngestResult:
    accepted: int
    rejected: list[dict[str, Any]]


def rows_from_csv(data: bytes) -> Iterator[dict[str, Any]]:
    """CSV with a header ``system,at,cpu,memory,disk_io,network_io,requests,logins,api_calls[,source]``."""
    return bulk.rows_from_csv(data, COLUMNS)


# -- one row -------------------------------------------------------------------------------------------
def _moment(value: Any) -> datetime:
    """An ISO 8601 moment (a naive one is Shanghai time) or a day (its samples cover the whole day)."""
    text = str(value or "").strip()
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), time(0), tzinfo=SHANGHAI)
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=SHANGHAI)


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool | float):
        raise InvalidOperation  # floats lose digits: send numbers as strings or integers
    number = Decimal(str(value).strip())
    if not number.is_finite():
        raise InvalidOperation
    return number


def _parse(number: int, raw: Any, now: datetime) -> Row:
    row = Row(number)
    if not isinstance(raw, dict):
        row.reject("_row", _("A row is an object with system, at and the figures."))
        return row
    system = str(raw.get("system") or "").strip()
    row.system = int(system) if system.isdigit() else system or None
    if row.system is None:
        row.reject("system", _("Give the system (project) id or code."))
    try:
        moment = _moment(raw.get("at"))
    except ValueError:
        row.reject("at", _("Give the moment as an ISO 8601 date and time."))
    else:
        if moment > now:  # M.13: a measurement, not a forecast
            row.reject("at", _("The moment is in the future."))
        row.values.update(at=moment, day=local_date(moment))
    _figures(row, raw)
    row.values["source"] = str(raw.get("source") or "")[:64]
    return row


def _figures(row: Row, raw: dict[str, Any]) -> None:
    for key, column in {**PERCENTS, **VOLUMES}.items():
        try:
            value = _decimal(raw.get(key))
        except (InvalidOperation, ValueError):
            row.reject(key, _("Not a number."))
            continue
        limit = Decimal(100) if key in PERCENTS else MAX_MB
        if value < 0 or value > limit:
            row.reject(key, _("Between 0 and 100.") if key in PERCENTS else _("Zero or more."))
        row.values[column] = value.quantize(Decimal("0.01") if key in PERCENTS else Decimal("0.001"))
    for key in COUNTS:
        value = raw.get(key)
        try:
            count = int(str(value).strip()) if not isinstance(value, bool | float) else None
        except ValueError:
            count = None
        if count is None or not 0 <= count < MAX_COUNT:
            row.reject(key, _("A whole number, zero or more."))
        row.values[key] = count


# -- against the systems the sender may see ------------------------------------------------------------
def _systems(session: Session, actor: Actor, rows: list[Row]) -> None:
    """Resolve ids and codes among the projects the actor may see; another district's are absent."""
    ids = sorted({r.system for r in rows if isinstance(r.system, int)})
    codes = sorted({r.system for r in rows if isinstance(r.system, str)})
    by_id: dict[int, tuple[int, str]] = {}
    by_code: dict[str, tuple[int, str]] = {}
    for chunk in bulk.chunks(ids):
        stmt = scoped(actor, Project, Project.id.in_(chunk)).with_only_columns(Project.id, Project.tenant_id)
        by_id.update((ident, (ident, tenant)) for ident, tenant in session.execute(stmt))
    for chunk in bulk.chunks(codes):
        stmt = scoped(actor, Project, Project.code.in_(chunk)).with_only_columns(
            Project.code, Project.id, Project.tenant_id)
        by_code.update((code, (ident, tenant)) for code, ident, tenant in session.execute(stmt))
    for row in rows:
        if row.system is None:
            continue
        found = by_id.get(row.system) if isinstance(row.system, int) else by_code.get(row.system)
        if found is None:
            row.reject("system", _("No such system."))
        else:
            row.values["project_id"], row.values["tenant_id"] = found


def ingest(session: Session, actor: Actor, raw_rows: Iterable[Any], *, now: datetime,
           source: str = "") -> IngestResult:
    """Check every row, store the good ones (replacing earlier samples of the same system and
    moment), roll up the days they touch, and report the bad rows by number (1 = first data row)."""
    if not may_ingest(actor):
        raise Forbidden(_("Only a collector token or an administrator may send samples."))
    rows = [_parse(number, raw, now) for number, raw in enumerate(raw_rows, start=1)]
    _systems(session, actor, rows)
    good: dict[tuple[int, datetime], dict[str, Any]] = {}
    for row in rows:
        if not row.errors:
            values = {**row.values, "source": row.values["source"] or source[:64]}
            good[(values["project_id"], values["at"])] = values  # the later row wins, as a re-send would
    values = list(good.values())
    bulk.upsert(session, UtilisationSample.__table__, values, key=["project_id", "at"], columns=STORED,
                replaced=[c for c in STORED if c not in ("project_id", "at")], now=now)
    if values:
        days = [v["day"] for v in values]
        rollup(session, day_from=min(days), day_to=max(days), project_ids=sorted({v["project_id"] for v in values}))
    session.flush()
    rejected = [{"row": r.number, "errors": r.errors} for r in rows if r.errors]
    return IngestResult(accepted=len(rows) - len(rejected), rejected=rejected)


# -- the daily rollup, in SQL -------------------------------------------------------------------------
def rollup(session: Session, *, day_from: date, day_to: date, project_ids: list[int] | None = None) -> int:
    """Rebuild the daily rows of ``day_from``..``day_to`` (of ``project_ids``, or every system)
    from the raw samples: one DELETE and one INSERT … SELECT … GROUP BY per chunk of systems."""
    sample, daily = UtilisationSample.__table__, UtilisationDaily.__table__
    written = 0
    for chunk in bulk.chunks(project_ids) if project_ids is not None else [None]:
        gone = delete(daily).where(daily.c.day.between(day_from, day_to))
        source = select(
            sample.c.tenant_id, sample.c.project_id, sample.c.day, func.count(),
            func.round(func.avg(sample.c.cpu_pct), 2), func.max(sample.c.cpu_pct),
            func.round(func.avg(sample.c.memory_pct), 2), func.sum(sample.c.disk_io_mb),
            func.sum(sample.c.network_io_mb), func.sum(sample.c.requests), func.sum(sample.c.logins),
            func.sum(sample.c.api_calls),
        ).where(sample.c.day.between(day_from, day_to))
        if chunk is not None:
            gone = gone.where(daily.c.project_id.in_(chunk))
            source = source.where(sample.c.project_id.in_(chunk))
        session.execute(gone)
        source = source.group_by(sample.c.tenant_id, sample.c.project_id, sample.c.day)
        result = session.execute(insert(daily).from_select(
            ["tenant_id", "project_id", "day", "samples", "cpu_avg", "cpu_max", "memory_avg", "disk_io_mb",
             "network_io_mb", "requests", "logins", "api_calls"], source), execution_options=COUNTED)
        written += max(result.rowcount or 0, 0)
    return written


def purge(session: Session, *, today: date, keep_days: int) -> int:
    """Raw samples older than ``keep_days`` go; the daily rollups stay (M.13 keeps the record)."""
    cutoff = today - timedelta(days=keep_days)
    result = session.execute(delete(UtilisationSample.__table__).where(UtilisationSample.__table__.c.day < cutoff))
    return max(result.rowcount or 0, 0)
