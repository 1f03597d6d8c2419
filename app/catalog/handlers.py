"""Service-task handlers of ``catalogue_compilation`` (M.15, M.16): wrappers around the service."""
from __future__ import annotations

from typing import Any

from app.catalog import service
from app.workflow.handlers import HandlerContext, handler


def _ids(ctx: HandlerContext) -> tuple[int, str]:
    return int(ctx.data["version_id"]), str(ctx.tenant_id)


@handler("catalog.mark_reviewed")
def mark_reviewed(ctx: HandlerContext) -> None:
    service.mark_reviewed(ctx.session, *_ids(ctx))


@handler("catalog.submit")
def submit(ctx: HandlerContext) -> dict[str, Any]:
    """An incomplete catalogue goes back to the operator with its problems instead of failing."""
    problems = service.submit(ctx.session, *_ids(ctx))
    return {"complete": not problems, "problems": "；".join(problems)}


@handler("catalog.return_for_revision")
def return_for_revision(ctx: HandlerContext) -> dict[str, Any]:
    service.return_for_revision(ctx.session, *_ids(ctx))
    # The approvers decide afresh on the revised catalogue.
    return {"authority_decision": None, "eitc_decision": None, "district_decision": None}


@handler("catalog.publish")
def publish(ctx: HandlerContext) -> dict[str, Any]:
    version = service.publish(ctx.session, *_ids(ctx), now=ctx.now)
    return {"effective_from": version.effective_from.isoformat()}


@handler("catalog.reject")
def reject(ctx: HandlerContext) -> None:
    service.reject(ctx.session, *_ids(ctx))
