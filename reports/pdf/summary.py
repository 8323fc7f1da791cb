"""The regional summary for a period (A4 portrait): what the delegation reports to the ministry.

Sections: key figures; fairs held by year and scope; participants by year (table and bar
chart); women's and rural shares (chart); national and international participation; sales
reported (totals, per year, per scope); leading crafts (bar chart and table); definitions.
Every number comes from one ``RegionFigures`` (reports.figures), so the PDF, the web page and
the API agree. Written in the active language; an Arabic document is right to left, its
tables and charts mirrored (first column and first year on the right), its labels shaped.

reportlab is imported inside the functions that draw (core.pdf holds fonts and shaping).
"""

import functools
from decimal import Decimal

from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from core import pdf
from fairs.models import Fair
from reports.figures import RegionFigures

# Colours: the delegation's sand and clay, and a blue that stays distinct in grey print.
INK = "#222222"
MUTED = "#666666"
RULE = "#cfc6b8"
TILE_FILL = "#f6f3ee"
SERIES = ("#b5562e", "#3d6f8e", "#c9a227", "#5c8a4d")
CHART_FONT_SIZE = 7.5


# --- Text ---------------------------------------------------------------------------------

_MIRRORED = frozenset("()[]{}<>«»")
_SWAPPED = str.maketrans("()[]{}<>«»", ")(][}{><»«")


@functools.cache
def _core_mirrors() -> bool:
    """Whether core.pdf.shape mirrors brackets in right-to-left runs (rule L4 of the bidi
    algorithm). python-bidi's Rust ``get_display``, which it uses, does not: "(ب)" in an
    Arabic line came out as ")ب(". Checked once, so this module stays right either way."""
    visual = pdf.shape("ا (ب)")
    return visual.index("(") < visual.index(")")


def shape(text) -> str:
    """core.pdf.shape, with brackets in right-to-left runs facing the right way (for the
    strings drawn on charts)."""
    text = "" if text is None else str(text)
    if _core_mirrors() or not pdf.has_arabic(text) or not _MIRRORED.intersection(text):
        return pdf.shape(text)
    import arabic_reshaper
    from bidi.algorithm import get_display  # pure Python, applies L4

    return get_display(arabic_reshaper.reshape(text))


def para(text, style):
    """core.pdf.para, with brackets facing the right way in an Arabic paragraph.

    core.pdf lays out wrapped Arabic itself, line by line, with its own shaping; where that
    shaping does not mirror brackets, an Arabic (right-to-left) paragraph gets its brackets
    swapped beforehand, so they come out mirrored as they should.
    """
    text = "" if text is None else str(text)
    if not _core_mirrors() and _MIRRORED.intersection(text) and pdf.has_arabic(text):
        from bidi import get_base_level

        if get_base_level(text) == 1:  # a right-to-left paragraph
            text = text.translate(_SWAPPED)
    return pdf.para(text, style)


# --- Numbers as text ------------------------------------------------------------------------


def number(value) -> str:
    return formats.number_format(value, force_grouping=True)


def percent(fraction: float | None) -> str:
    if fraction is None:
        return "—"
    return _("%(value)s %%") % {"value": formats.number_format(round(fraction * 100, 1), 1)}


def mad(amount: Decimal) -> str:
    return _("%(amount)s MAD") % {"amount": formats.number_format(amount, 0, force_grouping=True)}


def period_text(start, end) -> str:
    return _("%(start)s – %(end)s") % {
        "start": formats.date_format(start, "DATE_FORMAT"),
        "end": formats.date_format(end, "DATE_FORMAT"),
    }


def filters_text(province=None, craft=None) -> str:
    parts = []
    if province is not None:
        parts.append(_("Province: %(name)s") % {"name": province.name})
    if craft is not None:
        parts.append(_("Craft: %(name)s") % {"name": craft.name})
    return " · ".join(parts)


def definitions() -> list[str]:
    """The notes printed at the end of the summary (the same as reports.figures says)."""
    return [
        _(
            "Fairs held: fairs not cancelled whose first day is in the period and that have "
            "started (running or closed), counted in the year of their first day. The province "
            "and craft filters do not change this count."
        ),
        _("Participation: a confirmed application at a fair held in the period."),
        _("Artisans featured: distinct artisans with at least one participation in the period."),
        _(
            "Women's and rural shares: among the distinct artisans featured (and, where said, "
            "among participations). Urban or rural is the artisan's own area."
        ),
        _(
            "First-time participants: artisans featured whose first participation ever, at any "
            "fair held, falls in the period."
        ),
        _(
            "National and international participations: participations at fairs of that scope; "
            "local and regional fairs take place in the region."
        ),
        _(
            "Sales reported: the outcomes artisans or staff reported after each fair (sales in MAD, "
            "items sold, orders, export contacts). A participation without a report is counted as "
            "not reported, not as zero sales."
        ),
        _("Leading crafts: the ten main crafts with the most participations."),
        _(
            "Attendance rate: at fairs that recorded entry scans, the share of participations with "
            "an accepted entry. Fairs without scans (before Souk, others' exhibitions) are left out."
        ),
        _(
            "Filters: province is the artisan's province; craft is the artisan's main craft, or any "
            "craft of a sector."
        ),
    ]


# --- Charts ---------------------------------------------------------------------------------


def _nice_top(value: float) -> float:
    """The smallest 1, 2 or 5 × 10^n at or above ``value`` (the top of a chart's scale)."""
    if value <= 0:
        return 1
    step = 1
    while step * 10 <= value:
        step *= 10
    for factor in (1, 2, 5, 10):
        if factor * step >= value:
            return factor * step
    return 10 * step


def _legend(drawing, items, *, x, y, rtl: bool, width: float):
    """Colour swatches with their labels in one row (from the right edge for Arabic)."""
    from reportlab.graphics.shapes import Rect, String
    from reportlab.lib import colors
    from reportlab.pdfbase.pdfmetrics import stringWidth

    cursor = x + width if rtl else x
    for colour, label in items:
        text = shape(label)
        text_width = stringWidth(text, pdf.FONT, CHART_FONT_SIZE)
        if rtl:
            drawing.add(Rect(cursor - 8, y, 8, 8, fillColor=colors.HexColor(colour), strokeColor=None))
            drawing.add(
                String(
                    cursor - 11, y + 1, text, fontName=pdf.FONT, fontSize=CHART_FONT_SIZE, textAnchor="end"
                )
            )
            cursor -= 11 + text_width + 14
        else:
            drawing.add(Rect(cursor, y, 8, 8, fillColor=colors.HexColor(colour), strokeColor=None))
            drawing.add(String(cursor + 11, y + 1, text, fontName=pdf.FONT, fontSize=CHART_FONT_SIZE))
            cursor += 11 + text_width + 14


def column_chart(categories, series, *, width, height, rtl=False, fmt=number, top=None, description=""):
    """Grouped vertical bars: ``categories`` along the bottom, ``series`` as (label, values).

    Each bar carries its value; for Arabic the categories run from right to left. ``top`` fixes
    the scale (e.g. 1.0 for shares), else it is rounded up from the largest value.
    """
    from reportlab.graphics.shapes import Drawing, Line, Rect, String
    from reportlab.lib import colors

    pdf.register_fonts()
    drawing = Drawing(width, height)
    drawing.hAlign = "RIGHT" if rtl else "LEFT"
    if description:
        drawing.setProperties({"desc": description})
    legend_height = 16 if len(series) > 1 else 0
    bottom, top_pad = 16, 12 + legend_height
    plot_height = height - bottom - top_pad
    values = [v or 0 for _label, vs in series for v in vs]
    scale_top = top or _nice_top(max(values, default=0))
    order = list(range(len(categories)))[::-1] if rtl else list(range(len(categories)))
    slot = width / max(1, len(categories))
    bar = min(34, slot * 0.8 / max(1, len(series)))
    grey = colors.HexColor(RULE)
    # Guide lines at quarters of the scale.
    for quarter in (1, 2, 3, 4):
        y = bottom + plot_height * quarter / 4
        drawing.add(Line(0, y, width, y, strokeColor=grey, strokeWidth=0.3, strokeDashArray=[1, 2]))
    drawing.add(Line(0, bottom, width, bottom, strokeColor=colors.HexColor(MUTED), strokeWidth=0.6))
    for position, index in enumerate(order):
        centre = slot * position + slot / 2
        group_left = centre - bar * len(series) / 2
        for s, (_label, vs) in enumerate(series):
            value = vs[index] or 0
            h = plot_height * min(1.0, value / scale_top) if scale_top else 0
            # Series order also mirrors for Arabic, so the first series reads first.
            slot_index = len(series) - 1 - s if rtl else s
            x = group_left + bar * slot_index
            drawing.add(
                Rect(x + 1, bottom, bar - 2, h, fillColor=colors.HexColor(SERIES[s % len(SERIES)]),
                     strokeColor=None)
            )  # fmt: skip
            drawing.add(
                String(x + bar / 2, bottom + h + 2, shape(fmt(vs[index]) if vs[index] is not None else "—"),
                       fontName=pdf.FONT, fontSize=CHART_FONT_SIZE - 0.5, textAnchor="middle",
                       fillColor=colors.HexColor(INK))
            )  # fmt: skip
        drawing.add(
            String(centre, bottom - 11, shape(str(categories[index])), fontName=pdf.FONT_BOLD,
                   fontSize=CHART_FONT_SIZE, textAnchor="middle", fillColor=colors.HexColor(INK))
        )  # fmt: skip
    if legend_height:
        items = [(SERIES[s % len(SERIES)], label) for s, (label, _vs) in enumerate(series)]
        _legend(drawing, items, x=0, y=height - 10, rtl=rtl, width=width)
    return drawing


def bar_chart(rows, *, width, rtl=False, fmt=number, label_width=170, row_height=15, description=""):
    """Horizontal bars, one per (label, value), largest scale at the longest bar. For Arabic
    the labels sit on the right and the bars grow to the left."""
    from reportlab.graphics.shapes import Drawing, Rect, String
    from reportlab.lib import colors
    from reportlab.pdfbase.pdfmetrics import stringWidth

    pdf.register_fonts()
    height = row_height * len(rows) + 4
    drawing = Drawing(width, height)
    drawing.hAlign = "RIGHT" if rtl else "LEFT"
    if description:
        drawing.setProperties({"desc": description})
    value_room = 44
    bar_room = width - label_width - value_room - 8
    top = max((value for _label, value in rows), default=0) or 1
    for i, (label, value) in enumerate(rows):
        y = height - (i + 1) * row_height
        text = shape(label)
        size = CHART_FONT_SIZE + 0.5
        while size > 6 and stringWidth(text, pdf.FONT, size) > label_width - 6:
            size -= 0.5
        length = bar_room * value / top
        fill = colors.HexColor(SERIES[0])
        value_text = shape(fmt(value))
        if rtl:
            drawing.add(String(width, y + 4, text, fontName=pdf.FONT, fontSize=size, textAnchor="end"))
            right = width - label_width
            drawing.add(Rect(right - length, y + 2, length, row_height - 5, fillColor=fill, strokeColor=None))
            drawing.add(
                String(right - length - 3, y + 4, value_text, fontName=pdf.FONT, fontSize=CHART_FONT_SIZE,
                       textAnchor="end")
            )  # fmt: skip
        else:
            drawing.add(String(0, y + 4, text, fontName=pdf.FONT, fontSize=size))
            drawing.add(Rect(label_width, y + 2, length, row_height - 5, fillColor=fill, strokeColor=None))
            drawing.add(
                String(
                    label_width + length + 3, y + 4, value_text, fontName=pdf.FONT, fontSize=CHART_FONT_SIZE
                )
            )
    return drawing


def key_figures(figures: RegionFigures) -> list[tuple[str, str, str]]:
    """The key figures as (value, label, detail) in the active language: the PDF's tiles and
    the page's cards."""
    o = figures.outcomes
    tiles = [
        (
            number(figures.fairs),
            _("fairs held"),
            _("%(organised)s organised, %(participated)s exhibitions of others")
            % {
                "organised": number(figures.fairs_organised),
                "participated": number(figures.fairs_participated),
            },
        ),
        (
            number(figures.artisans),
            _("artisans featured"),
            _("%(count)s taking part for the first time") % {"count": number(figures.first_timers)},
        ),
        (number(figures.participations), _("participations"), _("confirmed places at the fairs held")),
        (
            percent(figures.women_share),
            _("women"),
            _("%(count)s women artisans") % {"count": number(figures.women)},
        ),
        (
            percent(figures.rural_share),
            _("rural artisans"),
            _("%(count)s from rural areas") % {"count": number(figures.rural)},
        ),
        (
            number(figures.national_participations + figures.international_participations),
            _("national and international participations"),
            _("%(national)s national, %(international)s international")
            % {
                "national": number(figures.national_participations),
                "international": number(figures.international_participations),
            },
        ),
        (
            mad(o.sales_mad),
            _("sales reported"),
            _("%(reported)s of %(total)s participations reported")
            % {"reported": number(o.reported), "total": number(o.participations)},
        ),
        (
            percent(figures.attendance_rate),
            _("attendance rate"),
            _("at %(count)s fairs with entry scans") % {"count": number(figures.fairs_with_check_ins)},
        ),
    ]
    return tiles


def filename(figures: RegionFigures) -> str:
    return f"summary-{figures.start:%Y%m%d}-{figures.end:%Y%m%d}.pdf"


# --- Sections -------------------------------------------------------------------------------


def _frame_width() -> float:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm

    return A4[0] - 30 * mm - 12


def _key_figures(figures: RegionFigures, sheet, rtl: bool, width: float):
    """Tiles: the number large, its label under it, a detail line in grey."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Table, TableStyle

    big = ParagraphStyle("big", parent=sheet["title"], fontSize=15, leading=18, spaceAfter=0)
    tiles = key_figures(figures)
    columns = 4
    cells = [
        [para(value, big), para(label, sheet["cell_bold"]), para(detail, sheet["small"])]
        for value, label, detail in tiles
    ]
    rows = [cells[i : i + columns] for i in range(0, len(cells), columns)]
    rows = [row[::-1] if rtl else row for row in rows]
    grid = Table(rows, colWidths=[width / columns] * columns, hAlign="RIGHT" if rtl else "LEFT")
    grid.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(TILE_FILL)),
                ("LINEBELOW", (0, 0), (-1, -2), 3, colors.white),
                ("LINEAFTER", (0, 0), (-2, -1), 3, colors.white),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return grid


def _table(rows, widths, sheet, *, rtl: bool, total: bool = False):
    """pdf.table whose header is set in one size for the whole row: the largest (9 pt down to
    7 pt) at which every header word fits its column, so "Internationale" never breaks in the
    middle of the word; ``total`` marks the last row."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase.pdfmetrics import stringWidth

    frame = _frame_width()
    points = [frame * float(w.rstrip("%")) / 100 for w in widths]
    labels = [capfirst(str(label)) for label in rows[0]]

    def fits(size: float) -> bool:
        return all(
            stringWidth(shape(word), pdf.FONT_BOLD, size) <= width - 8
            for label, width in zip(labels, points, strict=True)
            for word in label.split()
        )

    size = 9.0
    while size > 7 and not fits(size):
        size -= 0.5
    style = ParagraphStyle(f"header{size}", parent=sheet["cell_header"], fontSize=size, leading=size + 2)
    table = pdf.table([[para(label, style) for label in labels], *rows[1:]], widths, rtl=rtl)
    return _total_row(table) if total else table


def _total_row(table):
    """Bold the last row of a pdf.table (its total)."""
    from reportlab.lib import colors

    table.setStyle(
        [
            ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.HexColor(MUTED)),
            ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#ece5d8")),
        ]
    )
    return table


def _bold(text, sheet):
    return para(text, sheet["cell_bold"])


def _fairs_section(figures, sheet, rtl):
    scopes = list(Fair.Scope)
    header = [
        _("Year"),
        *[scope.label for scope in scopes],
        _("Organised by the delegation"),
        _("Exhibitions of others"),
        _("Total"),
    ]
    by_cell = {(f.year, f.scope): f for f in figures.fairs_held}
    rows = [header]
    for year in figures.years:
        row = [_bold(str(year.key), sheet)]
        for scope in scopes:
            cell = by_cell.get((year.key, scope.value))
            row.append(number(cell.total) if cell else "—")
        row += [
            number(year.fairs_organised),
            number(year.fairs_participated),
            _bold(number(year.fairs), sheet),
        ]
        rows.append(row)
    totals = {scope.key: scope.fairs for scope in figures.scopes}
    rows.append(
        [
            _bold(_("Total"), sheet),
            *[number(totals[scope.value]) for scope in scopes],
            number(figures.fairs_organised),
            number(figures.fairs_participated),
            _bold(number(figures.fairs), sheet),
        ]
    )
    widths = ["11%", "11%", "11%", "11%", "14%", "14%", "17%", "11%"]
    return [
        para(_("Fairs held by year and scope"), sheet["heading"]),
        _table(rows, widths, sheet, rtl=rtl, total=True),
        para(
            _(
                "Exhibitions of others: fairs organised by someone else in which the delegation took "
                "part with artisans of the region."
            ),
            sheet["small"],
        ),
    ]


def _participants_section(figures, sheet, rtl, width):
    from reportlab.platypus import Spacer

    rows = [
        [_("Year"), _("Fairs"), _("Participations"), _("Artisans"), _("Women"), _("Rural"), _("First time")]
    ]
    for year in figures.years:
        rows.append(
            [
                _bold(str(year.key), sheet),
                number(year.fairs),
                number(year.participations),
                number(year.artisans),
                number(year.women),
                number(year.rural),
                number(year.first_timers),
            ]
        )
    rows.append(
        [
            _bold(_("Period"), sheet),
            number(figures.fairs),
            number(figures.participations),
            number(figures.artisans),
            number(figures.women),
            number(figures.rural),
            number(figures.first_timers),
        ]
    )
    chart = column_chart(
        [row.key for row in figures.years],
        [
            (_("Participations"), [row.participations for row in figures.years]),
            (_("Artisans"), [row.artisans for row in figures.years]),
        ],
        width=width,
        height=150,
        rtl=rtl,
        description=_("Participations and artisans by year"),
    )
    return [
        para(_("Participants by year"), sheet["heading"]),
        _table(rows, ["16%", "10%", "17%", "15%", "14%", "14%", "14%"], sheet, rtl=rtl, total=True),
        para(
            _(
                "An artisan who took part in several years counts once in each year and once over the "
                "period, so the years do not add up to the period."
            ),
            sheet["small"],
        ),
        Spacer(1, 8),
        chart,
    ]


def _shares_section(figures, sheet, rtl, width):
    from reportlab.platypus import Spacer

    categories = [str(row.key) for row in figures.years] + [_("Period")]
    women = [row.women_share for row in figures.years] + [figures.women_share]
    rural = [row.rural_share for row in figures.years] + [figures.rural_share]
    chart = column_chart(
        categories,
        [(_("Women"), women), (_("Rural artisans"), rural)],
        width=width,
        height=150,
        rtl=rtl,
        fmt=percent,
        top=1.0,
        description=_("Women's and rural shares of the artisans featured"),
    )
    text = _(
        "Of the artisans featured, %(women)s are women and %(rural)s live in rural areas. Of the "
        "participations, %(women_p)s were women's and %(rural_p)s rural artisans'."
    ) % {
        "women": percent(figures.women_share),
        "rural": percent(figures.rural_share),
        "women_p": percent(figures.women_participation_share),
        "rural_p": percent(figures.rural_participation_share),
    }
    return [
        para(_("Women's and rural shares"), sheet["heading"]),
        para(text, sheet["body"]),
        Spacer(1, 6),
        chart,
    ]


def _scopes_section(figures, sheet, rtl):
    rows = [[_("Scope"), _("Fairs"), _("Participations"), _("Artisans"), _("Women"), _("Rural")]]
    for scope in figures.scopes:
        rows.append(
            [
                _bold(capfirst(scope.label), sheet),
                number(scope.fairs),
                number(scope.participations),
                number(scope.artisans),
                number(scope.women_participations),
                number(scope.rural_participations),
            ]
        )
    text = _(
        "%(national)s participations in national exhibitions (%(national_people)s artisans) and "
        "%(international)s in international ones (%(international_people)s artisans)."
    ) % {
        "national": number(figures.national_participations),
        "national_people": number(figures.national_artisans),
        "international": number(figures.international_participations),
        "international_people": number(figures.international_artisans),
    }
    return [
        para(_("National and international participation"), sheet["heading"]),
        para(text, sheet["body"]),
        _table(rows, ["22%", "12%", "18%", "16%", "16%", "16%"], sheet, rtl=rtl),
        para(_("Women and rural: participations of women and of rural artisans."), sheet["small"]),
    ]


def _outcome_cells(label, o, sheet):
    return [
        label,
        _("%(reported)s / %(total)s") % {"reported": number(o.reported), "total": number(o.participations)},
        mad(o.sales_mad),
        number(o.items_sold),
        number(o.orders),
        number(o.export_contacts),
    ]


def _sales_section(figures, sheet, rtl):
    from reportlab.platypus import Spacer

    o = figures.outcomes
    header = [_("Year"), _("Reported"), _("Sales"), _("Items sold"), _("Orders"), _("Export contacts")]
    widths = ["18%", "14%", "20%", "14%", "15%", "19%"]
    by_year = [header] + [
        _outcome_cells(_bold(str(row.key), sheet), row.outcomes, sheet) for row in figures.years
    ]
    by_year.append(_outcome_cells(_bold(_("Period"), sheet), o, sheet))
    by_scope = [[_("Scope"), *header[1:]]] + [
        _outcome_cells(_bold(capfirst(row.label), sheet), row.outcomes, sheet) for row in figures.scopes
    ]
    if o.reported:
        text = _(
            "%(reported)s of %(total)s participations reported their results: %(sales)s of sales, "
            "%(items)s items sold, %(orders)s orders and %(contacts)s export contacts."
        ) % {
            "reported": number(o.reported),
            "total": number(o.participations),
            "sales": mad(o.sales_mad),
            "items": number(o.items_sold),
            "orders": number(o.orders),
            "contacts": number(o.export_contacts),
        }
    else:
        text = _("No participation of the period has reported its results yet.")
    return [
        para(_("Sales reported"), sheet["heading"]),
        para(text, sheet["body"]),
        Spacer(1, 4),
        _table(by_year, widths, sheet, rtl=rtl, total=True),
        Spacer(1, 6),
        _table(by_scope, widths, sheet, rtl=rtl),
    ]


def _crafts_section(figures, sheet, rtl, width):
    from reportlab.platypus import Spacer

    if not figures.crafts:
        return [
            para(_("Leading crafts"), sheet["heading"]),
            para(_("No participation."), sheet["body"]),
        ]
    chart = bar_chart(
        [(row.name, row.participations) for row in figures.crafts],
        width=width,
        rtl=rtl,
        description=_("Participations by main craft"),
    )
    rows = [[_("Rank"), _("Craft"), _("Participations"), _("Artisans"), _("Share of participations")]]
    for rank, row in enumerate(figures.crafts, start=1):
        rows.append(
            [
                number(rank),
                para(row.name, sheet["cell_bold"]),
                number(row.participations),
                number(row.artisans),
                percent(row.participations / figures.participations if figures.participations else None),
            ]
        )
    return [
        para(_("Leading crafts"), sheet["heading"]),
        chart,
        Spacer(1, 6),
        _table(rows, ["8%", "44%", "16%", "14%", "18%"], sheet, rtl=rtl),
    ]


def _notes_section(figures, sheet):
    from reportlab.platypus import Spacer

    story = [para(_("Definitions and notes"), sheet["heading"])]
    for note in definitions():
        story += [para("• " + note, sheet["small"]), Spacer(1, 2)]
    story.append(
        para(
            _("Period: fairs whose first day falls from %(start)s to %(end)s, both days included.")
            % {
                "start": formats.date_format(figures.start, "DATE_FORMAT"),
                "end": formats.date_format(figures.end, "DATE_FORMAT"),
            },
            sheet["small"],
        )
    )
    return story


def render_summary(figures: RegionFigures, *, province=None, craft=None, rtl: bool = False) -> bytes:
    """The summary PDF of ``figures`` (``province`` and ``craft``: the filter objects, for the
    subtitle)."""
    from reportlab.platypus import CondPageBreak, KeepTogether, Spacer

    sheet = pdf.styles(rtl)
    width = _frame_width()
    title = _("Regional summary, %(period)s") % {"period": period_text(figures.start, figures.end)}
    subtitle = " · ".join(p for p in (pdf.delegation_name(), filters_text(province, craft)) if p)
    story = [para(_("Key figures"), sheet["heading"]), _key_figures(figures, sheet, rtl, width)]
    if figures.is_empty:
        sections = [[para(_("No fair was held in this period."), sheet["body"])]]
    else:
        sections = [
            _fairs_section(figures, sheet, rtl),
            _participants_section(figures, sheet, rtl, width),
            _shares_section(figures, sheet, rtl, width),
            _scopes_section(figures, sheet, rtl),
            _sales_section(figures, sheet, rtl),
            _crafts_section(figures, sheet, rtl, width),
        ]
    for section in sections:
        story += [Spacer(1, 10), KeepTogether(section)]
    story += [Spacer(1, 10), CondPageBreak(120), *_notes_section(figures, sheet)]
    return pdf.build_pdf(story, title=title, subtitle=subtitle, rtl=rtl)
