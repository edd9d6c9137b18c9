"""Charts rendered on the server as SVG, their text kept as text.

matplotlib draws the chart (no JavaScript, no build) with ``svg.fonttype = "none"``: every label is
an SVG ``<text>`` element in the page's fonts, so Arabic is shaped by the browser, selectable and
read by screen readers. In a right-to-left language time runs from right to left (the x axis is
inverted and the value axis is on the right), as Arabic readers expect of a timeline. The colours
are the project's (static/css/bmis.css). Each chart carries ``<title>`` and ``<desc>`` (the series
in words) and ``role="img"`` with ``aria-labelledby``, and the page shows the same numbers in a
table for those who cannot see the chart.

Charts are drawn from figures already counted (the rollups): this module counts nothing.
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

# The project's palette (static/css/bmis.css): accent, muted, line, foreground; bad/ok for refusals.
ACCENT = "#0b5394"
MUTED = "#5d6d7e"
LINE = "#d5dbe1"
FG = "#17202a"
BAD = "#b3261e"
OK = "#1e7b34"
WARN = "#b36b00"
PREVIOUS = "#9aa5b1"  # the same period last year: a lighter grey beside the accent
FONT_STACK = ["Noto Sans", "Noto Sans Arabic", "DejaVu Sans", "sans-serif"]

_VERSION = 1  # bump when the drawing changes: cached charts are then drawn again
CACHE_SECONDS = 600
_lock = threading.Lock()  # matplotlib's font cache and rcParams are process-wide


@dataclass
class Series:
    label: str
    values: list[float]
    colour: str = ACCENT
    dashed: bool = False


@dataclass
class Chart:
    """What to draw: category labels (periods, or the values of a dimension) and one or more
    series of the same length."""

    title: str
    labels: list[str]
    series: list[Series] = field(default_factory=list)
    kind: str = "line"  # "line" or "bar"
    y_label: str = ""
    description: str = ""


def _svg_id(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "chart"


def render_svg(chart: Chart, *, rtl: bool = False, width: float = 9.0, height: float = 3.4,
               chart_id: str | None = None) -> str:
    """The chart as an inline ``<svg>`` element (no XML prolog, no fixed size: it scales to its
    container), with ``<title>``/``<desc>`` and every label as ``<text>``. The same chart (same
    figures, labels, language and size) is drawn once and then read from the cache."""
    from django.core.cache import cache

    key = "analytics:svg:" + hashlib.sha256(
        repr((chart, rtl, width, height, chart_id, _VERSION)).encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = _render(chart, rtl=rtl, width=width, height=height, chart_id=chart_id)
        cache.set(key, svg, timeout=CACHE_SECONDS)
    return svg


def _render(chart: Chart, *, rtl: bool, width: float, height: float, chart_id: str | None) -> str:
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib import rcParams
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    n = len(chart.labels)
    with _lock:
        saved = {k: rcParams[k] for k in ("svg.fonttype", "font.family", "font.sans-serif", "svg.hashsalt")}
        rcParams["svg.fonttype"] = "none"
        rcParams["font.family"] = "sans-serif"
        rcParams["font.sans-serif"] = FONT_STACK
        rcParams["svg.hashsalt"] = "bmis"  # stable ids: the same chart gives the same SVG
        try:
            fig = Figure(figsize=(width, height), dpi=100)
            ax = fig.add_subplot()
            xs = list(range(n))
            bars = list(chart.series)
            if chart.kind == "bar" and bars:
                slot = 0.8 / len(bars)
                for k, s in enumerate(bars):
                    offset = (k - (len(bars) - 1) / 2) * slot
                    ax.bar([x + offset for x in xs], s.values, width=slot * 0.95, color=s.colour,
                           label=s.label, hatch="//" if s.dashed else None, edgecolor="white" if not s.dashed else s.colour,
                           linewidth=0.5)
            else:
                for s in bars:
                    ax.plot(xs, s.values, color=s.colour, label=s.label, linewidth=2 if not s.dashed else 1.5,
                            linestyle="--" if s.dashed else "-", marker="o" if n <= 40 else None, markersize=3)
            ax.set_title(chart.title, color=FG, fontsize=12, loc="right" if rtl else "left",
                         pad=22 if len(chart.series) > 1 else 6)
            if chart.y_label:
                ax.set_ylabel(chart.y_label, color=MUTED)
            # Label at most ~14 categories; a year by day shows every ~4 weeks.
            step = max(1, -(-n // 14))
            ticks = xs[::step]
            ax.set_xticks(ticks, [chart.labels[i] for i in ticks], fontsize=8, color=MUTED,
                          rotation=0 if n <= 14 else 30, ha="center" if n <= 14 else ("left" if rtl else "right"))
            ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
            ax.tick_params(colors=MUTED, labelsize=8)
            ax.grid(axis="y", color=LINE, linewidth=0.6)
            ax.set_axisbelow(True)
            for side in ("top", "right", "left"):
                ax.spines[side].set_visible(False)
            ax.spines["bottom"].set_color(LINE)
            if n:
                ax.set_xlim(-0.6, n - 0.4)
            ax.set_ylim(bottom=0)
            if rtl:
                ax.invert_xaxis()  # time runs right to left
                ax.yaxis.tick_right()
                ax.yaxis.set_label_position("right")
            if len(bars) > 1:
                ax.legend(loc="lower right" if rtl else "lower left", frameon=False, fontsize=8,
                          ncols=len(bars), bbox_to_anchor=(1, 1.0) if rtl else (0, 1.0), markerfirst=not rtl)
            # Fixed margins (tight_layout would draw the figure once more only to measure it).
            side, axis = 0.035, 0.075
            fig.subplots_adjust(left=side if rtl else axis, right=1 - axis if rtl else 1 - side,
                                top=0.80 if len(bars) > 1 else 0.88, bottom=0.22 if n > 14 else 0.12)
            buf = io.StringIO()
            fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
        finally:
            rcParams.update(saved)
    return _accessible(buf.getvalue(), chart, chart_id or _svg_id(chart.title), rtl=rtl)


def _describe(chart: Chart) -> str:
    if chart.description:
        return chart.description
    parts = []
    for s in chart.series:
        total = sum(s.values)
        parts.append(f"{s.label}: {total:g}")
    return "; ".join(parts)


_STYLE_ATTR = re.compile(r'\sstyle="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"<style[^>]*>.*?</style>", re.S)
_PROPERTY = re.compile(r"^[a-z-]+$")


def _presentation(match: re.Match) -> str:
    """``style="fill: #fff; font-size: 8px"`` as presentation attributes (fill="#fff"
    font-size="8px"): the Content-Security-Policy refuses inline style, not SVG attributes."""
    attrs = []
    for declaration in match.group(1).split(";"):
        name, _sep, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if name and value and _PROPERTY.match(name) and name != "white-space":
            attrs.append(f' {name}="{value.replace(chr(34), chr(39))}"')
    return "".join(attrs)


def _accessible(svg: str, chart: Chart, chart_id: str, *, rtl: bool) -> str:
    """Strip the XML prolog and the fixed size, turn inline style into attributes, add role, title
    and description."""
    svg = _STYLE_ELEMENT.sub("", svg)
    svg = _STYLE_ATTR.sub(_presentation, svg)
    start = svg.index("<svg")
    svg = svg[start:]
    head_end = svg.index(">")
    head = svg[:head_end]
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    # No direction="rtl" on the root: matplotlib anchors each label by its left, centre or right
    # edge, which "start"/"end" would swap; the browser's bidi algorithm still orders Arabic text.
    # direction="ltr" too: an Arabic page's CSS direction is inherited by inline SVG and would
    # swap the anchors in the same way.
    head += (f' role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart" direction="ltr"'
             f' data-chart="{chart_id}" data-rtl="{"1" if rtl else "0"}"')
    body = svg[head_end + 1:]
    accessible = (f"<title id=\"{chart_id}-title\">{escape(chart.title)}</title>"
                  f"<desc id=\"{chart_id}-desc\">{escape(_describe(chart))}</desc>")
    return head + ">" + accessible + body
