"""Charts drawn by the server as inline SVG: bars, stacked bars, horizontal bars and lines.

No JavaScript and no chart library: a chart is a few rectangles and lines whose horizontal
positions are percentages of the page width and whose heights are pixels, so the same SVG
fills a desktop card or a phone screen while its text keeps a readable size (a viewBox would
shrink the text with the chart). Right-to-left pages get a mirrored chart: bars grow from the
right and years run from right to left, and the SVG's ``direction`` makes ``text-anchor``
follow the reading direction.

Every chart carries a ``<title>`` and a ``<desc>`` (``role="img"``), prints its numbers in
its labels, and keeps its data as rows for a plain table the page offers next to it.
Text is escaped here; the SVG is marked safe for templates.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import count, pairwise

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

# Colours with at least 4.5:1 contrast against white text (segment numbers are white).
GREEN, TERRACOTTA, BLUE, PURPLE, GREY = "#0b6e4f", "#b5562e", "#0d5bd7", "#6f42c1", "#6c757d"
PALETTE = (TERRACOTTA, GREEN, BLUE, PURPLE, GREY)
TEXT, MUTED, GRID = "#212529", "#5c636a", "#dee2e6"
FONT = 13  # px: the page's small text

_ids = count(1)


# --- Numbers as the active language writes them --------------------------------------------


def _localised(value, decimal_pos: int | None = None, grouping: bool = True) -> str:
    """number_format, with a plain-space thousands separator made a no-break space: a plain
    space is a bidi word separator, so on an Arabic page "1 616" showed as "616 1"; U+00A0
    is a number separator (bidi class CS) and never breaks the line either."""
    text = number_format(value, decimal_pos=decimal_pos, use_l10n=True, force_grouping=grouping)
    return text.replace(" ", "\u00a0")


def fmt_int(value) -> str:
    return _localised(int(value or 0), decimal_pos=0)


def fmt_percent(fraction: float | None, decimals: int = 0) -> str:
    """0.534 → "53 %" (French), "53%" (English); None → an em dash."""
    if fraction is None:
        return "—"
    value = _localised(round(fraction * 100, decimals), decimal_pos=decimals)
    return _("%(value)s%%") % {"value": value}


def fmt_mad(value: Decimal | float | int) -> str:
    """Whole dirhams with grouping: 1 234 567 MAD."""
    whole = Decimal(value or 0).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    amount = _localised(whole, decimal_pos=0)
    return _("%(amount)s MAD") % {"amount": amount}


def fmt_compact(value: Decimal | float | int) -> str:
    """Short form for a label under a narrow bar: 850, 12.5 k, 1.2 M (localised separators)."""
    value = float(value or 0)
    if abs(value) >= 1_000_000:
        return _("%(value)s M") % {"value": _localised(round(value / 1_000_000, 1), decimal_pos=1)}
    if abs(value) >= 10_000:
        return _("%(value)s k") % {"value": _localised(round(value / 1000), decimal_pos=0)}
    return fmt_int(value)


# --- Charts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | int | Decimal | None]
    colour: str


@dataclass
class Chart:
    """An SVG and the same data as a table (header row + rows of text)."""

    title: str
    desc: str
    svg: SafeString
    legend: list[tuple[str, str]] = field(default_factory=list)  # (label, colour)
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    note: str = ""  # a line under the chart (e.g. what it leaves out)

    @property
    def empty(self) -> bool:
        return not self.rows


class _Canvas:
    """Collects SVG elements; x in percent of the width (mirrored on RTL pages), y in pixels."""

    def __init__(self, *, height: int, rtl: bool):
        self.height, self.rtl, self.parts = height, rtl, []

    def x(self, percent: float) -> str:
        return f"{(100 - percent) if self.rtl else percent:.2f}%"

    def dx(self, pixels: float) -> float:
        """A shift along the reading direction, in pixels (dx attributes are physical)."""
        return -pixels if self.rtl else pixels

    def rect(self, x: float, y: float, width: float, height: float, colour: str, label: str = "") -> None:
        left = x + width if self.rtl else x  # the mirrored left edge
        title = f"<title>{escape(label)}</title>" if label else ""
        self.parts.append(
            f'<rect x="{self.x(left)}" y="{y:.1f}" width="{width:.2f}%" height="{max(height, 0):.1f}" '
            f'fill="{colour}">{title}</rect>'
        )

    def line(
        self, x1: float, y1: float, x2: float, y2: float, colour: str, width: float = 1, dash=""
    ) -> None:
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(
            f'<line x1="{self.x(x1)}" y1="{y1:.1f}" x2="{self.x(x2)}" y2="{y2:.1f}" stroke="{colour}" '
            f'stroke-width="{width}"{dashes}/>'
        )

    def dot(self, x: float, y: float, colour: str, label: str = "") -> None:
        title = f"<title>{escape(label)}</title>" if label else ""
        self.parts.append(
            f'<circle cx="{self.x(x)}" cy="{y:.1f}" r="4.5" fill="{colour}" stroke="#fff" stroke-width="1.5">'
            f"{title}</circle>"
        )

    def text(
        self,
        x: float,
        y: float,
        content: str,
        *,
        anchor: str = "start",
        colour: str = TEXT,
        size: int = FONT,
        weight: str = "",
        shift: float = 0,
    ) -> None:
        """``anchor`` is logical (start = where reading starts); ``shift`` moves the text
        ``shift`` pixels along the reading direction."""
        extra = f' font-weight="{weight}"' if weight else ""
        if shift:
            extra += f' dx="{self.dx(shift):.1f}"'
        self.parts.append(
            f'<text x="{self.x(x)}" y="{y:.1f}" text-anchor="{anchor}" fill="{colour}" '
            f'font-size="{size}"{extra}>{escape(content)}</text>'
        )

    def svg(self, title: str, desc: str) -> SafeString:
        n = next(_ids)
        title_id, desc_id = f"chart-{n}-title", f"chart-{n}-desc"
        direction = "rtl" if self.rtl else "ltr"
        body = "".join(self.parts)
        return mark_safe(  # noqa: S308 — every text above went through escape()
            f'<svg xmlns="http://www.w3.org/2000/svg" class="souk-chart" width="100%" height="{self.height}" '
            f'role="img" aria-labelledby="{title_id} {desc_id}" direction="{direction}" '
            f'font-family="inherit">'
            f'<title id="{title_id}">{escape(title)}</title><desc id="{desc_id}">{escape(desc)}</desc>'
            f"{body}</svg>"
        )


def _rtl(rtl: bool | None) -> bool:
    return get_language_bidi() if rtl is None else rtl


def _number(value) -> float:
    return float(value) if value is not None else 0.0


def column_chart(
    *,
    title: str,
    desc: str,
    labels: Sequence[str],
    values: Sequence[float | int | Decimal],
    colour: str = GREEN,
    value_text: Callable[[float | int | Decimal], str] = fmt_int,
    value_header: str = "",
    table_text: Callable[[float | int | Decimal], str] | None = None,
    rtl: bool | None = None,
    height: int = 210,
) -> Chart:
    """Vertical bars, one per label (a year), the value printed above each bar
    (``value_text``; the table shows ``table_text``, the full figure, when given)."""
    rtl = _rtl(rtl)
    canvas = _Canvas(height=height, rtl=rtl)
    top, base = 24, height - 26
    peak = max((_number(v) for v in values), default=0) or 1
    n = max(len(labels), 1)
    slot = 100 / n
    width = min(slot * 0.62, 14)
    canvas.line(0, base, 100, base, GRID)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        centre = slot * (i + 0.5)
        bar = (base - top) * _number(value) / peak
        text = value_text(value)
        canvas.rect(centre - width / 2, base - bar, width, bar, colour, f"{label}: {text}")
        canvas.text(centre, base - bar - 6, text, anchor="middle", weight="600")
        canvas.text(centre, base + 18, label, anchor="middle", colour=MUTED)
    return Chart(
        title=title,
        desc=desc,
        svg=canvas.svg(title, desc),
        header=["", value_header or title],
        rows=[
            [label, (table_text or value_text)(value)] for label, value in zip(labels, values, strict=True)
        ],
    )


def stacked_column_chart(
    *,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[Series],
    rtl: bool | None = None,
    height: int = 230,
    total_header: str = "",
) -> Chart:
    """Vertical bars made of one segment per series; the total above, each part inside its
    segment when the segment is tall enough to hold it."""
    rtl = _rtl(rtl)
    canvas = _Canvas(height=height, rtl=rtl)
    top, base = 24, height - 26
    totals = [sum(_number(s.values[i]) for s in series) for i in range(len(labels))]
    peak = max(totals, default=0) or 1
    n = max(len(labels), 1)
    slot = 100 / n
    width = min(slot * 0.62, 14)
    canvas.line(0, base, 100, base, GRID)
    for i, label in enumerate(labels):
        centre = slot * (i + 0.5)
        y = base
        for s in series:
            value = _number(s.values[i])
            if not value:
                continue
            segment = (base - top) * value / peak
            y -= segment
            canvas.rect(
                centre - width / 2, y, width, segment, s.colour, f"{label}, {s.label}: {fmt_int(value)}"
            )
            if segment >= FONT + 3:
                canvas.text(
                    centre, y + segment / 2 + 4.5, fmt_int(value), anchor="middle", colour="#fff", size=12
                )
        canvas.text(centre, y - 6, fmt_int(totals[i]), anchor="middle", weight="600")
        canvas.text(centre, base + 18, label, anchor="middle", colour=MUTED)
    return Chart(
        title=title,
        desc=desc,
        svg=canvas.svg(title, desc),
        legend=[(s.label, s.colour) for s in series],
        header=["", *(s.label for s in series), total_header or _("total")],
        rows=[
            [label, *(fmt_int(s.values[i]) for s in series), fmt_int(totals[i])]
            for i, label in enumerate(labels)
        ],
    )


def bar_chart(
    *,
    title: str,
    desc: str,
    labels: Sequence[str],
    values: Sequence[float | int | Decimal],
    colour: str = TERRACOTTA,
    value_text: Callable[[float | int | Decimal], str] = fmt_int,
    value_header: str = "",
    rtl: bool | None = None,
) -> Chart:
    """Horizontal bars for named categories (crafts, provinces): the name on its own line
    above the bar, so long names never crowd a phone screen; the value at the bar's end."""
    rtl = _rtl(rtl)
    row = 38
    canvas = _Canvas(height=max(len(labels), 1) * row + 4, rtl=rtl)
    peak = max((_number(v) for v in values), default=0) or 1
    room = 82  # percent of the width the longest bar takes; the rest is for its number
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = i * row
        length = room * _number(value) / peak
        text = value_text(value)
        canvas.text(0, y + 14, label, colour=TEXT)
        canvas.rect(0, y + 19, max(length, 0.4), 13, colour, f"{label}: {text}")
        canvas.text(length, y + 30, text, weight="600", shift=5)
    return Chart(
        title=title,
        desc=desc,
        svg=canvas.svg(title, desc),
        header=["", value_header or title],
        rows=[[label, value_text(value)] for label, value in zip(labels, values, strict=True)],
    )


def share_line_chart(
    *,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[Series],
    rtl: bool | None = None,
    height: int = 230,
) -> Chart:
    """Shares (0–1) by year as lines on a 0–100 % scale, each point labelled. Where two
    series meet, the higher value's label goes above its point and the lower one's below."""
    rtl = _rtl(rtl)
    canvas = _Canvas(height=height, rtl=rtl)
    top, base = 22, height - 30
    gutter = 10  # percent of the width kept for the scale's labels, clear of the points
    n = max(len(labels), 1)
    slot = (100 - gutter) / n

    def x_of(i: int) -> float:
        return gutter + slot * (i + 0.5)

    def y_of(fraction: float) -> float:
        return base - (base - top) * fraction

    for tick in (0, 0.25, 0.5, 0.75, 1):
        y = y_of(tick)
        canvas.line(0, y, 100, y, GRID, dash="" if tick == 0 else "3 3")
        canvas.text(0, y - 3, fmt_percent(tick), colour=MUTED, size=11)
    for i, label in enumerate(labels):
        canvas.text(x_of(i), base + 20, label, anchor="middle", colour=MUTED)
    for s in series:
        points = [(x_of(i), v) for i, v in enumerate(s.values)]
        for (x1, v1), (x2, v2) in pairwise(points):
            if v1 is not None and v2 is not None:
                canvas.line(x1, y_of(v1), x2, y_of(v2), s.colour, width=2.5)
    for i, label in enumerate(labels):
        present = sorted(
            ((s.values[i], s) for s in series if s.values[i] is not None),
            key=lambda pair: pair[0],
            reverse=True,
        )
        for rank, (value, s) in enumerate(present):
            x, y = x_of(i), y_of(value)
            canvas.dot(x, y, s.colour, f"{label}, {s.label}: {fmt_percent(value)}")
            below = rank > 0 and len(present) > 1
            canvas.text(
                x,
                y + 18 if below else y - 9,
                fmt_percent(value),
                anchor="middle",
                colour=s.colour,
                weight="600",
            )
    return Chart(
        title=title,
        desc=desc,
        svg=canvas.svg(title, desc),
        legend=[(s.label, s.colour) for s in series],
        header=["", *(s.label for s in series)],
        rows=[[label, *(fmt_percent(s.values[i]) for s in series)] for i, label in enumerate(labels)],
    )
