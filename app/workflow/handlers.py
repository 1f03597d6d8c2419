"""Service-task handlers, registered by topic (CONTRACT: ``camunda:type="external"`` +
``camunda:topic="<handler name>"``).

Domains register small wrappers around their services (STYLE habit 5) in their own modules::

    from app.workflow.handlers import handler

    @handler("quota.allocate")
    def allocate(ctx):
        grant = quota_service.allocate(session=ctx.session, request_id=ctx.data["request_id"])
        return {"grant_id": grant.id}

The returned dict (or None) is merged into the task's data. Deploy-time validation refuses a
diagram naming a topic nobody registered, so the registry must be filled before diagrams are
validated: import the domain handler modules from the app factory.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

TOPIC = re.compile(r"^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)*$")


@dataclass(frozen=True)
class HandlerContext:
    """What a handler may use. ``data`` is the task's data: read it, return changes."""

    data: Mapping[str, Any]
    process_key: str
    business_key: str | None
    tenant_id: str | int | None
    instance_id: int | str | None
    element_id: str | None = None
    session: Any = None
    actor: Any = None
    now: datetime | None = None

    @property
    def tenant(self) -> str | int | None:
        return self.tenant_id


class BpmnError(Exception):
    """Raise from a handler for a business outcome the diagram models (Camunda 7's ``BpmnError``):
    an error boundary event on the service task, or on a subprocess around it, whose error code
    matches (or that names no error) takes over; ``variables`` become process variables on that
    path. Like any raising handler, its database writes are rolled back. When no boundary event
    catches the code, the step becomes an incident like any other failure."""

    def __init__(self, code: str, message: str = "", variables: Mapping[str, Any] | None = None):
        super().__init__(message or code)
        self.code = code
        self.message = message or code
        self.variables = dict(variables or {})


Handler = Callable[[HandlerContext], "dict[str, Any] | None"]

_registry: dict[str, Handler] = {}


def _same(a: Handler, b: Handler) -> bool:
    # Re-importing a module (tests, the reloader) registers an equal function again: allowed.
    return getattr(a, "__module__", None) == getattr(b, "__module__", None) and \
        getattr(a, "__qualname__", None) == getattr(b, "__qualname__", None)


def register(topic: str, function: Handler) -> Handler:
    if not isinstance(topic, str) or not TOPIC.match(topic):
        raise ValueError(f"invalid handler topic {topic!r}: use lower-case words joined by dots, e.g. quota.allocate")
    existing = _registry.get(topic)
    if existing is not None and not _same(existing, function):
        raise ValueError(f"topic {topic!r} is already handled by {existing.__module__}.{existing.__qualname__}")
    _registry[topic] = function
    return function


def handler(topic: str) -> Callable[[Handler], Handler]:
    """Decorator: ``@handler("topic.name")`` registers ``fn(ctx) -> dict | None``."""

    def decorate(function: Handler) -> Handler:
        return register(topic, function)

    return decorate


def get_handler(topic: str | None) -> Handler | None:
    return _registry.get(topic) if topic else None


def known_topics() -> frozenset[str]:
    return frozenset(_registry)


def unregister(topic: str) -> None:
    """For tests that register throwaway handlers."""
    _registry.pop(topic, None)


def call(topic: str, ctx: HandlerContext) -> dict[str, Any]:
    """Run the handler for ``topic`` and check its answer (a dict of JSON-able variables, or None)."""
    from app.workflow.expressions import sanitize_data

    function = get_handler(topic)
    if function is None:
        raise LookupError(f"no handler is registered for topic {topic!r}")
    result = function(ctx)
    if result is None:
        return {}
    if not isinstance(result, Mapping):
        raise TypeError(f"handler for {topic!r} returned {type(result).__name__}; a dict or None is expected")
    return sanitize_data(result)
