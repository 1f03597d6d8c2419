"""Service-task handlers and task guards of the onboarding processes (M.7, M.11, M.30).

Handlers are small wrappers around the domain modules (STYLE habit 5); guards run before a user task
is completed (``app.workflow.guards``), so a wrong attachment id or a missing reason is a 422 on the
form, not an incident. The formal-opening guard makes the inbox refuse M.19's formal opening until
the project's go-live security is complete (M.30); ``app.resources.actions.open_formal`` checks the
same rule for any other path.
"""
from __future__ import annotations

from typing import Any

from app.onboarding import common, domains, golive, outside
from app.onboarding.models import DedicatedDomain, GoLiveCheck, OutsideApplication
from app.workflow.guards import task_guard
from app.workflow.handlers import HandlerContext, handler

DOMAIN_REVIEWS = {"Service_RecordAuthority": "authority", "Service_RecordEitc": "eitc"}
GOLIVE_RECORDS = {"Service_RecordResourceRequest": "resource_request", "Service_RecordSelfCheck": "self_check",
                  "Service_RecordAssessment": "assessment", "Service_RecordHardening": "hardening"}


def _record(ctx: HandlerContext, model: type) -> Any:
    return common.for_step(ctx.session, model, ctx.data["record_id"], ctx.tenant_id)


def _text(ctx: HandlerContext, key: str) -> str:
    return str(ctx.data.get(key) or "")


# -- M.30 go-live security -------------------------------------------------------------------------
@task_guard("resource_application", "Task_OpenFormal")
def formal_opening_waits_for_golive(session, actor, task, data, current) -> None:
    golive.require_complete(session, int(current["project_id"]), task.tenant_id)  # M.30


@task_guard(golive.PROCESS, *golive.STAGE_OF_TASK)
def golive_stage_complete(session, actor, task, data, current) -> None:
    golive.check_stage(session, actor, golive.STAGE_OF_TASK[task.element_id], data)


@handler("onboarding.golive_record")
def golive_record(ctx: HandlerContext) -> None:
    golive.record_stage(ctx.session, _record(ctx, GoLiveCheck), GOLIVE_RECORDS[ctx.element_id], dict(ctx.data),
                        by=common.by(ctx.actor), now=ctx.now)


@handler("onboarding.golive_commitment")
def golive_commitment(ctx: HandlerContext) -> dict[str, Any]:
    return golive.prepare_commitment(ctx.session, _record(ctx, GoLiveCheck), now=ctx.now)


@handler("onboarding.golive_sign")
def golive_sign(ctx: HandlerContext) -> None:
    golive.sign(ctx.session, _record(ctx, GoLiveCheck), by=common.by(ctx.actor), now=ctx.now)


@handler("onboarding.golive_return")
def golive_return(ctx: HandlerContext) -> dict[str, Any]:
    golive.send_back(ctx.session, _record(ctx, GoLiveCheck), note=_text(ctx, "review_comment"))
    return {"returned_note": _text(ctx, "review_comment"), "review_decision": None}


@handler("onboarding.golive_refuse")
def golive_refuse(ctx: HandlerContext) -> None:
    golive.refuse(ctx.session, _record(ctx, GoLiveCheck), note=_text(ctx, "review_comment"), now=ctx.now)


@task_guard(golive.PROCESS, "Task_BdcReview")
def golive_review_has_reason(session, actor, task, data, current) -> None:
    golive.check_review(data)


# -- M.11 dedicated domains ------------------------------------------------------------------------
@task_guard(domains.PROCESS, "Task_AuthorityReview")
def authority_return_has_reason(session, actor, task, data, current) -> None:
    domains.check_review(data, "authority")


@task_guard(domains.PROCESS, "Task_EitcReview")
def eitc_return_has_reason(session, actor, task, data, current) -> None:
    domains.check_review(data, "eitc")


@task_guard(domains.PROCESS, "Task_RevisePlan")
def revision_is_complete(session, actor, task, data, current) -> None:
    domains.check_revision(session, actor, data)


@handler("onboarding.domain_approve")
def domain_approve(ctx: HandlerContext) -> None:
    domains.approve(ctx.session, _record(ctx, DedicatedDomain), now=ctx.now)


@handler("onboarding.domain_review")
def domain_review(ctx: HandlerContext) -> None:
    reviewer = DOMAIN_REVIEWS[ctx.element_id]
    domains.record_review(ctx.session, _record(ctx, DedicatedDomain), reviewer, _text(ctx, f"{reviewer}_decision"),
                          _text(ctx, f"{reviewer}_comment"))


@handler("onboarding.domain_decide")
def domain_decide(ctx: HandlerContext) -> dict[str, Any]:
    return {"domain_approved": domains.decide(_record(ctx, DedicatedDomain))}


@handler("onboarding.domain_return")
def domain_return(ctx: HandlerContext) -> dict[str, Any]:
    """Either reviewer returned it: the unit revises; both decide afresh on the next round (M.11)."""
    return {"returned_note": domains.send_back(ctx.session, _record(ctx, DedicatedDomain))}


@handler("onboarding.domain_resubmit")
def domain_resubmit(ctx: HandlerContext) -> dict[str, Any]:
    domain = _record(ctx, DedicatedDomain)
    domains.resubmit(ctx.session, domain, dict(ctx.data))
    # The review forms of the new round start empty (the decisions themselves are read from the record).
    return {"revise_decision": None, "round": domain.rounds, "authority_decision": None, "eitc_decision": None,
            "authority_comment": None, "eitc_comment": None}


@handler("onboarding.domain_withdraw")
def domain_withdraw(ctx: HandlerContext) -> None:
    domains.withdraw(ctx.session, _record(ctx, DedicatedDomain))


# -- M.7 outside applicants ------------------------------------------------------------------------
@task_guard(outside.PROCESS, "Task_Endorse")
def endorsed_by_supervisor(session, actor, task, data, current) -> None:
    outside.check_endorser(session, actor, int(current["supervisor_id"]))


@task_guard(outside.PROCESS, "Task_BdcDecide")
def refusal_has_reason(session, actor, task, data, current) -> None:
    outside.check_decision(data)


@handler("onboarding.outside_accept")
def outside_accept(ctx: HandlerContext) -> None:
    outside.accept(ctx.session, _record(ctx, OutsideApplication), by=common.by(ctx.actor), now=ctx.now,
                   note=_text(ctx, "accept_comment"))


@handler("onboarding.outside_refuse")
def outside_refuse(ctx: HandlerContext) -> None:
    outside.refuse(ctx.session, _record(ctx, OutsideApplication), by=common.by(ctx.actor), now=ctx.now,
                   note=_text(ctx, "accept_comment"))


@handler("onboarding.outside_decline")
def outside_decline(ctx: HandlerContext) -> None:
    outside.decline(ctx.session, _record(ctx, OutsideApplication), by=common.by(ctx.actor), now=ctx.now,
                    note=_text(ctx, "endorse_comment"))
