"""The RestrictedPython sandbox in which diagram conditions, timers and scripts run.

CONTRACT "BPMN conventions": no imports, no dunder attribute access, no I/O. ENGINE-NOTES
"Safety": compiling with ``compile_restricted_*`` plus guards is what blocks attribute-walk
escapes, and there is no CPU or memory limit unless we add one — so this module adds one:

- every loop turn, function call, lambda call and iterated item is a *step*; a run may take
  ``Limits.max_steps`` of them and ``Limits.max_seconds`` of wall-clock time;
- ``*``, ``+``, ``**``, ``<<`` and ``%``-formatting check the size of what they would build,
  as do ``range()`` and the str/list methods that can grow a value (join, replace, ljust, extend…);
- once a budget is exceeded every later step fails again, so ``try/except`` cannot swallow it.

What remains unbounded: a single C-level call on values already within the size limits (e.g.
``str()`` of a list holding many large strings). The wall-clock check runs between steps.
"""
from __future__ import annotations

import ast
import builtins as _builtins
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal
from functools import lru_cache, partial
from types import CodeType, GeneratorType, ModuleType
from typing import Any
from zoneinfo import ZoneInfo

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr_raise,
)
from RestrictedPython.PrintCollector import PrintCollector
from RestrictedPython.transformer import RestrictingNodeTransformer

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_FORMAT_WIDTH = 10_000


@dataclass(frozen=True)
class Limits:
    max_steps: int = 1_000_000       # loop turns, calls and iterated items per evaluation
    max_seconds: float = 1.0         # wall clock per evaluation
    max_range: int = 1_000_000       # len(range(...))
    max_size: int = 1_000_000        # length of a str/bytes/list/tuple an operator may build
    max_int_bits: int = 65_536       # about 20,000 decimal digits
    max_source: int = 20_000         # characters of one expression or script


class SandboxError(ValueError):
    """The source does not compile under Yunguan's rules; the message says why."""


class LimitExceeded(RuntimeError):
    """A run used more than its budget of steps, time or size."""


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

_SEQUENCES = (str, bytes, list, tuple)


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

    def visit_Name(self, node: ast.Name) -> Any:
        if isinstance(node.ctx, ast.Load) and node.id in BLOCKED_NAMES:
            self.error(node, f'"{node.id}" is not available: {BLOCKED_NAMES[node.id]}.')
        return super().visit_Name(node)

    def visit_Import(self, node: ast.Import) -> Any:
        self.error(node, "imports are not allowed.")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> Any:
        self.error(node, "imports are not allowed.")

    def visit_ClassDef(self, node: ast.ClassDef) -> Any:
        self.error(node, "class definitions are not allowed.")

    def visit_Global(self, node: ast.Global) -> Any:
        self.error(node, "global statements are not allowed.")

    def visit_While(self, node: ast.While) -> Any:
        node = super().visit_While(node)
        node.body.insert(0, _tick_stmt(node))
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> Any:
        node = super().visit_FunctionDef(node)
        node.body.insert(0, _tick_stmt(node))
        return node

    def visit_Lambda(self, node: ast.Lambda) -> Any:
        node = super().visit_Lambda(node)
        # lambda: body  →  lambda: (_tick_() or body); _tick_ returns None.
        node.body = _located(ast.BoolOp(op=ast.Or(), values=[_tick_call(node), node.body]), node.body)
        return node

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> Any:
        node = super().visit_ExceptHandler(node)
        # A handler that caught an exhausted budget re-raises at once instead of carrying on.
        node.body.insert(0, _tick_stmt(node))
        return node

    def visit_Try(self, node: ast.Try) -> Any:
        node = super().visit_Try(node)
        if node.finalbody:
            node.finalbody.insert(0, _tick_stmt(node))
        return node

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        node = self.node_contents_visit(node)
        guard = _GUARDED_BINOPS.get(type(node.op))
        if guard is None:
            return node
        return _located(ast.Call(func=ast.Name(guard, ast.Load()), args=[node.left, node.right], keywords=[]), node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:
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
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
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


class Budget:
    """Steps and wall-clock time for one run. Not shared between runs or threads."""

    __slots__ = ("deadline", "limits", "next_clock", "steps", "tripped")

    def __init__(self, limits: Limits):
        self.limits = limits
        self.steps = 0
        self.next_clock = 256
        self.deadline = time.monotonic() + limits.max_seconds
        self.tripped: str | None = None

    def trip(self, reason: str) -> None:
        self.tripped = reason
        raise LimitExceeded(reason)

    def tick(self) -> None:
        if self.tripped:
            raise LimitExceeded(self.tripped)
        self.steps += 1
        if self.steps > self.limits.max_steps:
            self.trip(f"more than {self.limits.max_steps:,} steps (loop turns, calls or items)")
        if self.steps >= self.next_clock:
            self.next_clock += 256
            if time.monotonic() > self.deadline:
                self.trip(f"ran longer than {self.limits.max_seconds:g} s")

    def getiter(self, ob: Any) -> Any:
        iterator = _builtins.iter(ob)
        tick = self.tick

        def counted() -> Any:
            for item in iterator:
                tick()
                yield item

        return counted()

    def guards(self) -> dict[str, Any]:
        return {"_tick_": self.tick, "_getiter_": self.getiter}


class SizeGuards:
    """Operators and builtins that check the size of what they would build (static per Limits)."""

    def __init__(self, limits: Limits):
        self.limits = limits

    def _check_len(self, length: int) -> None:
        if length > self.limits.max_size:
            raise LimitExceeded(f"a value of {length:,} items; the limit is {self.limits.max_size:,}")

    def _check_bits(self, bits: int) -> None:
        if bits > self.limits.max_int_bits:
            raise LimitExceeded(f"a number of about {bits:,} bits; the limit is {self.limits.max_int_bits:,}")

    def mul(self, a: Any, b: Any) -> Any:
        if isinstance(a, _SEQUENCES) and isinstance(b, int):
            self._check_len(len(a) * max(b, 0))
        elif isinstance(b, _SEQUENCES) and isinstance(a, int):
            self._check_len(len(b) * max(a, 0))
        elif isinstance(a, int) and isinstance(b, int):
            self._check_bits(a.bit_length() + b.bit_length())
        return a * b

    def add(self, a: Any, b: Any) -> Any:
        if isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES):
            self._check_len(len(a) + len(b))
        return a + b

    def pow(self, a: Any, b: Any, mod: Any = None) -> Any:
        if mod is not None:
            return _builtins.pow(a, b, mod)
        if isinstance(a, int) and isinstance(b, int) and b > 0 and abs(a) > 1:
            self._check_bits(a.bit_length() * b)
        return a**b

    def lshift(self, a: Any, b: Any) -> Any:
        if isinstance(a, int) and isinstance(b, int) and a and b > 0:
            self._check_bits(a.bit_length() + b)
        return a << b

    def mod(self, a: Any, b: Any) -> Any:
        if isinstance(a, str | bytes):
            spec = a if isinstance(a, str) else a.decode("latin-1")
            for width in re.findall(r"%[#0\- +]*(\*|\d*)(?:\.(\*|\d*))?", spec):
                for part in width:
                    if part == "*" or (part and int(part) > MAX_FORMAT_WIDTH):
                        raise LimitExceeded("%-format widths must be literal and at most 10,000")
        return a % b

    def inplacevar(self, op: str, a: Any, b: Any) -> Any:
        ops = {"+=": self.add, "*=": self.mul, "**=": self.pow, "<<=": self.lshift, "%=": self.mod}
        if op in ops:
            return ops[op](a, b)
        return _INPLACE[op](a, b)

    def range(self, *args: int) -> range:
        result = _builtins.range(*args)
        if len(result) > self.limits.max_range:
            raise LimitExceeded(f"range() of {len(result):,} numbers; the limit is {self.limits.max_range:,}")
        return result

    def sum(self, iterable: Any, start: Any = 0) -> Any:
        # sum() of lists or tuples is quadratic; only numbers may be summed.
        if not isinstance(start, int | float | Decimal):
            raise TypeError("sum() adds numbers only")
        return _builtins.sum(iterable, start)

    def sized_call(self, instance: Any, name: str, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Check what a growing str/list method would build *before* it allocates it."""
        if name == "join":
            items = list(args[0])
            self._check_len(sum(len(item) for item in items if isinstance(item, _SEQUENCES))
                            + len(instance) * max(len(items) - 1, 0))
            return method(items)
        if name == "extend":
            items = list(args[0])
            self._check_len(len(instance) + len(items))
            return method(items)
        if name == "replace" and len(args) >= 2:
            old, new = args[0], args[1]
            count = instance.count(old) if old else len(instance) + 1
            if len(args) > 2 and args[2] >= 0:
                count = min(count, args[2])
            self._check_len(len(instance) + count * max(len(new) - len(old), 0))
        elif name in {"ljust", "rjust", "center", "zfill"} and args:
            self._check_len(args[0])
        elif name == "expandtabs":
            tabsize = args[0] if args else kwargs.get("tabsize", 8)
            self._check_len(len(instance) + instance.count("\t" if isinstance(instance, str) else b"\t") * tabsize)
        return method(*args, **kwargs)

    def getattr(self, ob: Any, name: str, default: Any = None) -> Any:
        try:
            value = safer_getattr_raise(ob, name)
        except AttributeError:
            # Process variables are JSON: let `order.amount` read `order["amount"]` as JUEL does.
            if isinstance(ob, dict) and name in ob and not name.startswith("_"):
                return ob[name]
            raise
        if name in _SIZED_METHODS:
            if isinstance(ob, _SEQUENCES):
                return partial(self.sized_call, ob, name, value)
            if any(ob is kind for kind in _SEQUENCES):
                # Unbound, e.g. str.join(sep, items): the instance is the first argument.
                return lambda instance, *args, **kwargs: self.sized_call(
                    instance, name, getattr(instance, name), *args, **kwargs)
        return value


_SIZED_METHODS = frozenset({"join", "replace", "ljust", "rjust", "center", "zfill", "expandtabs", "extend"})
_INPLACE = {
    "-=": lambda a, b: a - b, "/=": lambda a, b: a / b, "//=": lambda a, b: a // b,
    ">>=": lambda a, b: a >> b, "&=": lambda a, b: a & b, "|=": lambda a, b: a | b,
    "^=": lambda a, b: a ^ b, "@=": lambda a, b: a @ b,
}

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
