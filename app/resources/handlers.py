"""Service-task handlers of the resource processes: small wrappers around ``actions`` (STYLE habit 5).

Each handler reads the application id from the process variables, acts within the instance's
tenant, and returns the variables the diagram needs next (timer moments, decisions cleared for
the next round). ``by`` is who completed the step before (the system for a timer).
"""
from __future__ import annotations

from typing import Any

from app.resources import actions
from app.workflow.handlers import HandlerContext, handler

# What a missed deadline is shown as (DESIGN §2: shown as overdue and escalated, never dropped).
ESCALATIONS = {
    "Service_EscalateOpenTest": "测试资源开通逾期（第十九条：五个工作日内）",
    "Service_EscalateVerify": "测试资源验证逾期（第十九条：一个月内）",
    "Service_EscalateFormal": "正式开通逾期（第十九条：两个工作日内）",
    "Service_EscalateReview": "扩容审核逾期（第二十条：五个工作日内）",
    "Service_EscalateExpand": "扩容实施逾期（第二十条：五个工作日内）",
    "Service_EscalateReclaim": "回收逾期（第二十一条：十个工作日内）",
}
# The form field holding the reason of the refusal that leads to each rejecting service task.
REFUSAL_COMMENTS = {
    "Service_RejectQuota": "quota_comment", "Service_RejectTest": "review_comment",
    "Service_RejectEitc": "eitc_comment", "Service_RejectReview": "review_comment",
    "Service_RejectReclaim": "reclaim_comment", "Service_RejectConfigure": "configure_comment",
}


def _application(ctx: HandlerContext, *, pending: bool = True):
    return actions.for_step(ctx.session, int(ctx.data["application_id"]), str(ctx.tenant_id), pending=pending)


def _by(ctx: HandlerContext) -> str:
    return getattr(ctx.actor, "username", None) or "system"


def _step(function):
    """The common shape: the application, who acted, when."""
    def run(ctx: HandlerContext) -> dict[str, Any] | None:
        return function(ctx.session, _application(ctx), by=_by(ctx), now=ctx.now)
    run.__name__ = run.__qualname__ = f"step_{function.__name__}"
    run.__module__ = __name__
    return run


for _topic, _function in {
    "resources.approve_quota": actions.approve_quota,
    "resources.request_test": actions.request_test,
    "resources.open_test": actions.open_test,
    "resources.record_verified": actions.record_verified,
    "resources.withdraw_test": actions.withdraw_test,
    "resources.open_formal": actions.open_formal,
    "resources.expand": actions.expand,
    "resources.reclaim": actions.reclaim,
    "resources.open_special": actions.open_special,
    "resources.notify_expiry": actions.notify_expiry,
    "resources.remind_backup": actions.remind_backup,
    "resources.start_expiry_reclaim": actions.start_expiry_reclaim,
    "resources.close": actions.finish,
}.items():
    handler(_topic)(_step(_function))


@handler("resources.reject")
def reject(ctx: HandlerContext) -> None:
    note = str(ctx.data.get(REFUSAL_COMMENTS.get(ctx.element_id or "", ""), None) or "")
    actions.reject(ctx.session, _application(ctx), by=_by(ctx), now=ctx.now, note=note)


@handler("resources.escalate")
def escalate(ctx: HandlerContext) -> None:
    step = ESCALATIONS.get(ctx.element_id or "", ctx.element_id or "")
    actions.escalate(ctx.session, _application(ctx), step=step, by=_by(ctx), now=ctx.now)


@handler("resources.remind_verify")
def remind_verify(ctx: HandlerContext) -> None:
    actions.remind(ctx.session, _application(ctx), what="请在一个月内完成测试资源验证（第十九条）",
                   by=_by(ctx), now=ctx.now)


@handler("resources.decide_extension")
def decide_extension(ctx: HandlerContext) -> dict[str, Any]:
    """M.23, M.24: the extension goes ahead when both eitc and the authority agree."""
    approved = ctx.data.get("eitc_extension") == "approve" and ctx.data.get("authority_extension") == "approve"
    note = "；".join(str(ctx.data[k]) for k in ("eitc_extension_comment", "authority_extension_comment")
                    if ctx.data.get(k))
    timers = actions.decide_extension(ctx.session, _application(ctx), extension_id=int(ctx.data["extension_id"]),
                                      approved=approved, by=_by(ctx), now=ctx.now, note=note)
    # Clear the decisions so the next extension's forms start empty.
    return {**timers, "extension_approved": approved, "eitc_extension": None, "authority_extension": None,
            "eitc_extension_comment": None, "authority_extension_comment": None}


@handler("resources.reclaim_expired")
def reclaim_expired(ctx: HandlerContext) -> None:
    actions.reclaim(ctx.session, _application(ctx), by=_by(ctx), now=ctx.now)
