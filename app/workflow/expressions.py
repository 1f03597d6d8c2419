"""Camunda-style expressions read as Python, and the restricted script engine that runs them.

CONTRACT "BPMN conventions": conditions are Python over process variables; a ``${…}`` wrapper is
accepted with ``&&``, ``||`` and ``!`` read as ``and``, ``or``, ``not``. Timers and due dates
take a bare ISO 8601 literal or ``${…}``. ENGINE-NOTES: SpiffWorkflow evaluates all of these as
Python and checks none at parse time, so every text is translated and compiled at deploy time
(``compile_check``) and again, from a cache, when it runs.
"""
from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from app.workflow import timers
from app.workflow.sandbox import Limits, Sandbox, SandboxError, compile_eval, compile_exec

KINDS = frozenset({"condition", "expression", "script", "due_date", "timer", "timeDate", "timeDuration", "timeCycle"})
TIMER_KINDS = ("timeDuration", "timeDate", "timeCycle")
TIMER_HELPERS = {"timeDate": "iso_date", "timeDuration": "iso_duration", "timeCycle": "iso_cycle"}
TIMER_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "iso_date": timers.iso_date, "iso_duration": timers.iso_duration, "iso_cycle": timers.iso_cycle,
}
# Camunda's `execution`/`task` objects have no equivalent here: say so at deploy time.
CAMUNDA_ONLY_NAMES = {"execution": "Camunda's execution object does not exist here; use the variable directly"}

_LITERALS = {"true": "True", "false": "False", "null": "None"}
_JUEL_WORDS = {"eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">=", "div": "/", "mod": "%"}


class ExpressionError(ValueError):
    """An expression or timer text that cannot be translated; the message says why."""


def _string_end(src: str, start: int) -> int:
    """Index just past the string literal opening at ``start`` (quotes, triple quotes, escapes)."""
    quote = src[start]
    delimiter = quote * 3 if src.startswith(quote * 3, start) else quote
    i = start + len(delimiter)
    while i < len(src):
        if src[i] == "\\":
            i += 2
            continue
        if src.startswith(delimiter, i):
            return i + len(delimiter)
        i += 1
    raise ExpressionError(f"unterminated string starting at character {start + 1}")


def _closing_brace(src: str, opening: int) -> int:
    """Index of the ``}`` matching the ``{`` at ``opening`` (strings and nested braces skipped)."""
    depth, i = 0, opening
    while i < len(src):
        char = src[i]
        if char in "\"'":
            i = _string_end(src, i)
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ExpressionError("unbalanced braces in ${…}")


def unwrap(text: str) -> tuple[str, bool]:
    """``${x}``/``#{x}`` → (``x``, True); anything else → (text, False). Composite text is refused."""
    stripped = text.strip()
    if stripped[:2] in ("${", "#{"):
        end = _closing_brace(stripped, 1)
        if end == len(stripped) - 1:
            return stripped[2:end], True
    if "${" in stripped or "#{" in stripped:
        raise ExpressionError("text mixed with ${…} (a JUEL composite expression) is not supported; "
                              "write one expression, e.g. ${'Dear ' + name}")
    return stripped, False


def _convert(src: str, juel: bool) -> str:
    """One pass over the text; string literals are copied untouched."""
    out: list[str] = []
    last = ""  # last non-blank character copied: `x.true` is an attribute, not a literal
    i, n = 0, len(src)

    def spaced(word: str, width: int) -> str:
        before = "" if not out or out[-1][-1:].isspace() else " "
        after = "" if i + width >= n or src[i + width].isspace() else " "
        return f"{before}{word}{after}"

    while i < n:
        char = src[i]
        if char in "\"'":
            end = _string_end(src, i)
            out.append(src[i:end])
            i, last = end, char
            continue
        if src.startswith("&&", i) or src.startswith("||", i):
            out.append(spaced("and" if char == "&" else "or", 2))
            i, last = i + 2, " "
            continue
        if char == "!" and not src.startswith("!=", i):
            out.append(spaced("not", 1))
            i, last = i + 1, " "
            continue
        if char.isalnum() or char == "_":
            end = i
            while end < n and (src[end].isalnum() or src[end] == "_"):
                end += 1
            word = src[i:end]
            if not char.isdigit() and last != ".":
                word = _LITERALS.get(word, word)
                if juel and word in _JUEL_WORDS:
                    word = _JUEL_WORDS[word]
            out.append(word)
            i, last = end, word[-1]
            continue
        out.append(char)
        i += 1
        if not char.isspace():
            last = char
    return "".join(out).strip()


@lru_cache(maxsize=4096)
def translate(expression: str) -> str:
    """Camunda/JUEL-flavoured text → a Python expression. Idempotent on Python expressions."""
    inner, wrapped = unwrap(expression)
    result = _convert(inner, juel=wrapped)
    if not result:
        raise ExpressionError("empty expression")
    return result


@lru_cache(maxsize=1024)
def translate_timer(text: str, kind: str) -> str:
    """A timer's text → the Python expression SpiffWorkflow will evaluate (always a string value)."""
    if kind not in TIMER_HELPERS:
        raise ExpressionError(f"unknown timer kind {kind!r}")
    stripped = (text or "").strip()
    if not stripped:
        raise ExpressionError(f"the {kind} is empty")
    if unwrap(stripped)[1]:
        return f"{TIMER_HELPERS[kind]}({translate(stripped)})"
    if len(stripped) >= 2 and stripped[0] in "'\"" and stripped[-1] == stripped[0]:
        stripped = stripped[1:-1]  # SpiffWorkflow-style quoted literal
    try:
        literal = timers.literal_for(kind, stripped)
    except ValueError as exc:
        raise ExpressionError(_with_hint(str(exc), stripped)) from None
    if kind == "timeDuration" and timers.parse_duration(literal).calendar:
        # Months/years: let iso_duration count calendar months when the timer starts (see timers.py).
        return f"iso_duration({literal!r})"
    return repr(literal)


@lru_cache(maxsize=1024)
def translate_due(text: str) -> str:
    """camunda:dueDate / followUpDate → a Python expression whose value ``timers.to_datetime`` reads."""
    stripped = (text or "").strip()
    if unwrap(stripped)[1]:
        return translate(stripped)
    try:
        if stripped[:1].upper() == "P":
            timers.parse_duration(stripped)
        else:
            timers.parse_datetime(stripped)
    except ValueError as exc:
        raise ExpressionError(_with_hint(str(exc), stripped)) from None
    return repr(stripped)


def _with_hint(message: str, text: str) -> str:
    # Text that does not even look like an ISO literal was probably meant as an expression.
    looks_iso = text[:1].upper() in {"P", "R"} or text[:1].isdigit()
    return message if looks_iso else f"{message}; wrap an expression in ${{…}}"


def _python_for(expression: str, kind: str) -> tuple[str, str]:
    """(python source, compile mode) for a text of ``kind``; raises ExpressionError."""
    if kind == "script":
        return expression, "exec"
    if kind in ("condition", "expression"):
        return translate(expression), "eval"
    if kind == "due_date":
        return translate_due(expression), "eval"
    if kind in TIMER_HELPERS:
        return translate_timer(expression, kind), "eval"
    if kind == "timer":
        errors = []
        for timer_kind in TIMER_KINDS:
            try:
                return translate_timer(expression, timer_kind), "eval"
            except ExpressionError as exc:
                errors.append(str(exc))
        raise ExpressionError(errors[0])
    raise ExpressionError(f"unknown expression kind {kind!r}")


def _called_names(source: str, mode: str) -> set[str]:
    tree = ast.parse(source, mode=mode)
    return {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}


def compile_check(expression: str, kind: str, *, functions: Collection[str] | None = None) -> str | None:
    """None when ``expression`` of ``kind`` will compile in the engine, else the reason.

    kind: condition, expression, script, due_date, timer (any of the three) or timeDate/
    timeDuration/timeCycle. With ``functions`` (the names the engine will offer), a call to any
    other bare name is refused as well: process variables are data, never functions.
    """
    if expression is None or not str(expression).strip():
        return "empty expression"
    if str(expression).strip().startswith("="):
        return "FEEL expressions (Camunda 8) are not supported; write Python or ${…}"
    try:
        source, mode = _python_for(str(expression), kind)
        code = compile_eval(source) if mode == "eval" else compile_exec(source)
    except (ExpressionError, SandboxError) as exc:
        return str(exc)
    except Exception as exc:  # never let a strange text crash a deploy
        return f"cannot read the expression: {exc.__class__.__name__}: {exc}"
    for name, reason in CAMUNDA_ONLY_NAMES.items():
        if name in code.co_names:
            return f'"{name}": {reason}'
    if functions is not None:
        unknown = sorted(_called_names(source, mode) - _base_names() - set(functions) - _defined_names(source, mode))
        if unknown:
            offered = ", ".join(sorted(set(functions) - _base_names())) or "none"
            return f"unknown function {unknown[0]}() (functions offered to diagrams: {offered})"
    return None


@lru_cache(maxsize=1)
def _base_names() -> frozenset[str]:
    return frozenset(Sandbox(TIMER_FUNCTIONS).builtins)


def _defined_names(source: str, mode: str) -> set[str]:
    tree = ast.parse(source, mode=mode)
    names = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    names |= {t.id for node in ast.walk(tree) if isinstance(node, ast.Assign) for t in node.targets
              if isinstance(t, ast.Name)}
    return names


def sanitize_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """Refuse variables the engine cannot keep; returns a shallow copy. Raises ValueError naming the key.

    ENGINE-NOTES "Serialization": a key named ``typename`` anywhere saves but never loads again.
    Top-level names starting with ``_`` are reserved by the sandbox (and unusable in expressions).
    """
    if not isinstance(data, Mapping):
        raise ValueError("variables must be a JSON object")
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, Mapping):
            for key, item in value.items():
                where = f"{path}.{key}" if path else str(key)
                if not isinstance(key, str):
                    raise ValueError(f"variable key {key!r} is not a string (at {path or 'top level'})")
                if key == "typename":
                    raise ValueError(f"variable key 'typename' is not allowed (at {where}): "
                                     "the workflow state could not be loaded again")
                stack.append((item, where))
        elif isinstance(value, list | tuple):
            stack.extend((item, f"{path}[{index}]") for index, item in enumerate(value))
    for key in data:
        if key.startswith("_"):
            raise ValueError(f"variable name {key!r} may not start with '_' (reserved by the expression engine)")
    return dict(data)


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow's script environment, running everything through the sandbox."""

    def __init__(self, functions: Mapping[str, Callable[..., Any]] | None = None, limits: Limits | None = None):
        super().__init__({})
        self.sandbox = Sandbox({**TIMER_FUNCTIONS, **(functions or {})}, limits)

    def evaluate(self, expression: str, context: Mapping[str, Any], external_context: Mapping | None = None) -> Any:
        data = {**external_context, **context} if external_context else context
        return self.sandbox.evaluate(translate(expression), data)

    def execute(self, script: str, context: dict[str, Any], external_context: Mapping | None = None) -> bool:
        # Work on a deep copy: a script that fails, or leaves a `typename` key behind (unloadable
        # state, ENGINE-NOTES), changes nothing — not even nested values it mutated in place.
        scratch = copy.deepcopy(context)
        self.sandbox.execute(script, scratch, external_context)
        sanitize_data(scratch)
        context.clear()
        context.update(scratch)
        return True

    def call_service(self, context: Mapping[str, Any], **kwargs: Any) -> Any:
        raise NotImplementedError("service tasks are completed by the application's handlers")


class RestrictedScriptEngine(PythonScriptEngine):
    """The script engine for every workflow: ``BpmnWorkflow(spec, subprocess_specs, script_engine=…)``.

    ``functions`` are offered to diagrams by name (``workdays``, ``now`` …); ``iso_date``,
    ``iso_duration`` and ``iso_cycle`` are always there because translated timers call them.
    """

    def __init__(self, functions: Mapping[str, Callable[..., Any]] | None = None, *, limits: Limits | None = None):
        super().__init__(environment=RestrictedEnvironment(functions, limits))
        self.function_names = frozenset(self.environment.sandbox.builtins)

    def validate(self, expression: str) -> None:
        compile_eval(translate(expression))

    def evaluate_expression(self, expression: str, data: Mapping[str, Any]) -> Any:
        """Evaluate outside a task (e.g. a due date when a human task row is written)."""
        return self.environment.evaluate(expression, data)

    def due_date(self, text: str, data: Mapping[str, Any]) -> datetime:
        """camunda:dueDate / followUpDate → an aware datetime (Asia/Shanghai when the value is naive)."""
        return timers.to_datetime(self.environment.sandbox.evaluate(translate_due(text), data))
