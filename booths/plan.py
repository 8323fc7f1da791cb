"""The floor plan as SVG, drawn by the server from booth positions (plain data in, text out).

The web pages inline the SVG (it scales to a phone's width and stays sharp when zoomed); the
PDF draws the same rectangles with reportlab (booths/pdf.py). Positions are metres.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

# Fill colours by booth state when the plan is coloured by status.
STATUS_COLOURS = {
    "free": "#ffffff",
    "taken": "#86c5a4",
    "locked": "#3f8f6b",
    "held": "#f3c969",
    "blocked": "#b8b8b8",
}
HIGHLIGHT = "#d62828"
MARGIN = 1.0  # metres around the plan


@dataclass(frozen=True)
class PlanBooth:
    id: int
    code: str
    x: float
    y: float
    width: float
    depth: float
    zone_colour: str
    state: str  # a key of STATUS_COLOURS
    label: str = ""  # the tooltip: exhibitor, craft…

    def __post_init__(self):
        for name in ("x", "y", "width", "depth"):
            value = getattr(self, name)
            if isinstance(value, Decimal):
                object.__setattr__(self, name, float(value))


def render_svg(
    booths: Iterable[PlanBooth],
    *,
    colour_by: str = "zone",
    highlight: int | None = None,
    link: Callable[[PlanBooth], str] | None = None,
    title: str = "",
) -> str:
    """An ``<svg>`` element of the plan. ``colour_by`` is "zone" or "status"; ``highlight``
    outlines one booth (an artisan's own); ``link`` makes each booth a link (staff)."""
    booths = list(booths)
    if not booths:
        return ""
    min_x = min(b.x for b in booths) - MARGIN
    min_y = min(b.y for b in booths) - MARGIN
    max_x = max(b.x + b.width for b in booths) + MARGIN
    max_y = max(b.y + b.depth for b in booths) + MARGIN
    width, height = max_x - min_x, max_y - min_y
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="floor-plan" viewBox="{min_x:.2f} {min_y:.2f} '
        f'{width:.2f} {height:.2f}" role="img" preserveAspectRatio="xMidYMin meet" direction="ltr">',
    ]
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    parts.append(
        f'<rect x="{min_x:.2f}" y="{min_y:.2f}" width="{width:.2f}" height="{height:.2f}" fill="#f8f5ef"/>'
    )
    font = max(0.45, min(1.1, min(min(b.width, b.depth) for b in booths) / 3.2))
    for booth in sorted(booths, key=lambda b: b.id == highlight):  # the highlighted one on top
        fill = booth.zone_colour if colour_by == "zone" else STATUS_COLOURS.get(booth.state, "#ffffff")
        stroke, stroke_width = ("#333333", 0.08)
        if booth.id == highlight:
            stroke, stroke_width = (HIGHLIGHT, 0.35)
        pattern = ' stroke-dasharray="0.3 0.2"' if booth.state in ("held", "blocked") else ""
        cx, cy = booth.x + booth.width / 2, booth.y + booth.depth / 2
        cell = (
            f'<g class="booth booth-{booth.state}" data-booth="{booth.id}">'
            f"<title>{escape(booth.code + (' — ' + booth.label if booth.label else ''))}</title>"
            f'<rect x="{booth.x:.2f}" y="{booth.y:.2f}" width="{booth.width:.2f}" height="{booth.depth:.2f}" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="{stroke_width}"{pattern}/>'
            f'<text x="{cx:.2f}" y="{cy:.2f}" font-size="{font:.2f}" text-anchor="middle" '
            f'dominant-baseline="central" fill="{_text_colour(fill)}">{escape(booth.code)}</text></g>'
        )
        if link is not None:
            cell = f"<a href={quoteattr(link(booth))}>{cell}</a>"
        parts.append(cell)
    parts.append("</svg>")
    return "".join(parts)


def _text_colour(fill: str) -> str:
    """Black on light fills, white on dark ones (relative luminance of a #rrggbb colour)."""
    try:
        r, g, b = (int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5))
    except (ValueError, IndexError):
        return "#111111"
    return "#111111" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else "#ffffff"
