"""Service-task handlers of ``procurement_solicitation`` (P.4(1)–(4)): wrappers around the services.

Inside the two multi-instance subprocesses ``district`` (the element variable) names the district.
"""
from __future__ import annotations

from typing import Any

from app.procurement import contracts, results, rounds
from app.workflow.handlers import HandlerContext, handler


def _ids(ctx: HandlerContext) -> tuple[int, str]:
    return int(ctx.data["solicitation_id"]), str(ctx.data.get("district") or "")


@handler("procurement.remind")
def remind(ctx: HandlerContext) -> None:
    rounds.remind(ctx.session, *_ids(ctx), now=ctx.now)


@handler("procurement.record_reply")
def record_reply(ctx: HandlerContext) -> dict[str, Any]:
    status = rounds.record_reply(ctx.session, *_ids(ctx), str(ctx.data.get("reply_decision") or ""),
                                 by=ctx.actor.username, now=ctx.now)
    return {"reply_decision": status}


@handler("procurement.record_no_reply")
def record_no_reply(ctx: HandlerContext) -> None:
    rounds.record_no_reply(ctx.session, *_ids(ctx))


@handler("procurement.file_demand")
def file_demand(ctx: HandlerContext) -> None:
    rounds.file_demand(ctx.session, *_ids(ctx), by=ctx.actor.username, now=ctx.now)


@handler("procurement.aggregate")
def aggregate(ctx: HandlerContext) -> dict[str, Any]:
    return rounds.aggregate(ctx.session, _ids(ctx)[0])


@handler("procurement.entrust")
def entrust(ctx: HandlerContext) -> None:
    rounds.entrust(ctx.session, _ids(ctx)[0], now=ctx.now)


@handler("procurement.check_result")
def check_result(ctx: HandlerContext) -> dict[str, Any]:
    return {"result_complete": results.is_complete(ctx.session, _ids(ctx)[0])}


@handler("procurement.publish")
def publish(ctx: HandlerContext) -> dict[str, Any]:
    return {"result_text": rounds.publish(ctx.session, _ids(ctx)[0], now=ctx.now)}


@handler("procurement.record_opt_in")
def record_opt_in(ctx: HandlerContext) -> None:
    rounds.record_opt_in(ctx.session, *_ids(ctx), ctx.data.get("opt_in") == "yes", by=ctx.actor.username,
                         now=ctx.now)


@handler("procurement.sign_contracts")
def sign_contracts(ctx: HandlerContext) -> dict[str, Any]:
    solicitation_id, district = _ids(ctx)
    found = rounds.for_step(ctx.session, solicitation_id)
    signed = contracts.sign(ctx.session, found, district, by=ctx.actor.username, now=ctx.now)
    return {"contract_numbers": [c.number for c in signed]}


@handler("procurement.close")
def close(ctx: HandlerContext) -> None:
    rounds.close(ctx.session, _ids(ctx)[0])
