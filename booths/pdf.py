"""Printable documents of a fair's booths: the floor plan and the booth list.

Both are built on core.pdf (fonts, Arabic shaping, the page frame with header and footer);
reportlab is imported inside the functions that draw. The plan is drawn as vector graphics
from the booth positions (metres), scaled to fit an A4 — or, for a dense plan, A3 —
landscape page; it is never mirrored for Arabic (a hall has one geometry), only its legend,
header and footer are.
"""

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from booths import selectors
from booths.models import Booth
from core import pdf

PLAN_BACKGROUND = "#f8f5ef"
NO_ZONE_COLOUR = "#dddddd"
UNAVAILABLE_COLOUR = "#e4e4e4"
MIN_CODE_SIZE = 3.5  # points: smaller than this a printed booth code cannot be read
COMFORTABLE_NAME_SIZE = 5  # points: a name this size reads without a magnifier
LEGEND_COLUMNS = 3


def print_booths(fair) -> list[Booth]:
    """The fair's booths with everything the two documents print, in one query."""
    return list(selectors.fair_booths(fair))


def _artisan(booth: Booth):
    assignment = selectors.assignment_of(booth)  # a free booth has none
    return assignment.application.artisan if assignment is not None else None


def _dates(fair) -> str:
    start = formats.date_format(fair.starts_on, "DATE_FORMAT")
    if fair.ends_on == fair.starts_on:
        return start
    return _("%(start)s – %(end)s") % {
        "start": start,
        "end": formats.date_format(fair.ends_on, "DATE_FORMAT"),
    }


def _subtitle(fair, document: str) -> str:
    return " · ".join(part for part in (document, _dates(fair), fair.place) if part)


def _title(fair, rtl: bool) -> str:
    return (fair.name_ar or fair.name) if rtl else fair.name


def _text_colour(fill: str) -> str:
    """Black or white, whichever reads better on ``fill`` (#rrggbb)."""
    red, green, blue = (int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return "#111111" if luminance > 0.5 else "#ffffff"


def _frame(pagesize) -> tuple[float, float]:
    """Width and height of the text frame build_pdf lays a story into (its margins, and
    the 6 pt padding of a platypus frame on each side)."""
    from reportlab.lib.units import mm

    width, height = pagesize
    return width - 30 * mm - 12, height - 44 * mm - 12


# --- The floor plan ------------------------------------------------------------------------


def _extent(booths) -> tuple[float, float, float, float]:
    margin = 1.0  # metres around the plan, as on the web plan
    min_x = min(float(b.x) for b in booths) - margin
    min_y = min(float(b.y) for b in booths) - margin
    max_x = max(float(b.x + b.width) for b in booths) + margin
    max_y = max(float(b.y + b.depth) for b in booths) + margin
    return min_x, min_y, max_x - min_x, max_y - min_y


def _page_for(booths):
    """A4 landscape, unless the smallest booth would be too small to read there: A3."""
    from reportlab.lib.pagesizes import A3, A4, landscape

    _x, _y, plan_width, plan_height = _extent(booths)
    width, height = _frame(landscape(A4))
    scale = min(width / plan_width, (height * 0.8) / plan_height)
    smallest = min(min(float(b.width), float(b.depth)) for b in booths)
    return A3 if smallest * scale < 22 else A4


def _fit(text: str, font: str, size: float, width: float) -> float:
    """The largest size ≤ ``size`` at which ``text`` fits ``width`` (may be below readable)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    natural = stringWidth(text, font, 1)
    return size if natural == 0 else min(size, width / natural)


def _booth_name(artisan, rtl: bool) -> list[str]:
    """Names to try on a booth, longest first (shaped for Arabic)."""
    full, full_ar = artisan.full_name, artisan.full_name_ar
    names = [full_ar, artisan.last_name_ar, full, artisan.last_name] if rtl else [full, artisan.last_name]
    return [pdf.shape(name) for name in names if name]


def _plan_drawing(booths, width: float, height: float, *, rtl: bool):
    from reportlab.graphics.shapes import Drawing, Rect, String
    from reportlab.lib import colors

    min_x, min_y, plan_width, plan_height = _extent(booths)
    scale = min(width / plan_width, height / plan_height)
    drawing = Drawing(plan_width * scale, plan_height * scale)
    drawing.hAlign = "CENTER"
    drawing.add(
        Rect(0, 0, plan_width * scale, plan_height * scale, fillColor=colors.HexColor(PLAN_BACKGROUND),
             strokeColor=colors.HexColor("#b08d57"), strokeWidth=0.6)
    )  # fmt: skip
    top = plan_height * scale
    for booth in booths:
        w, h = float(booth.width) * scale, float(booth.depth) * scale
        x = (float(booth.x) - min_x) * scale
        y = top - (float(booth.y) - min_y) * scale - h  # the plan's y runs down, the page's up
        available = booth.status == Booth.Status.AVAILABLE
        fill = (booth.zone.colour if booth.zone else NO_ZONE_COLOUR) if available else UNAVAILABLE_COLOUR
        drawing.add(
            Rect(x, y, w, h, fillColor=colors.HexColor(fill), strokeColor=colors.HexColor("#333333"),
                 strokeWidth=0.5, strokeDashArray=None if available else [2, 1.5])
        )  # fmt: skip
        ink = colors.HexColor(_text_colour(fill))
        artisan = _artisan(booth)
        code_size = max(MIN_CODE_SIZE, min(10, 0.42 * h, _fit(booth.code, pdf.FONT_BOLD, 10, 0.86 * w)))
        name, name_size = None, 0.0
        if artisan is not None and h >= 3.2 * code_size:
            # The full name if it reads well, else the family name, else whatever is largest.
            fits = [
                (min(0.8 * code_size, _fit(c, pdf.FONT, 7, 0.9 * w)), c) for c in _booth_name(artisan, rtl)
            ]
            good = [(size, candidate) for size, candidate in fits if size >= COMFORTABLE_NAME_SIZE]
            size, candidate = good[0] if good else max(fits, default=(0.0, None))
            if size >= MIN_CODE_SIZE:
                name, name_size = candidate, size
        centre_x, centre_y = x + w / 2, y + h / 2
        code_y = centre_y - 0.35 * code_size + (0.55 * name_size if name else 0)
        drawing.add(
            String(centre_x, code_y, booth.code, fontName=pdf.FONT_BOLD, fontSize=code_size,
                   textAnchor="middle", fillColor=ink)
        )  # fmt: skip
        if name:
            drawing.add(
                String(centre_x, code_y - 1.15 * name_size - 0.2 * code_size, name, fontName=pdf.FONT,
                       fontSize=name_size, textAnchor="middle", fillColor=ink)
            )  # fmt: skip
    return drawing


def _swatch(fill: str, *, dashed: bool = False):
    from reportlab.graphics.shapes import Drawing, Rect
    from reportlab.lib import colors

    swatch = Drawing(12, 12)
    swatch.add(
        Rect(0.5, 0.5, 11, 11, fillColor=colors.HexColor(fill), strokeColor=colors.HexColor("#333333"),
             strokeWidth=0.5, strokeDashArray=[2, 1.5] if dashed else None)
    )  # fmt: skip
    return swatch


def _legend(zones, booths, width: float, *, rtl: bool):
    """Zones (colour, names in both scripts, booth count), then held/blocked, in a grid."""
    from reportlab.platypus import Table, TableStyle

    sheet = pdf.styles(rtl)
    per_zone: dict[int | None, int] = {}
    for booth in booths:
        per_zone[booth.zone_id] = per_zone.get(booth.zone_id, 0) + 1
    entries = []
    for zone in zones:
        names = [zone.name_ar, zone.name] if rtl else [zone.name, zone.name_ar]
        names = [name for name in names if name]
        count = per_zone.get(zone.pk, 0)
        text = [pdf.para(names[0], sheet["cell_bold"])]
        text += [pdf.para(name, sheet["cell"]) for name in names[1:]]
        text.append(
            pdf.para(
                ngettext("%(count)s booth", "%(count)s booths", count) % {"count": count}, sheet["small"]
            )
        )
        entries.append((_swatch(zone.colour), text))
    if per_zone.get(None):
        entries.append((_swatch(NO_ZONE_COLOUR), [pdf.para(_("No zone"), sheet["cell_bold"])]))
    unavailable = sum(1 for b in booths if b.status != Booth.Status.AVAILABLE)
    if unavailable:
        label = ngettext(
            "Held or blocked (%(count)s booth)", "Held or blocked (%(count)s booths)", unavailable
        )
        entries.append(
            (
                _swatch(UNAVAILABLE_COLOUR, dashed=True),
                [pdf.para(label % {"count": unavailable}, sheet["cell"])],
            )
        )
    columns = min(LEGEND_COLUMNS, max(1, len(entries)))
    rows = []
    for start in range(0, len(entries), columns):
        row = []
        for swatch, text in entries[start : start + columns]:
            row += [swatch, text]
        row += ["", ""] * (columns - len(entries[start : start + columns]))
        rows.append(row[::-1] if rtl else row)
    cell = width / columns
    widths = [18, cell - 18] * columns
    legend = Table(rows, colWidths=widths[::-1] if rtl else widths, hAlign="RIGHT" if rtl else "LEFT")
    legend.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return legend


def render_plan(fair, booths, zones, *, rtl: bool = False) -> bytes:
    """The fair's floor plan on one landscape page: booths at their positions in their
    zone's colour with their code (and the exhibitor's name where it fits), and a legend."""
    from reportlab.lib.pagesizes import landscape
    from reportlab.platypus import Spacer

    sheet = pdf.styles(rtl)
    title, subtitle = _title(fair, rtl), _subtitle(fair, _("Floor plan"))
    if not booths:
        story = [pdf.para(_("This fair has no booths on its plan yet."), sheet["body"])]
        return pdf.build_pdf(story, title=title, subtitle=subtitle, rtl=rtl, landscape=True)
    pagesize = _page_for(booths)
    width, height = _frame(landscape(pagesize))
    legend = _legend(zones, booths, width, rtl=rtl)
    _legend_width, legend_height = legend.wrap(width, height)
    gap = 8
    # The plan takes what the legend leaves (at least half the page; a long legend flows on).
    plan_height = max(height * 0.5, height - legend_height - gap - 2)
    story = [_plan_drawing(booths, width, plan_height, rtl=rtl), Spacer(1, gap), legend]
    return pdf.build_pdf(story, title=title, subtitle=subtitle, rtl=rtl, pagesize=pagesize, landscape=True)


# --- The booth list ------------------------------------------------------------------------


def _exhibitor_cell(booth: Booth, sheet, rtl: bool):
    artisan = _artisan(booth)
    if artisan is None:
        if booth.status == Booth.Status.AVAILABLE:
            return pdf.para(_("free"), sheet["small"])
        text = _("%(status)s: %(reason)s") % {
            "status": booth.get_status_display(),
            "reason": booth.status_reason,
        }
        return pdf.para(text, sheet["small"])
    names = [artisan.full_name_ar, artisan.full_name] if rtl else [artisan.full_name, artisan.full_name_ar]
    names = [name for name in names if name]
    return [pdf.para(names[0], sheet["cell_bold"]), *(pdf.para(name, sheet["cell"]) for name in names[1:])]


def render_booth_list(fair, booths, *, rtl: bool = False) -> bytes:
    """Every booth of the fair (code, zone, exhibitor in both scripts, craft, kind and size),
    one table that runs over as many pages as it needs, its header repeated on each."""
    sheet = pdf.styles(rtl)
    taken = sum(1 for b in booths if _artisan(b) is not None)
    summary = _("%(total)s booths: %(taken)s taken, %(free)s without an exhibitor.") % {
        "total": formats.number_format(len(booths)),
        "taken": formats.number_format(taken),
        "free": formats.number_format(len(booths) - taken),
    }
    rows = [[_("Booth"), _("Zone"), _("Exhibitor"), _("Craft"), _("Kind and size")]]
    for booth in booths:
        artisan = _artisan(booth)
        rows.append(
            [
                pdf.para(booth.code, sheet["cell_bold"]),
                booth.zone.display_name if booth.zone else "—",
                _exhibitor_cell(booth, sheet, rtl),
                artisan.main_craft.name if artisan is not None and artisan.main_craft_id else "",
                _("%(kind)s, %(size)s m²") % {"kind": booth.get_kind_display(), "size": booth.size},
            ]
        )
    story = [pdf.para(summary, sheet["body"])]
    if booths:
        from reportlab.platypus import Spacer

        story += [Spacer(1, 6), pdf.table(rows, ["10%", "18%", "34%", "20%", "18%"], rtl=rtl)]
    return pdf.build_pdf(story, title=_title(fair, rtl), subtitle=_subtitle(fair, _("Booth list")), rtl=rtl)
