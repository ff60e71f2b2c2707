"""The pieces of the pages of many days: charts of the spread, tables and the frame.

A figure's row shows every day as a dot (its distribution) and the mean with its 95%
confidence interval as a band; a difference's row does the same around zero, so an
interval clear of the zero line is a difference larger than its noise.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from opd_graphql.sim.charts import BACKDROP, SEEN, WIDTH, rect, svg, text_at
from opd_graphql.sim.html import STYLE as DAY_STYLE
from opd_graphql.sim.many import FIGURES, Days, Estimate, Unit
from opd_graphql.sim.text_many import broken_days, interval, plus_minus, signed, value

STYLE = """
.headline { background: #e6f0fa; color: #102a43; border-radius: 8px; padding: 12px 16px;
            margin: 16px 0; font-size: 17px; max-width: 1000px; }
table.figures { border-collapse: collapse; margin: 10px 0; font-size: 14px; }
table.figures th, table.figures td { padding: 4px 12px; border-bottom: 1px solid #e4e7eb;
                                     text-align: right; white-space: nowrap; }
table.figures th:first-child, table.figures td:first-child { text-align: left; }
table.figures td.real { font-weight: 700; color: #1f4e79; }
"""
BAND, MEAN, REAL, NOISE = "#9fb3c8", "#102a43", "#1f4e79", "#9aa5b1"
# Wider margins than the day's charts: rows are named after policies, captions carry intervals.
LABEL = 250
RIGHT = 230
PLOT = WIDTH - LABEL - RIGHT
ROW = 34
TOP = 8
# Spreads the dots of a row over its height in a fixed, even pattern (the golden ratio's
# fractional part), so that many days with the same figure still show as many dots.
JITTER = 0.6180339887


@dataclass(frozen=True)
class SpreadRow:
    label: str
    values: Sequence[float]  # one per day that has the figure
    estimate: Estimate
    real: bool | None = None  # for a difference: whether it is larger than its noise


def spread_chart(rows: Sequence[SpreadRow], unit: Unit, axis: str) -> str:
    """Figures that are never negative, on one scale from zero."""
    end, step = _scale(max(_extent(rows), default=0.0), 8)
    return _chart(rows, unit, axis, 0.0, end, step)


def difference_chart(rows: Sequence[SpreadRow], unit: Unit, axis: str) -> str:
    """Per-day differences on a scale centred on zero, the zero line drawn."""
    end, step = _scale(max((abs(v) for v in _extent(rows)), default=0.0), 4)
    return _chart(rows, unit, axis, -end, end, step)


def _chart(
    rows: Sequence[SpreadRow], unit: Unit, axis: str, start: float, end: float, step: float
) -> str:
    def x(amount: float) -> float:
        # An interval may reach past what the figure can be (below zero, above 100%).
        clamped = min(max(amount, start), end)
        return LABEL + (clamped - start) / (end - start) * PLOT

    parts = []
    for index, row in enumerate(rows):
        y = TOP + index * ROW
        middle = y + (ROW - 8) / 2
        parts.append(text_at(LABEL - 10, middle, row.label, "end"))
        parts.append(rect(LABEL, y, PLOT, ROW - 8, BACKDROP))
        for day, amount in enumerate(row.values):
            cy = y + 3 + (day * JITTER % 1) * (ROW - 14)
            parts.append(
                f'<circle cx="{x(amount):.1f}" cy="{cy:.1f}" r="2.5" fill="{SEEN}" '
                'fill-opacity="0.45"/>'
            )
        parts += _interval(row, x, middle, unit)
        parts.append(text_at(WIDTH - RIGHT + 10, middle, _caption(row, unit)))
    bottom = TOP + len(rows) * ROW
    if start < 0:
        zero = x(0.0)
        parts.append(
            f'<line x1="{zero:.1f}" x2="{zero:.1f}" y1="{TOP - 4}" y2="{bottom - 6}" '
            'stroke="#52606d" stroke-width="1.5"/>'
        )
    ticks = round((end - start) / step)
    for tick in range(ticks + 1):
        amount = start + tick * step
        parts.append(text_at(x(amount), bottom + 2, _tick(unit, amount), "middle"))
    parts.append(text_at(LABEL + PLOT / 2, bottom + 20, axis, "middle"))
    return svg(bottom + 26, parts)


def _interval(row: SpreadRow, x: Callable[[float], float], middle: float, unit: Unit) -> list[str]:
    estimate = row.estimate
    if estimate.mean is None:
        return [text_at(LABEL + 8, middle, "no day has this figure")]
    colour = BAND if row.real is None else (REAL if row.real else NOISE)
    parts = []
    tip = f"mean {value(unit, estimate.mean)}, 95% CI {interval(estimate, unit)}"
    if estimate.low is not None and estimate.high is not None:
        left, right = x(estimate.low), x(estimate.high)
        parts.append(
            f'<rect x="{left:.1f}" y="{middle - 6:.1f}" width="{max(right - left, 1.5):.1f}" '
            f'height="12" fill="{colour}" fill-opacity="0.55" stroke="{colour}">'
            f"<title>{escape(tip)}</title></rect>"
        )
    mean = x(estimate.mean)
    parts.append(
        f'<line x1="{mean:.1f}" x2="{mean:.1f}" y1="{middle - 9:.1f}" y2="{middle + 9:.1f}" '
        f'stroke="{MEAN}" stroke-width="2.5"><title>{escape(tip)}</title></line>'
    )
    return parts


def _caption(row: SpreadRow, unit: Unit) -> str:
    if row.real is None:
        return plus_minus(row.estimate, unit)
    if row.estimate.low == row.estimate.high == 0:
        return "the same every day"
    return signed(unit, row.estimate) + (" real" if row.real else " noise")


def _extent(rows: Sequence[SpreadRow]) -> list[float]:
    bounds = [row.estimate.low for row in rows] + [row.estimate.high for row in rows]
    return [*(v for row in rows for v in row.values), *(b for b in bounds if b is not None)]


def _scale(largest: float, ticks: int) -> tuple[float, float]:
    """A round end for the axis at or above `largest`, and a step of at most `ticks` ticks."""
    if largest <= 0:
        return 1.0, 0.25
    magnitude = 10 ** math.floor(math.log10(largest))
    steps = (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5)
    step = next(m * magnitude for m in steps if largest / (m * magnitude) <= ticks)
    return math.ceil(largest / step - 1e-9) * step, step


def _tick(unit: Unit, amount: float) -> str:
    if unit is Unit.SHARE:
        return f"{amount * 100:.0f}%"
    return f"{amount:g}"


def figure_row(days: Days, name: str, label: str | None = None) -> SpreadRow:
    return SpreadRow(
        label or FIGURES[name].label,
        [v for v in days.values(name) if v is not None],
        days.figures[name],
    )


def figure_table(header: Sequence[str], rows: Sequence[Sequence[tuple[str, bool]]]) -> str:
    """An HTML table; a cell is (text, marked), marked cells in bold."""
    head = "".join(f"<th>{escape(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="real">{escape(cell)}</td>' if marked else f"<td>{escape(cell)}</td>"
            for cell, marked in row
        )
        + "</tr>"
        for row in rows
    )
    return f'<table class="figures"><tr>{head}</tr>{body}</table>'


def invariants(groups: Sequence[Days]) -> str:
    if not any(days.broken_seeds for days in groups):
        return '<p class="ok">All rules held on every day played.</p>'
    heading, *details = broken_days(groups)
    items = "".join(f"<li>{escape(line.strip())}</li>" for line in details)
    return f'<div class="bad"><b>{escape(heading)}</b><ul>{items}</ul></div>'


def cards(entries: Sequence[tuple[str, str]]) -> str:
    inner = "".join(
        f'<div class="card"><b>{escape(v)}</b><span>{escape(k)}</span></div>' for v, k in entries
    )
    return f'<div class="cards">{inner}</div>'


def page(title: str, sections: Sequence[str], footer: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{DAY_STYLE}{STYLE}</style>\n</head>\n"
        "<body>\n"
        + "\n".join(sections)
        + f"\n<footer>{escape(footer)}</footer>\n</body>\n</html>\n"
    )
