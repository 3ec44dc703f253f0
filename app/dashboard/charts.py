"""Chart geometry for the dashboard's server-drawn SVG: pure functions, no Flask, no database.

Templates only place what these functions measured: bars, text positions, map dots. Every chart
writes its figures as text beside the marks, and series differ by pattern or shape as well as
by colour, so no reader depends on colour alone (WCAG 1.4.1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# GOV.UK colours with at least 3:1 contrast against white (WCAG 1.4.11 for graphics).
BLUE = "#1d70b8"
DARK_BLUE = "#003078"
GREEN = "#00703c"
PURPLE = "#4c2c92"
DARK_GREY = "#505a5f"
TEXT = "#0b0c0c"


@dataclass(frozen=True)
class Series:
    """One kind of bar: its name (for legends), colour, and whether it is hatched."""

    name: str
    colour: str
    hatched: bool = False


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    hatched: bool
    text: str  # the figure, written beside the bar
    text_x: float
    text_y: float


@dataclass(frozen=True)
class BarRow:
    label: str
    label_y: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class LegendItem:
    name: str
    colour: str
    hatched: bool
    x: float
    y: float


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart: one row per category, one bar per series in each row."""

    chart_id: str
    width: float
    height: float
    rows: tuple[BarRow, ...]
    legend: tuple[LegendItem, ...]
    hatch_colour: str

    @property
    def pattern_id(self) -> str:
        return f"{self.chart_id}-hatch"

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:g} {self.height:g}"


BAR_HEIGHT = 20
BAR_GAP = 4
LABEL_HEIGHT = 24  # each row's label sits on its own line above its bars
ROW_GAP = 14
LEGEND_HEIGHT = 32
VALUE_SPACE = 110  # room right of the longest bar for its figure ("12 requests")


def bar_chart(
    chart_id: str,
    rows: Sequence[tuple[str, Sequence[float], Sequence[str]]],
    series: Sequence[Series],
    *,
    width: float = 480,
) -> BarChart:
    """Geometry for rows of (label, values per series, text per series).

    Labels go above their bars rather than beside them, so long topic names keep the whole
    width and the chart stays narrow enough to read on a phone.
    """
    top = LEGEND_HEIGHT if len(series) > 1 else 0
    biggest = max((v for _, values, _ in rows for v in values), default=0) or 1
    span = max(width - VALUE_SPACE, 10)
    out_rows = []
    y = top
    for label, values, texts in rows:
        bars = []
        for n, (value, text, s) in enumerate(zip(values, texts, series, strict=True)):
            bar_y = y + LABEL_HEIGHT + n * (BAR_HEIGHT + BAR_GAP)
            # A zero still gets a hairline, so the row visibly has a (zero) bar.
            bar_width = max(span * value / biggest, 2 if value else 1)
            bars.append(
                Bar(
                    x=1,
                    y=bar_y,
                    width=round(bar_width, 1),
                    height=BAR_HEIGHT,
                    colour=s.colour,
                    hatched=s.hatched,
                    text=text,
                    text_x=round(bar_width + 8, 1),
                    text_y=bar_y + BAR_HEIGHT * 0.75,
                )
            )
        out_rows.append(BarRow(label=label, label_y=y + 17, bars=tuple(bars)))
        y += LABEL_HEIGHT + len(series) * (BAR_HEIGHT + BAR_GAP) + ROW_GAP
    legend = (
        tuple(
            LegendItem(s.name, s.colour, s.hatched, x=1 + n * 150, y=4)
            for n, s in enumerate(series)
        )
        if len(series) > 1
        else ()
    )
    return BarChart(
        chart_id=chart_id,
        width=width,
        height=max(y - ROW_GAP, top + 30),
        rows=tuple(out_rows),
        legend=legend,
        hatch_colour=next((s.colour for s in series if s.hatched), TEXT),
    )


def shorten(label: str, length: int = 52) -> str:
    """A label that fits above its bars; the table after the chart has it in full."""
    return label if len(label) <= length else label[: length - 1].rstrip(" ,(") + "…"


# --- the map -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Marker:
    """How one activity level is drawn: a colour AND a shape."""

    shape: str  # circle, square, triangle, diamond
    colour: str
    filled: bool


@dataclass(frozen=True, slots=True)
class Dot:
    x: float
    y: float
    shape: str
    fill: str
    stroke: str
    points: str  # polygon points for square/triangle/diamond; "" for a circle
    title: str


@dataclass(frozen=True)
class MapLegendItem:
    label: str
    count: int
    x: float
    y: float
    dot: Dot


@dataclass(frozen=True)
class MapChart:
    width: float
    height: float
    plot_height: float  # the dots' area; the legend is below it
    dots: tuple[Dot, ...]
    legend: tuple[MapLegendItem, ...]
    missing: int  # schools with no coordinates, not drawn

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:g} {self.height:g}"


DOT_SIZE = 5.0
MAP_PADDING = 16
LEGEND_ROW = 24


def marker_points(shape: str, x: float, y: float, size: float = DOT_SIZE) -> str:
    """Polygon points for a marker centred on (x, y); "" for a circle."""
    s = size
    if shape == "square":
        corners = [(x - s, y - s), (x + s, y - s), (x + s, y + s), (x - s, y + s)]
    elif shape == "triangle":
        h = s * 1.2
        corners = [(x, y - h), (x + h, y + h * 0.8), (x - h, y + h * 0.8)]
    elif shape == "diamond":
        d = s * 1.3
        corners = [(x, y - d), (x + d, y), (x, y + d), (x - d, y)]
    else:
        return ""
    return " ".join(f"{px:.1f},{py:.1f}" for px, py in corners)


def _dot(marker: Marker, x: float, y: float, title: str) -> Dot:
    return Dot(
        x=round(x, 1),
        y=round(y, 1),
        shape=marker.shape,
        fill=marker.colour if marker.filled else "#ffffff",
        # A white edge keeps overlapping filled markers apart; a hollow one needs its colour.
        stroke="#ffffff" if marker.filled else marker.colour,
        points=marker_points(marker.shape, x, y),
        title=title,
    )


def icon(marker: Marker, title: str) -> Dot:
    """A marker centred in a 16 by 16 box, for legends outside the map."""
    return _dot(marker, 8, 8, title)


def project_map(
    points: Sequence[tuple[float | None, float | None, str, str]],
    markers: dict[str, Marker],
    labels: Sequence[tuple[str, str, int]],
    *,
    width: float = 640,
    max_height: float = 640,
) -> MapChart:
    """Place (latitude, longitude, level, title) points in a viewBox, equirectangular.

    Longitude is scaled by the cosine of the middle latitude so distances look right at the
    partnership's latitude (a degree of longitude in Lincolnshire is ~0.6 of a degree of
    latitude). `labels` are (level, label, count) rows for the legend, in the order to show.
    No map tiles or outlines: the dots alone show where the schools are.
    """
    placed = [
        (lat, lon, level, title)
        for lat, lon, level, title in points
        if lat is not None and lon is not None
    ]
    legend_height = LEGEND_ROW * len(labels) + 8
    inner_width = width - 2 * MAP_PADDING
    if placed:
        lats = [p[0] for p in placed]
        lons = [p[1] for p in placed]
        lat_min, lat_max, lon_min, lon_max = min(lats), max(lats), min(lons), max(lons)
        k = math.cos(math.radians((lat_min + lat_max) / 2))
        span_x = (lon_max - lon_min) * k
        span_y = lat_max - lat_min
        if span_x <= 0 and span_y <= 0:
            scale = 0.0
        elif span_x <= 0:
            scale = (max_height - 2 * MAP_PADDING) / span_y
        else:
            scale = inner_width / span_x
            if span_y * scale > max_height - 2 * MAP_PADDING:
                scale = (max_height - 2 * MAP_PADDING) / span_y
        plot_height = max(span_y * scale, 40) + 2 * MAP_PADDING
        # Centre the drawing horizontally when height, not width, limited the scale.
        offset_x = MAP_PADDING + (inner_width - span_x * scale) / 2
        offset_y = MAP_PADDING + (plot_height - 2 * MAP_PADDING - span_y * scale) / 2
    else:
        plot_height = 60
    dots = []
    for lat, lon, level, title in placed:
        x = offset_x + (lon - lon_min) * k * scale
        y = offset_y + (lat_max - lat) * scale
        dots.append(_dot(markers[level], x, y, title))
    legend = tuple(
        MapLegendItem(
            label=label,
            count=count,
            x=MAP_PADDING + 22,
            y=plot_height + LEGEND_ROW * n + 16,
            dot=_dot(markers[level], MAP_PADDING + 6, plot_height + LEGEND_ROW * n + 11, label),
        )
        for n, (level, label, count) in enumerate(labels)
    )
    return MapChart(
        width=width,
        height=round(plot_height + legend_height, 1),
        plot_height=round(plot_height, 1),
        dots=tuple(dots),
        legend=legend,
        missing=len(points) - len(placed),
    )
