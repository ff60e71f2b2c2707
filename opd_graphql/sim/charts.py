"""The SVG charts of the day's page: plain shapes, no scripts, no external resources."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from opd_graphql.engine import EventKind, Source, Status
from opd_graphql.sim.replay import DayReplay, SlotInfo

WIDTH = 1160
LABEL = 130
RIGHT = 150
PLOT = WIDTH - LABEL - RIGHT
SEEN, WAITING, OVER = "#2f8132", "#a3d9a5", "#d64545"
WINDOW, OUTLINE, BACKDROP = "#e6f0fa", "#1f4e79", "#f5f7fa"
MARKERS = {
    "emergency": ("#b42318", "emergency booked"),
    "overbooked": ("#b42318", "emergency overbooked the slot"),
    "displaced": ("#de911d", "a patient displaced from the slot"),
    "promoted": ("#2680c2", "a waitlisted patient promoted into it"),
}
SOURCE_NAMES = {
    Source.EMERGENCY: "Emergency",
    Source.PAID: "Paid",
    Source.FOLLOW_UP: "Follow-up",
    Source.ONLINE: "Online",
    Source.WALK_IN: "Walk-in",
}
BIN_CHOICES = (5, 10, 15, 20, 30, 60)
MAX_BINS = 24

Window = tuple[datetime, datetime]
Scale = Callable[[datetime], float]


def outcome_bars(counts: dict[Source, Counter[Status]], palette: list[tuple[Status, str]]) -> str:
    row, top = 30, 6
    largest = max((sum(c.values()) for c in counts.values()), default=0) or 1
    parts = []
    for index, (source, outcome) in enumerate(counts.items()):
        y = top + index * row
        parts.append(text_at(LABEL - 10, y + 11, SOURCE_NAMES[source], "end"))
        x = float(LABEL)
        for status, colour in palette:
            width = outcome[status] / largest * PLOT
            if width:
                parts.append(
                    rect(x, y, width, row - 8, colour, f"{outcome[status]} {status.value}")
                )
                if width > 24:
                    parts.append(
                        text_at(x + width / 2, y + 11, str(outcome[status]), "middle", "#fff")
                    )
            x += width
        parts.append(text_at(x + 8, y + 11, f"{sum(outcome.values())} booked"))
    return svg(top + len(counts) * row, parts)


def wait_histograms(waits: dict[Source, list[float]]) -> str:
    longest = max((max(w) for w in waits.values() if w), default=0.0)
    width = next((b for b in BIN_CHOICES if longest / b < MAX_BINS), BIN_CHOICES[-1])
    bins = max(1, math.ceil((longest + 0.001) / width))
    row, top = 58, 8
    shares = {s: _shares(w, width, bins) for s, w in waits.items() if w}
    parts = []
    for index, (source, values) in enumerate(waits.items()):
        y = top + index * row
        parts.append(text_at(LABEL - 10, y + row / 2 - 6, SOURCE_NAMES[source], "end"))
        parts.append(rect(LABEL, y, PLOT, row - 12, BACKDROP))
        if not values:
            parts.append(text_at(LABEL + 8, y + row / 2, "nobody from this source was seen"))
            continue
        for b, share in enumerate(shares[source]):
            height = share / max(shares[source]) * (row - 14)
            x = LABEL + b * PLOT / bins
            tip = f"{share:.0%} waited {b * width}-{(b + 1) * width} min"
            parts.append(rect(x + 1, y + row - 12 - height, PLOT / bins - 2, height, SEEN, tip))
        mean = sum(values) / len(values)
        mean_x = LABEL + mean / (bins * width) * PLOT
        parts.append(
            f'<line x1="{mean_x:.1f}" x2="{mean_x:.1f}" y1="{y - 2}" y2="{y + row - 10}" '
            'stroke="#111" stroke-width="2"/>'
        )
        parts.append(text_at(WIDTH - RIGHT + 10, y + row / 2 - 6, f"{len(values)} seen"))
        parts.append(text_at(WIDTH - RIGHT + 10, y + row / 2 + 10, f"mean {mean:.0f} min"))
    axis_y = top + len(waits) * row
    step = max(1, bins // 12)
    for b in range(0, bins + 1, step):
        x = LABEL + b * PLOT / bins
        parts.append(text_at(x, axis_y + 2, f"{b * width}", "middle"))
    parts.append(text_at(LABEL + PLOT / 2, axis_y + 20, "minutes waited", "middle"))
    return svg(axis_y + 26, parts)


def day_legend() -> str:
    swatches = [
        (rect(0, 2, 14, 10, WAITING), "booked, not seen yet"),
        (rect(0, 2, 14, 10, SEEN), "seen"),
        (rect(0, 2, 14, 10, OVER), "over capacity"),
        (
            f'<rect x="1" y="2" width="12" height="10" fill="{WINDOW}" stroke="{OUTLINE}"/>',
            "the slot's own time",
        ),
        *((_marker(name, 7, 7), label) for name, (_, label) in MARKERS.items()),
    ]
    items = "".join(
        f'<span><svg width="16" height="14" aria-hidden="true">{shape}</svg> {escape(label)}</span>'
        for shape, label in swatches
    )
    return f'<div class="legend">{items}</div>'


def day_window(slots: Sequence[Sequence[SlotInfo]], last: Sequence[datetime]) -> Window:
    """From an hour before the first slot to the last doctor leaving, on whole hours."""
    start = min(s[0].start for s in slots) - timedelta(hours=1)
    end = max(max(s[-1].end for s in slots), *last)
    hours = math.ceil((end - start) / timedelta(hours=1))
    return start, start + timedelta(hours=hours)


def doctor_day(day: DayReplay, window: Window, timezone: ZoneInfo) -> str:
    row, height, top = 28, 22, 22
    start, end = window
    span = (end - start).total_seconds()

    def x(moment: datetime) -> float:
        clamped = min(max(moment, start), end)
        return LABEL + (clamped - start).total_seconds() / span * PLOT

    held_most = max((h for steps in day.occupancy.values() for _, h, _ in steps), default=0)
    parts = _hour_ticks(window, x, top, top + len(day.slots) * row, timezone)
    for index, slot in enumerate(day.slots):
        y = top + index * row
        per_place = height / max(slot.capacity, held_most)
        base = y + height
        local = slot.start.astimezone(timezone), slot.end.astimezone(timezone)
        parts.append(
            text_at(LABEL - 10, y + height / 2, f"{local[0]:%H:%M}-{local[1]:%H:%M}", "end")
        )
        parts.append(rect(LABEL, y, PLOT, height, BACKDROP))
        parts.append(rect(x(slot.start), y, x(slot.end) - x(slot.start), height, WINDOW))
        steps = day.occupancy.get(slot.id, [])
        for colour, layer in _layers(slot.capacity):
            path = _band(steps, x, end, base, per_place, layer)
            if path:
                parts.append(f'<path d="{path}" fill="{colour}"/>')
        line_y = base - slot.capacity * per_place
        parts.append(
            f'<line x1="{LABEL}" x2="{LABEL + PLOT}" y1="{line_y:.1f}" y2="{line_y:.1f}" '
            'stroke="#52606d" stroke-dasharray="4 3" stroke-width="1"/>'
        )
        parts.append(
            f'<rect x="{x(slot.start):.1f}" y="{y - 1}" width="{x(slot.end) - x(slot.start):.1f}" '
            f'height="{height + 2}" fill="none" stroke="{OUTLINE}" stroke-width="1.5"/>'
        )
        for mark in day.marks:
            if mark.slot_id == slot.id:
                name = _marker_name(mark.kind)
                lower = name in ("displaced", "promoted")
                parts.append(_marker(name, x(mark.at), y + height * (0.7 if lower else 0.3)))
        seen = sum(
            t.places
            for t in day.tokens.values()
            if t.slot_id == slot.id and t.status is Status.COMPLETED
        )
        parts.append(
            text_at(WIDTH - RIGHT + 10, y + height / 2, f"{seen} seen of {slot.capacity} places")
        )
    return svg(top + len(day.slots) * row, parts)


Layer = Callable[[int, int], tuple[int, int]]


def _layers(capacity: int) -> list[tuple[str, Layer]]:
    """What each colour covers, in places from the bottom, given (held, seen)."""
    return [
        (SEEN, lambda held, seen: (0, min(seen, capacity))),
        (WAITING, lambda held, seen: (min(seen, capacity), min(held, capacity))),
        (OVER, lambda held, seen: (capacity, held)),
    ]


def _band(
    steps: list[tuple[datetime, int, int]],
    x: Scale,
    end: datetime,
    base: float,
    per_place: float,
    layer: Layer,
) -> str:
    """The outline of one layer of a slot's step chart over the day."""
    pieces = []
    for index, (moment, held, seen) in enumerate(steps):
        # Once everyone holding a place has been seen, the slot's story is over.
        last = index + 1 == len(steps)
        following = (moment if held == seen else end) if last else steps[index + 1][0]
        low, high = layer(held, seen)
        left, right = x(moment), x(following)
        if high > low and right > left:
            pieces.append(
                f"M{left:.1f},{base - low * per_place:.1f} h{right - left:.1f} "
                f"v{(low - high) * per_place:.1f} h{left - right:.1f} Z"
            )
    return " ".join(pieces)


def _hour_ticks(window: Window, x: Scale, top: float, bottom: float, tz: ZoneInfo) -> list[str]:
    start, end = window
    parts = []
    moment = start.astimezone(tz).replace(minute=0, second=0, microsecond=0)
    while moment <= end:
        if moment >= start:
            px = x(moment)
            parts.append(
                f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{top - 4}" y2="{bottom}" '
                'stroke="#d9e2ec" stroke-width="1"/>'
            )
            parts.append(text_at(px, top - 8, f"{moment:%H:%M}", "middle"))
        moment += timedelta(hours=1)
    return parts


def _marker_name(kind: EventKind) -> str:
    if kind is EventKind.OVERBOOKED:
        return "overbooked"
    if kind is EventKind.DISPLACED:
        return "displaced"
    if kind is EventKind.PROMOTED:
        return "promoted"
    return "emergency"


def _marker(name: str, cx: float, cy: float) -> str:
    colour, label = MARKERS[name]
    if name == "emergency":
        cross = f"M{cx - 5:.1f},{cy:.1f} h10 M{cx:.1f},{cy - 5:.1f} v10"
        shape = f'<path d="{cross}" stroke="{colour}" stroke-width="3"/>'
    elif name == "overbooked":
        shape = f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="{colour}" stroke="#fff"/>'
    elif name == "displaced":
        shape = f'<path d="M{cx - 5:.1f},{cy - 4:.1f} h10 l-5,9 Z" fill="{colour}" stroke="#fff"/>'
    else:
        shape = f'<path d="M{cx - 5:.1f},{cy + 4:.1f} h10 l-5,-9 Z" fill="{colour}" stroke="#fff"/>'
    return f"<g><title>{escape(label)}</title>{shape}</g>"


def _shares(values: list[float], width: int, bins: int) -> list[float]:
    counted = Counter(min(int(v // width), bins - 1) for v in values)
    return [counted[b] / len(values) for b in range(bins)]


def rect(x: float, y: float, width: float, height: float, fill: str, title: str = "") -> str:
    tip = f"<title>{escape(title)}</title>" if title else ""
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(width, 0):.1f}" height="{max(height, 0):.1f}" '
        f'fill="{fill}">{tip}</rect>'
    )


def text_at(x: float, y: float, content: str, anchor: str = "start", fill: str = "") -> str:
    colour = f' style="fill:{fill}"' if fill else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" dominant-baseline="middle"{colour}>'
        f"{escape(content)}</text>"
    )


def svg(height: float, parts: list[str]) -> str:
    return (
        f'<svg viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="{WIDTH}" height="{height:.0f}" role="img">' + "".join(parts) + "</svg>"
    )
