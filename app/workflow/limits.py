"""Budgets for sandboxed code: steps, wall-clock time and the size of built values.

ENGINE-NOTES "Safety": SpiffWorkflow has no CPU or memory limit, so ``while True`` or
``'x' * 10**10`` in a diagram would hang or exhaust a worker. The sandbox instruments compiled
code to call these guards; see sandbox.py for what is instrumented.
"""
from __future__ import annotations

import builtins as _builtins
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from RestrictedPython.Guards import safer_getattr_raise

MAX_FORMAT_WIDTH = 10_000
_SEQUENCES = (str, bytes, list, tuple)


@dataclass(frozen=True)
class Limits:
    max_steps: int = 1_000_000       # loop turns, calls and iterated items per evaluation
    max_seconds: float = 1.0         # wall clock per evaluation
    max_range: int = 1_000_000       # len(range(...))
    max_size: int = 1_000_000        # length of a str/bytes/list/tuple an operator may build
    max_int_bits: int = 65_536       # about 20,000 decimal digits
    max_source: int = 20_000         # characters of one expression or script


class LimitExceeded(RuntimeError):
    """A run used more than its budget of steps, time or size."""


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
