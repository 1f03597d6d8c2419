"""Server-rendered SVG line charts for utilisation (no scripts, no CDN): geometry only, the
template draws it (``monitoring/_chart.html``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

WIDTH, HEIGHT, PAD = 560, 140, 28
COLOURS = ("#1f6feb", "#d1242f", "#1a7f37", "#9a6700")


@dataclass
class Line:
    label: str
    points: str
    colour: str
    last: str


@dataclass
class Chart:
    title: str
    unit: str
    top: str
    first_day: date
    last_day: date
    lines: list[Line] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    pad: int = PAD

    @property
    def empty(self) -> bool:
        return not any(line.points for line in self.lines)


def _nice_top(peak: Decimal, fixed: Decimal | None) -> Decimal:
    if fixed is not None:
        return fixed
    if peak <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(peak))) - 1)
    return ((peak / magnitude).to_integral_value(rounding="ROUND_CEILING")) * magnitude


def chart(title: str, unit: str, first_day: date, last_day: date, series: dict[str, dict[date, Decimal]], *,
          top: Decimal | None = None, width: int = WIDTH, height: int = HEIGHT) -> Chart:
    """One chart of ``series`` (label → day → value) over ``first_day``..``last_day``; a day
    without data breaks nothing, it is simply not drawn."""
    days = (last_day - first_day).days or 1
    peak = max((v for values in series.values() for v in values.values()), default=Decimal(0))
    ceiling = _nice_top(Decimal(peak), top)
    plot_w, plot_h = width - 2 * PAD, height - 2 * PAD
    result = Chart(title, unit, f"{ceiling.normalize():f}", first_day, last_day, width=width, height=height)
    for index, (label, values) in enumerate(series.items()):
        points = []
        for day in sorted(values):
            x = PAD + plot_w * (day - first_day).days / days
            y = PAD + plot_h * (1 - float(min(values[day], ceiling)) / float(ceiling))
            points.append(f"{x:.1f},{y:.1f}")
        last = values[max(values)] if values else None
        result.lines.append(Line(label, " ".join(points), COLOURS[index % len(COLOURS)],
                                 "" if last is None else f"{Decimal(last).normalize():f}"))
    return result


def span(today: date, days: int) -> tuple[date, date]:
    return today - timedelta(days=days), today - timedelta(days=1)
