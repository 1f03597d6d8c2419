"""The one clock the app reads. Tests and benchmarks move it instead of sleeping."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

_source: Callable[[], datetime] | None = None


def now() -> datetime:
    """Timezone-aware current time (UTC) from the configured source."""
    return _source() if _source is not None else datetime.now(UTC)


def set_source(source: Callable[[], datetime] | None) -> None:
    """Replace the clock (``None`` restores real time). Used by tests, benches and simulations."""
    global _source
    _source = source


class FrozenClock:
    """A controllable clock: ``clock.advance(seconds=…)``; install with ``set_source(clock)``."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs a timezone-aware start")
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        from datetime import timedelta

        self.current += timedelta(**delta)
        return self.current
