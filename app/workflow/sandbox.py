"""The RestrictedPython sandbox in which diagram conditions, timers and scripts run.

CONTRACT "BPMN conventions": no imports, no dunder attribute access, no I/O. ENGINE-NOTES
"Safety": compiling with ``compile_restricted_*`` plus guards is what blocks attribute-walk
escapes, and there is no CPU or memory limit unless we add one — so this module adds one:

- every loop turn, function call, lambda call and iterated item is a *step*; a run may take
  ``Limits.max_steps`` of them and ``Limits.max_seconds`` of wall-clock time;
- ``*``, ``+``, ``**``, ``<<`` and ``%``-formatting check the size of what they would build,
  as do ``range()`` and the str/list methods that can grow a value (join, replace, ljust, extend…);
- once a budget is exceeded every later step fails again, so ``try/except`` cannot swallow it.

The budgets themselves live in limits.py. What remains unbounded: a single C-level call on values
already within the size limits (e.g. ``str()`` of a list holding many large strings); the
wall-clock check runs between steps.
"""
from __future__ import annotations

import ast
import builtins as _builtins
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal
from functools import lru_cache
from types import CodeType, GeneratorType, ModuleType
from typing import Any
from zoneinfo import ZoneInfo

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
)
from RestrictedPython.PrintCollector import PrintCollector
from RestrictedPython.transformer import RestrictingNodeTransformer

from app.workflow.limits import MAX_FORMAT_WIDTH, Budget, Limits, SizeGuards

SHANGHAI = ZoneInfo("Asia/Shanghai")


class SandboxError(ValueError):
    """The source does not compile under Yunguan's rules; the message says why."""


# Names refused at deploy time with a reason, not discovered as NameError by a running instance.
BLOCKED_NAMES = {
    "open": "file access is not allowed",
    "exec": "dynamic code is not allowed",
    "eval": "dynamic code is not allowed",
    "compile": "dynamic code is not allowed",
    "globals": "introspection is not allowed",
    "locals": "introspection is not allowed",
    "vars": "introspection is not allowed",
    "dir": "introspection is not allowed",
    "getattr": "use attribute access (a.b) instead",
    "setattr": "attribute writes are not allowed",
    "delattr": "attribute writes are not allowed",
    "hasattr": "introspection is not allowed",
    "type": "use isinstance() instead",
    "object": "introspection is not allowed",
    "super": "classes are not allowed",
    "classmethod": "classes are not allowed",
    "staticmethod": "classes are not allowed",
    "property": "classes are not allowed",
    "memoryview": "raw memory access is not allowed",
    "bytearray": "raw memory access is not allowed",
    "input": "I/O is not allowed",
    "help": "I/O is not allowed",
    "breakpoint": "debugging is not allowed",
    "exit": "the process cannot be stopped from a diagram",
    "quit": "the process cannot be stopped from a diagram",
    "iter": "iterate with for/comprehensions instead",
    "next": "iterate with for/comprehensions instead",
}


def _located(new: ast.AST, old: ast.AST) -> Any:
    # Nodes we add need line numbers for compile(); borrow them from the node they replace.
    return ast.fix_missing_locations(ast.copy_location(new, old))


def _tick_call(node: ast.AST) -> ast.expr:
    return _located(ast.Call(func=ast.Name("_tick_", ast.Load()), args=[], keywords=[]), node)


def _tick_stmt(node: ast.AST) -> ast.stmt:
    return _located(ast.Expr(_tick_call(node)), node)


_GUARDED_BINOPS = {ast.Add: "_add_", ast.Mult: "_mul_", ast.Pow: "_pow_", ast.LShift: "_lshift_", ast.Mod: "_mod_"}


class Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus refusals and the step/size instrumentation above."""

    def visit_Name(self, node: ast.Name) -> Any:  # noqa: N802 - ast.NodeVisitor's naming
        if isinstance(node.ctx, ast.Load) and node.id in BLOCKED_NAMES:
            self.error(node, f'"{node.id}" is not available: {BLOCKED_NAMES[node.id]}.')
        return super().visit_Name(node)

    def visit_Import(self, node: ast.Import) -> Any:  # noqa: N802 - ast.NodeVisitor's naming
        self.error(node, "imports are not allowed.")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> Any:  # noqa: N802 - ast.NodeVisitor's naming
        self.error(node, "imports are not allowed.")

    def visit_ClassDef(self, node: ast.ClassDef) -> Any:  # noqa: N802 - ast.NodeVisitor's naming
        self.error(node, "class definitions are not allowed.")

    def visit_Global(self, node: ast.Global) -> Any:  # noqa: N802 - ast.NodeVisitor's naming
        self.error(node, "global statements are not allowed.")

    def visit_While(self, node: ast.While) -> Any:  # noqa: N802 - ast.NodeVisitor's naming
        node = super().visit_While(node)
        node.body.insert(0, _tick_stmt(node))
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> Any:  # noqa: N802 - ast.NodeVisitor's naming
        node = super().visit_FunctionDef(node)
        node.body.insert(0, _tick_stmt(node))
        return node

    def visit_Lambda(self, node: ast.Lambda) -> Any:  # noqa: N802 - ast.NodeVisitor's naming
        node = super().visit_Lambda(node)
        # lambda: body  →  lambda: (_tick_() or body); _tick_ returns None.
        node.body = _located(ast.BoolOp(op=ast.Or(), values=[_tick_call(node), node.body]), node.body)
        return node

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> Any:  # noqa: N802 - ast.NodeVisitor's naming
        node = super().visit_ExceptHandler(node)
        # A handler that caught an exhausted budget re-raises at once instead of carrying on.
        node.body.insert(0, _tick_stmt(node))
        return node

    def visit_Try(self, node: ast.Try) -> Any:  # noqa: N802 - ast.NodeVisitor's naming
        node = super().visit_Try(node)
        if node.finalbody:
            node.finalbody.insert(0, _tick_stmt(node))
        return node

    def visit_BinOp(self, node: ast.BinOp) -> Any:  # noqa: N802 - ast.NodeVisitor's naming
        node = self.node_contents_visit(node)
        guard = _GUARDED_BINOPS.get(type(node.op))
        if guard is None:
            return node
        return _located(ast.Call(func=ast.Name(guard, ast.Load()), args=[node.left, node.right], keywords=[]), node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:  # noqa: N802 - ast.NodeVisitor's naming
        spec = node.format_spec
        if spec is not None:
            parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
            if not all(isinstance(part, ast.Constant) for part in parts):
                self.error(node, "computed format specifications in f-strings are not allowed.")
            else:
                text = "".join(str(part.value) for part in parts)
                if any(int(n) > MAX_FORMAT_WIDTH for n in re.findall(r"\d+", text)):
                    self.error(node, f"format widths above {MAX_FORMAT_WIDTH} are not allowed.")
        return super().visit_FormattedValue(node)


def _compile(source: str, mode: str, max_source: int) -> CodeType:
    if not isinstance(source, str) or not source.strip():
        raise SandboxError("empty expression")
    if len(source) > max_source:
        raise SandboxError(f"{len(source):,} characters; the limit is {max_source:,}")
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    try:
        result = compiler(source, filename="<string>", policy=Policy)
    except (RecursionError, MemoryError):
        raise SandboxError("cannot compile: the expression is nested too deeply") from None
    except (SyntaxError, ValueError) as exc:
        raise SandboxError(f"cannot compile: {exc.__class__.__name__}: {exc}") from None
    if result.errors or result.code is None:
        raise SandboxError("; ".join(result.errors) or "cannot compile")
    return result.code


@lru_cache(maxsize=4096)
def compile_eval(source: str, max_source: int = Limits.max_source) -> CodeType:
    return _compile(source, "eval", max_source)


@lru_cache(maxsize=1024)
def compile_exec(source: str, max_source: int = Limits.max_source) -> CodeType:
    return _compile(source, "exec", max_source)


_SAFE_BUILTIN_NAMES = (
    "None", "True", "False", "abs", "all", "any", "bin", "bool", "chr", "dict", "divmod", "enumerate",
    "filter", "float", "frozenset", "hex", "int", "isinstance", "len", "list", "map", "max", "min",
    "oct", "ord", "repr", "reversed", "round", "set", "slice", "sorted", "str", "tuple", "zip",
    "ArithmeticError", "AssertionError", "AttributeError", "Exception", "IndexError", "KeyError",
    "LookupError", "NameError", "OverflowError", "RuntimeError", "TypeError", "ValueError",
    "ZeroDivisionError",
)


def aware_datetime(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0,
                   microsecond: int = 0, tzinfo: Any = None) -> datetime:
    """``datetime(...)`` for diagrams: Shanghai time unless a zone is given (no naive values)."""
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=tzinfo or SHANGHAI)


def _is_code(value: Any) -> bool:
    # Functions, classes and generators a script made are not process data (and do not serialize).
    return callable(value) or isinstance(value, GeneratorType | ModuleType)


class Sandbox:
    """Compiled-code runner: builtins and guards built once, a fresh budget per run."""

    def __init__(self, functions: Mapping[str, Callable[..., Any]] | None = None, limits: Limits | None = None):
        self.limits = limits or Limits()
        sizes = SizeGuards(self.limits)
        names = {name: getattr(_builtins, name) for name in _SAFE_BUILTIN_NAMES}
        names.update(
            range=sizes.range, pow=sizes.pow, sum=sizes.sum,
            Decimal=Decimal, ROUND_HALF_UP=ROUND_HALF_UP, ROUND_HALF_EVEN=ROUND_HALF_EVEN,
            ROUND_UP=ROUND_UP, ROUND_DOWN=ROUND_DOWN,
            date=date, datetime=aware_datetime, timedelta=timedelta, SHANGHAI=SHANGHAI, UTC=UTC,
        )
        for name, function in (functions or {}).items():
            if not name.isidentifier() or name.startswith("_"):
                raise ValueError(f"function name {name!r} cannot be used in expressions")
            names[name] = function
        self.builtins = names
        self.static_guards: dict[str, Any] = {
            "_getattr_": sizes.getattr,
            "_getitem_": lambda ob, index: ob[index],
            "_write_": full_write_guard,
            "_inplacevar_": sizes.inplacevar,
            "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
            "_unpack_sequence_": guarded_unpack_sequence,
            "_apply_": lambda function, *args, **kwargs: function(*args, **kwargs),
            "_print_": PrintCollector,
            "_add_": sizes.add, "_mul_": sizes.mul, "_pow_": sizes.pow,
            "_lshift_": sizes.lshift, "_mod_": sizes.mod,
        }
        self.reserved = frozenset(self.static_guards) | {"_tick_", "_getiter_", "_print", "__builtins__"}

    def _globals(self, data: Mapping[str, Any]) -> dict[str, Any]:
        scope = dict(data)
        scope.update(self.static_guards)
        scope.update(Budget(self.limits).guards())
        scope["__builtins__"] = self.builtins
        return scope

    def evaluate(self, source: str, data: Mapping[str, Any]) -> Any:
        code = compile_eval(source, self.limits.max_source)
        return eval(code, self._globals(data))  # noqa: S307 - restricted code, see module docstring

    def execute(self, source: str, data: dict[str, Any], extra: Mapping[str, Any] | None = None) -> None:
        """Run a script over ``data``; on success ``data`` holds the script's variables, on failure
        it is left as it was (the script ran on a copy). ``extra`` is readable but not kept."""
        code = compile_exec(source, self.limits.max_source)
        scope = self._globals({**(extra or {}), **data})
        exec(code, scope)  # noqa: S102 - restricted code, see module docstring
        dropped = self.reserved | (set(extra or ()) - set(data))
        result = {k: v for k, v in scope.items() if k not in dropped and not _is_code(v)}
        data.clear()
        data.update(result)
