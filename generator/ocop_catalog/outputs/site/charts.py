"""Geometry of the statistics page's charts: numbers only.

The charts are static SVG drawn by the theme (``theme/ocop/partials/chart.html``) from
the figures of :mod:`ocop_catalog.edition.figures`; this module only says where each
bar goes, in the units of the SVG's ``viewBox``. Horizontal bars, one row a key: the
row's name on a line of its own, its bar below it (one segment per part, stacked), the
number at the bar's end. Every length is rounded to hundredths, so two builds of the
same figures draw the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: viewBox width; the page scales it to the column (ocop.css), at most 26rem: about
#: 1:1 on a 360 px phone.
WIDTH = 360
#: Room kept after the longest bar for its number.
NUMBER_ROOM = 52
LABEL_LINE = 22  # a row's name (font size 16)
BAR = 18
GAP = 10
ROW = LABEL_LINE + BAR + GAP
#: A row's name is cut to this many characters in the SVG (the table has it whole).
LABEL_CHARS = 40


@dataclass(frozen=True)
class Segment:
    part: str
    value: int
    x: float
    width: float


@dataclass(frozen=True)
class Row:
    key: str
    total: int
    label_y: float
    bar_y: float
    segments: tuple[Segment, ...]
    #: Where the number is written (after the bar's end).
    number_x: float
    #: For a progress row: the track (the whole target), else 0.
    track: float = 0.0


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bar: int
    rows: tuple[Row, ...]


def _r(value: float) -> float:
    return round(value, 2)


def bar_chart(rows: Sequence[tuple[str, Sequence[int]]],
              parts: Sequence[str] = ("value",), number_room: int = NUMBER_ROOM) -> Chart:
    """Bars for ``rows`` of (key, values of each part), on one scale: the longest row
    reaches ``WIDTH - number_room`` (the room its number is written in)."""
    longest = max((sum(values) for _, values in rows), default=0)
    scale = (WIDTH - number_room) / longest if longest else 0.0
    drawn = []
    for index, (key, values) in enumerate(rows):
        top = index * ROW
        x, segments = 0.0, []
        for part, value in zip(parts, values):
            width = _r(value * scale)
            segments.append(Segment(part, value, _r(x), width))
            x += value * scale
        drawn.append(Row(key, sum(values), _r(top + LABEL_LINE - 5), _r(top + LABEL_LINE),
                         tuple(segments), _r(x + 4)))
    return Chart(WIDTH, len(rows) * ROW, BAR, tuple(drawn))


def progress_chart(rows: Sequence[tuple[str, int, int]]) -> Chart:
    """One row per indicator, (key, achieved, target): its track is the target, the bar
    the part achieved (a full track once the target is reached)."""
    track = WIDTH - NUMBER_ROOM
    drawn = []
    for index, (key, achieved, target) in enumerate(rows):
        top = index * ROW
        width = _r(track * min(achieved / target, 1.0)) if target else 0.0
        drawn.append(Row(key, achieved, _r(top + LABEL_LINE - 5), _r(top + LABEL_LINE),
                         (Segment("achieved", achieved, 0.0, width),), _r(track + 4),
                         track=track))
    return Chart(WIDTH, len(rows) * ROW, BAR, tuple(drawn))
