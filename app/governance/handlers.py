"""Service-task handlers and task guards of the governance processes: small wrappers around the
services (STYLE habit 5).

Each handler reads the record's id from the process variables and records what the step decided.
``by`` is whoever completed the step before (the system for a timer). The documents a step names
are checked by a task guard (``app.workflow.guards``) before the step completes, against the person
completing it: a vendor names only its own organisation's files, and an id that person may not see
is a 422 on the form's field. A handler only stores the ids: it may run as the system (which sees
every tenant's files) and a failure there would be an incident, not a refusal.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app import clock
from app.attachments.service import parse_ids
from app.errors import Conflict, ValidationFailed
from app.governance import changes, drills, incidents
from app.governance.access import require_documents
from app.security import Actor
from app.workflow.guards import task_guard
from app.workflow.handlers import BpmnError, HandlerContext, handler
from app.workflow.models import HumanTask

# What a missed incident deadline is shown as (M.31; DESIGN §2: escalated, never dropped).
ESCALATIONS = {
    "Service_EscalateContain": "事件处置逾期（第三十一条：按事件级别限期处置）",
    "Service_EscalateInvestigate": "事件调查逾期（第三十一条：及时向相关部门报告）",
    "Service_EscalateReport": "事件报告逾期（第三十一条：及时向相关部门报告）",
}


def _by(ctx: HandlerContext) -> str:
    return getattr(ctx.actor, "username", None) or "system"


# The form field holding a step's documents, and how many it needs (the forms' "required").
DOCUMENT_FIELDS = {
    ("vendor_change", "Task_Revise"): ("attachment_ids", 0),
    ("vendor_change", "Task_Evaluation"): ("evaluation_attachment_ids", 1),  # M.28: the evaluation report
    ("vendor_change", "Task_CompletionReport"): ("completion_attachment_ids", 1),
    ("security_incident", "Task_Report"): ("report_attachment_ids", 1),  # M.31: the report to the departments
    ("security_drill", "Task_CarryOut"): ("drill_attachment_ids", 0),
}


def _documents(ctx: HandlerContext, key: str) -> list[int]:
    """Attachment ids a form names, already checked by ``documents_visible`` as the person completing."""
    return parse_ids(ctx.data.get(key), field=key)


@task_guard("vendor_change", "Task_Revise", "Task_Evaluation", "Task_CompletionReport")
@task_guard("security_incident", "Task_Report")
@task_guard("security_drill", "Task_CarryOut")
def documents_visible(session: Session, actor: Actor, task: HumanTask, data: Mapping[str, Any], current: Any) -> None:
    """Every document the step names is an attachment the person completing it may see."""
    field, at_least = DOCUMENT_FIELDS[(task.process_key, task.element_id)]
    require_documents(session, actor, data.get(field), field=field, at_least=at_least)


@task_guard("vendor_change", "Task_BdcReview", "Task_AuthorityApprove")
def window_not_passed(session: Session, actor: Actor, task: HumanTask, data: Mapping[str, Any],
                      current: Mapping[str, Any]) -> None:
    """M.28 asks for approval *in advance*: a plan whose window has already opened cannot be
    approved after the fact (the vendor would be told to start at once and be late on its
    report); the reviewer returns it for a new window or refuses it."""
    decision = data.get("review_decision") or data.get("authority_decision")
    if decision != "approve":
        return
    change = changes.for_step(session, int(current["change_id"]))
    if change.window_start <= clock.now():
        raise Conflict(_("The planned window has already started: return the plan for a new window or refuse it."),
                       code="window_passed")


def _text(ctx: HandlerContext, key: str) -> str:
    return str(ctx.data.get(key) or "").strip()


# -- vendor_change (M.28) -------------------------------------------------------------------------
def _change(ctx: HandlerContext):
    return changes.for_step(ctx.session, int(ctx.data["change_id"]))


@handler("governance.change_returned")
def change_returned(ctx: HandlerContext) -> None:
    changes.returned(_change(ctx), note=_text(ctx, "review_comment"))


@handler("governance.change_revise")
def change_revise(ctx: HandlerContext) -> dict[str, Any]:
    """The revised plan is checked like a new one; a plan still too late goes back to the vendor."""
    try:
        variables = changes.revise(ctx.session, _change(ctx), dict(ctx.data), now=ctx.now)
    except ValidationFailed as exc:
        problems = "；".join(r for reasons in exc.fields.values() for r in reasons)
        raise BpmnError("plan_invalid", exc.message, {"plan_problem": f"{exc.message} {problems}".strip()})
    return {**variables, "plan_problem": "", "review_decision": None, "review_comment": None}


@handler("governance.change_to_evaluation")
def change_to_evaluation(ctx: HandlerContext) -> None:
    changes.to_evaluation(_change(ctx), note=_text(ctx, "review_comment"))


@handler("governance.change_evaluated")
def change_evaluated(ctx: HandlerContext) -> None:
    documents = _documents(ctx, "evaluation_attachment_ids")
    changes.evaluated(_change(ctx), evaluator=_text(ctx, "evaluator"),
                      conclusion=_text(ctx, "evaluation_conclusion"), documents=documents)


@handler("governance.change_approved")
def change_approved(ctx: HandlerContext) -> None:
    note = _text(ctx, "authority_comment") or _text(ctx, "review_comment")
    changes.approved(_change(ctx), by=_by(ctx), now=ctx.now, note=note)


@handler("governance.change_refused")
def change_refused(ctx: HandlerContext) -> None:
    key = "authority_comment" if ctx.element_id == "Service_RefuseAuthority" else "review_comment"
    changes.refused(_change(ctx), by=_by(ctx), now=ctx.now, note=_text(ctx, key))


@handler("governance.change_window_open")
def change_window_open(ctx: HandlerContext) -> None:
    changes.window_opened(_change(ctx))


@handler("governance.change_completed")
def change_completed(ctx: HandlerContext) -> None:
    documents = _documents(ctx, "completion_attachment_ids")
    changes.completed(_change(ctx), outcome=_text(ctx, "outcome"), rollback_used=bool(ctx.data.get("rollback_used")),
                      note=_text(ctx, "completion_note"), documents=documents, now=ctx.now)


# -- security_incident (M.31) ------------------------------------------------------------------------
def _incident(ctx: HandlerContext):
    return incidents.for_step(ctx.session, int(ctx.data["incident_id"]))


@handler("governance.incident_contained")
def incident_contained(ctx: HandlerContext) -> dict[str, Any]:
    variables = incidents.contained(ctx.session, _incident(ctx), note=_text(ctx, "containment_note"), now=ctx.now)
    return {**variables, "vendor_options": incidents.vendor_options(ctx.session)}


@handler("governance.incident_investigated")
def incident_investigated(ctx: HandlerContext) -> None:
    incidents.investigated(ctx.session, _incident(ctx), cause=_text(ctx, "cause"),
                           vendor_id=ctx.data.get("responsible_vendor"))


@handler("governance.incident_reported")
def incident_reported(ctx: HandlerContext) -> dict[str, Any]:
    documents = _documents(ctx, "report_attachment_ids")
    recipients = incidents.reported(_incident(ctx), summary=_text(ctx, "report_summary"), documents=documents,
                                    now=ctx.now)
    return {"reported_to": recipients}


@handler("governance.incident_escalate")
def incident_escalate(ctx: HandlerContext) -> None:
    step = ESCALATIONS.get(ctx.element_id or "", ctx.element_id or "")
    incidents.escalate(_incident(ctx), step=step, now=ctx.now)


# -- security_drill (M.31) -----------------------------------------------------------------------------
@handler("governance.drill_open")
def drill_open(ctx: HandlerContext) -> dict[str, Any]:
    """A drill started by its schedule gets its record here; one started by bdc already has one."""
    if ctx.data.get("drill_id"):
        return {}
    drill = drills.open_drill(ctx.session, started_by=str(ctx.business_key or "schedule").split("@")[0],
                              now=ctx.now, instance_id=int(ctx.instance_id) if ctx.instance_id else None)
    return {"drill_id": drill.id, "drill_no": drill.number}


@handler("governance.drill_planned")
def drill_planned(ctx: HandlerContext) -> None:
    drills.planned(drills.for_step(ctx.session, int(ctx.data["drill_id"])), dict(ctx.data))


@handler("governance.drill_carried_out")
def drill_carried_out(ctx: HandlerContext) -> None:
    documents = _documents(ctx, "drill_attachment_ids")
    drills.carried_out(drills.for_step(ctx.session, int(ctx.data["drill_id"])), dict(ctx.data), documents)


@handler("governance.drill_recorded")
def drill_recorded(ctx: HandlerContext) -> None:
    try:
        findings = drills.parse_findings(str(ctx.data.get("findings") or ""))
    except ValidationFailed as exc:
        problems = "；".join(r for reasons in exc.fields.values() for r in reasons)
        raise BpmnError("findings_invalid", exc.message, {"findings_problem": problems})
    drills.recorded(drills.for_step(ctx.session, int(ctx.data["drill_id"])), findings, now=ctx.now)
