"""Service-task handlers of ``efficiency_evaluation`` (M.33–M.34): wrappers around ``evaluations``."""
from __future__ import annotations

from typing import Any

from app.evaluation import evaluations
from app.workflow.handlers import HandlerContext, handler


def _by(ctx: HandlerContext) -> str:
    return getattr(ctx.actor, "username", None) or "system"


@handler("evaluation.open")
def open_period(ctx: HandlerContext) -> dict[str, Any]:
    """The period given at the start, or the quarter before now when the schedule started it."""
    evaluation, duplicate = evaluations.open_period(
        ctx.session, period_start=ctx.data.get("period_start"), period_end=ctx.data.get("period_end"),
        now=ctx.now, instance_id=int(ctx.instance_id) if ctx.instance_id is not None else None,
        started_by=str(ctx.data.get("started_by") or "system"))
    return {"evaluation_id": evaluation.id, "duplicate": duplicate, "returned_reason": "—",
            "period_start": evaluation.period_start.isoformat(), "period_end": evaluation.period_end.isoformat()}


@handler("evaluation.compute")
def compute(ctx: HandlerContext) -> dict[str, Any]:
    summary = evaluations.compute(ctx.session, int(ctx.data["evaluation_id"]), now=ctx.now)
    # Each round is reviewed afresh by both.
    return {**summary, "authority_decision": None, "eitc_decision": None,
            "authority_comment": None, "eitc_comment": None}


@handler("evaluation.send_back")
def send_back(ctx: HandlerContext) -> dict[str, Any]:
    """Whichever reviewer returned it: their comment is the reason recorded and shown next round."""
    who = "authority" if ctx.data.get("authority_decision") == "return" else "eitc"
    reason = str(ctx.data.get(f"{who}_comment") or "")
    evaluations.send_back(ctx.session, int(ctx.data["evaluation_id"]), by=_by(ctx), reason=reason)
    return {"returned_reason": f"{who}: {reason}"}


@handler("evaluation.publish")
def publish(ctx: HandlerContext) -> dict[str, Any]:
    count = evaluations.publish(ctx.session, int(ctx.data["evaluation_id"]), by=_by(ctx), now=ctx.now)
    return {"coefficients_published": count}
