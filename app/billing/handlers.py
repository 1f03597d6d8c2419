"""Service-task handlers of ``settlement`` (M.27): small wrappers around the billing service."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from app.billing import service
from app.billing.models import CONFIRMED, RETURNED, REVIEWED
from app.workflow.handlers import HandlerContext, handler


@handler("settlement.draft")
def draft(ctx: HandlerContext) -> dict[str, Any]:
    """M.27: compute (or recompute after a return) the statements of the instance's tenant and period."""
    data = ctx.data
    created = service.draft(
        ctx.session, ctx.actor.username, tenant_id=str(ctx.tenant_id), kind=data["kind"],
        start=date.fromisoformat(data["period_start"]), end=date.fromisoformat(data["period_end"]),
        now=ctx.now, instance_id=int(ctx.instance_id), corrects_id=data.get("corrects_id"))
    total = sum((s.total for s in created), Decimal("0.00"))
    lines = "；".join(f"{s.number}：{s.total} 元" for s in created[:20])
    # The reviewers decide afresh on every draft.
    return {"statement_count": len(created), "total": str(total), "summary": lines,
            "review_decision": None, "confirm_decision": None}


@handler("settlement.returned")
def returned(ctx: HandlerContext) -> dict[str, Any]:
    """P.3 / M.27: finance or eitc sent the statements back, with their reason."""
    data = ctx.data
    by_eitc = data.get("confirm_decision") == "return"
    reason = str((data.get("confirm_comment") if by_eitc else data.get("review_comment")) or "")
    service.set_status(ctx.session, int(ctx.instance_id), RETURNED, reason=reason)
    return {"return_reason": reason, "returned_by": "eitc" if by_eitc else "district.finance"}


@handler("settlement.reviewed")
def reviewed(ctx: HandlerContext) -> None:
    service.set_status(ctx.session, int(ctx.instance_id), REVIEWED)


@handler("settlement.confirm")
def confirm(ctx: HandlerContext) -> None:
    """M.27: eitc's 核定 — from now on the statements never change."""
    service.set_status(ctx.session, int(ctx.instance_id), CONFIRMED, by=ctx.actor.username, now=ctx.now)
