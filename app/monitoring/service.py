"""Monitoring as each role reads it, the rules an admin edits, and the daily scan (M.13, M.25).

Visibility follows projects (``app.projects.service.visible``): a district sees its own systems,
a unit only its own organisation's, city roles all. Services flush; the edge commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import NotFound, ValidationFailed
from app.monitoring import detection
from app.monitoring.models import (
    ACTIVE,
    RECLAIMING,
    RULE_KEYS,
    DetectionRule,
    Finding,
    FindingEvent,
    UtilisationDaily,
)
from app.projects import service as projects_service
from app.projects.models import Project
from app.security import SYSTEM, Actor, all_tenants, require_role, scoped
from app.workflow import service as workflow_service

PROCESS_KEY = "idle_warning"
RULE_EDITORS = ("admin",)
CHART_DAYS = 30


# -- systems and their utilisation ---------------------------------------------------------------------
def _visible_ids(session: Session, actor: Actor):
    return projects_service.visible(session, actor).with_only_columns(Project.id).scalar_subquery()


def systems(session: Session, actor: Actor) -> list[Project]:
    return projects_service.list_projects(session, actor)


def get_system(session: Session, actor: Actor, project_id: int) -> Project:
    return projects_service.get_project(session, actor, project_id)


def daily(session: Session, actor: Actor, project_id: int, *, day_from: date, day_to: date) -> list[UtilisationDaily]:
    """The system's daily rollups, oldest first (404 for a system the actor may not see)."""
    project = get_system(session, actor, project_id)
    stmt = scoped(actor, UtilisationDaily, UtilisationDaily.project_id == project.id,
                  UtilisationDaily.day.between(day_from, day_to))
    return list(session.scalars(stmt.order_by(UtilisationDaily.day)))


def default_span(today: date, days: int = CHART_DAYS) -> tuple[date, date]:
    return today - timedelta(days=days), today


# -- rules ---------------------------------------------------------------------------------------------
def ensure_rules(session: Session) -> list[DetectionRule]:
    """The rules, with any missing one created from the defaults (DESIGN §4)."""
    found = {r.key: r for r in session.scalars(select(DetectionRule))}
    for key in RULE_KEYS:
        if key not in found:
            found[key] = DetectionRule(key=key, **detection.DEFAULTS[key])
            session.add(found[key])
    session.flush()
    return [found[key] for key in RULE_KEYS]


def get_rule(session: Session, key: str) -> DetectionRule:
    rules = {r.key: r for r in ensure_rules(session)}
    if key not in rules:
        raise NotFound(_("No such rule."), code="not_found")
    return rules[key]


def update_rule(session: Session, actor: Actor, key: str, changes: dict[str, Any], *, now: datetime) -> DetectionRule:
    """An admin changes a rule's thresholds (M.25); every field is checked, all errors at once."""
    require_role(actor, *RULE_EDITORS)
    rule = get_rule(session, key)
    merged = {name: getattr(rule, name) for name in detection.DEFAULTS[key]} | {"enabled": rule.enabled}
    merged.update(changes)
    problems = _rule_problems(key, merged)
    if problems:
        raise ValidationFailed(_("Some thresholds are invalid."), fields=problems)
    for name, value in merged.items():
        setattr(rule, name, value)
    rule.updated_by, rule.updated_at = actor.username, now
    session.flush()
    return rule


def _rule_problems(key: str, values: dict[str, Any]) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    window, least = values.get("window_days"), values.get("min_days")
    if not isinstance(window, int) or not 1 <= window <= detection.MAX_WINDOW_DAYS:
        problems["window_days"] = [_("Between 1 and %(n)s days.", n=detection.MAX_WINDOW_DAYS)]
    if not isinstance(least, int) or least < 1 or (isinstance(window, int) and least > window):
        problems["min_days"] = [_("At least 1 and no more than the window.")]
    for name, limit in (("cpu_max_pct", Decimal(100)), ("network_max_mb", Decimal("1e12"))):
        value = values.get(name)
        if value is None and key == detection.IDLE:
            problems[name] = [_("The idle rule needs this threshold.")]
        elif value is not None and not Decimal(0) <= Decimal(value) <= limit:
            problems[name] = [_("Between 0 and %(n)s.", n=limit)]
    if not isinstance(values.get("business_max"), int) or values["business_max"] < 0:
        problems["business_max"] = [_("A whole number, zero or more.")]
    if not isinstance(values.get("rectify_workdays"), int) or not 1 <= values["rectify_workdays"] <= 60:
        problems["rectify_workdays"] = [_("Between 1 and 60 working days.")]
    return problems


# -- the daily scan --------------------------------------------------------------------------------------
@dataclass
class ScanResult:
    raised: dict[str, int]
    started: int


def scan(session: Session, *, today: date, now: datetime) -> ScanResult:
    """Raise the findings of every enabled rule, then start the warning process for each (M.25)."""
    raised = detection.scan(session, ensure_rules(session), today=today)
    new = session.scalars(all_tenants(select(Finding).where(Finding.instance_id.is_(None),
                                                             Finding.status.in_(ACTIVE))).order_by(Finding.id))
    started = 0
    for finding in list(new):
        start_case(session, finding, now=now)
        started += 1
    session.flush()
    return ScanResult(raised, started)


def start_case(session: Session, finding: Finding, *, now: datetime) -> None:
    project = finding.project
    rule = get_rule(session, finding.rule_key)
    instance = workflow_service.start_instance(
        session, SYSTEM, process_key=PROCESS_KEY, business_key=finding.number, tenant_id=finding.tenant_id,
        variables={"finding_id": finding.id, "finding_no": finding.number, "rule": finding.rule_key,
                   "project_id": project.id, "project_code": project.code, "project_name": project.name,
                   "unit_name": project.organisation.name, "evidence": evidence_text(finding),
                   "rectify_workdays": rule.rectify_workdays})
    finding.instance_id = instance.id
    session.add(FindingEvent(tenant_id=finding.tenant_id, finding_id=finding.id, at=now, actor="system",
                             kind="detected", status_after=finding.status, note=evidence_text(finding)))


def evidence_text(finding: Finding) -> str:
    """The evidence in one paragraph, for the forms (numbers and days that triggered the rule)."""
    limits = finding.thresholds or {}
    text = (f"{finding.window_start}–{finding.window_end}：{finding.days_with_data} 天有数据，"
            f"{finding.days_matched} 天符合规则（至少 {limits.get('min_days')} 天）；"
            f"CPU 日均 {finding.cpu_avg}%，峰值 {finding.cpu_peak}%；网络日均 {finding.network_mb_avg} MB；"
            f"业务量（请求+登录+接口调用）合计 {finding.business_total}")
    if finding.rule_key == detection.ZOMBIE:
        changed = finding.last_change_at.date().isoformat() if finding.last_change_at else "无记录"
        text += f"；最近一次资源变更：{changed}"
    return text + "。"


def allocation_stopped(session: Session, project: Project) -> bool:
    """M.25: with the authority's consent bdc stops allocating to the system until it is reclaimed."""
    stmt = all_tenants(select(Finding.id).where(Finding.project_id == project.id, Finding.status == RECLAIMING))
    return session.scalar(stmt.limit(1)) is not None


# -- findings ---------------------------------------------------------------------------------------------
def _visible_findings(session: Session, actor: Actor, *criteria: Any):
    return scoped(actor, Finding, *criteria).where(Finding.project_id.in_(_visible_ids(session, actor)))


def list_findings(session: Session, actor: Actor, *, status: str | None = None, rule: str | None = None,
                  project_id: int | None = None, open_only: bool = False) -> list[Finding]:
    stmt = _visible_findings(session, actor)
    if status:
        stmt = stmt.where(Finding.status == status)
    if rule:
        stmt = stmt.where(Finding.rule_key == rule)
    if project_id is not None:
        stmt = stmt.where(Finding.project_id == project_id)
    if open_only:
        stmt = stmt.where(Finding.status.in_(ACTIVE))
    return list(session.scalars(stmt.order_by(Finding.id.desc())))


def get_finding(session: Session, actor: Actor, finding_id: int) -> Finding:
    finding = session.scalar(_visible_findings(session, actor, Finding.id == finding_id))
    if finding is None:
        raise NotFound(_("No such finding."), code="not_found")
    return finding


def history(session: Session, actor: Actor, finding: Finding) -> list[FindingEvent]:
    return list(session.scalars(scoped(actor, FindingEvent, FindingEvent.finding_id == finding.id)
                                .order_by(FindingEvent.at, FindingEvent.id)))


def count_open(session: Session, actor: Actor) -> int:
    stmt = _visible_findings(session, actor, Finding.status.in_(ACTIVE))
    return session.scalar(stmt.with_only_columns(func.count()).order_by(None)) or 0


def finding_detail(session: Session, actor: Actor, finding_id: int) -> Any:
    """The finding with its evidence, its history and the tasks its case waits on."""
    from app.resources.queries import Detail
    from app.workflow.models import HumanTask

    finding = get_finding(session, actor, finding_id)
    steps: list[HumanTask] = []
    if finding.instance_id is not None and finding.is_open:
        steps = list(session.scalars(scoped(actor, HumanTask, HumanTask.instance_id == finding.instance_id,
                                            HumanTask.status == "open").order_by(HumanTask.created_at)))
    return Detail(finding, history=history(session, actor, finding), open_steps=steps,
                  evidence=evidence_text(finding))
