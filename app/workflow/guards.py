"""Domain rules checked before a user task is completed (the inbox's one way in: API, pages, bulk).

A form validates the shape of what is submitted; some rules need the database and the actor —
attachment ids the actor may see, the go-live security a formal opening waits for (M.30), the
organisation that must endorse. A domain registers a guard for (process key, element id); it raises
a domain error (422 with fields, 409 …) and the task stays open, nothing run::

    @task_guard("resource_application", "Task_OpenFormal")
    def golive_done(session, actor, task, data, current): ...   # current() -> the task's variables

Guards are registered when the domain's handler module is imported (HANDLER_MODULES).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Guard = Callable[..., None]

_guards: dict[tuple[str, str], list[Guard]] = {}


def task_guard(process_key: str, *element_ids: str) -> Callable[[Guard], Guard]:
    def register(function: Guard) -> Guard:
        for element_id in element_ids:
            found = _guards.setdefault((process_key, element_id), [])
            if not any(g.__module__ == function.__module__ and g.__qualname__ == function.__qualname__
                       for g in found):  # a re-imported module registers the same guard again
                found.append(function)
        return function
    return register


def check(session: Any, actor: Any, task: Any, data: Mapping[str, Any],
          current: Callable[[], Mapping[str, Any]]) -> None:
    """Run the guards of ``task`` (a HumanTask row): ``data`` is the validated submission,
    ``current()`` loads the task's variables before it (only when a guard exists)."""
    found = _guards.get((task.process_key, task.element_id), ())
    if not found:
        return
    variables = current()
    for guard in found:
        guard(session, actor, task, data, variables)
