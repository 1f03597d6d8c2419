"""Service-task handlers of ``idle_warning``: small wrappers around ``actions`` (STYLE habit 5).

Each reads the finding id from the process variables, acts within the instance's tenant, and
returns what the diagram shows or decides next. ``by`` is who completed the step before.
"""
from __future__ import annotations

from typing import Any

from app.monitoring import actions
from app.monitoring.models import Finding
from app.workflow.handlers import HandlerContext, handler


def _finding(ctx: HandlerContext) -> Finding:
    return actions.for_step(ctx.session, int(ctx.data["finding_id"]), str(ctx.tenant_id))


def _by(ctx: HandlerContext) -> str:
    return getattr(ctx.actor, "username", None) or "system"


def _text(ctx: HandlerContext, key: str) -> str:
    return str(ctx.data.get(key) or "")


@handler("monitoring.dismiss")
def dismiss(ctx: HandlerContext) -> None:
    actions.dismiss(ctx.session, _finding(ctx), by=_by(ctx), now=ctx.now, reason=_text(ctx, "review_comment"))


@handler("monitoring.warn")
def warn(ctx: HandlerContext) -> dict[str, Any]:
    return actions.warn(ctx.session, _finding(ctx), by=_by(ctx), now=ctx.now,
                        workdays=int(ctx.data["rectify_workdays"]), note=_text(ctx, "review_comment"))


@handler("monitoring.record_response")
def record_response(ctx: HandlerContext) -> dict[str, Any]:
    return actions.respond(ctx.session, _finding(ctx), by=_by(ctx), now=ctx.now,
                           response=_text(ctx, "response"), note=_text(ctx, "response_note"))


@handler("monitoring.record_ignored")
def record_ignored(ctx: HandlerContext) -> dict[str, Any]:
    return actions.ignored(ctx.session, _finding(ctx), by=_by(ctx), now=ctx.now)


@handler("monitoring.record_check")
def record_check(ctx: HandlerContext) -> None:
    actions.record_check(ctx.session, _finding(ctx), by=_by(ctx), now=ctx.now,
                         rectified=ctx.data.get("check_decision") == "rectified", note=_text(ctx, "check_comment"))


@handler("monitoring.keep")
def keep(ctx: HandlerContext) -> None:
    actions.keep(ctx.session, _finding(ctx), by=_by(ctx), now=ctx.now, note=_text(ctx, "consent_comment"))


@handler("monitoring.remind_backup")
def remind_backup(ctx: HandlerContext) -> dict[str, Any]:
    return actions.remind_backup(ctx.session, _finding(ctx), by=_by(ctx), now=ctx.now,
                                 note=_text(ctx, "consent_comment"))


@handler("monitoring.reclaim")
def reclaim(ctx: HandlerContext) -> None:
    actions.reclaim(ctx.session, _finding(ctx), by=_by(ctx), now=ctx.now, note=_text(ctx, "reclaim_comment"))
