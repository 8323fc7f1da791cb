"""The attendance report of a fair (A4 landscape): who came, on which day, at what time.

The report itself — the cover (exhibitors expected and present each day, the attendance rate,
late arrivals), the breakdowns by craft, gender, province and urban or rural, then remarks and
signatures — and its two annexes: the presence grid (one row per exhibitor, one column per
day) and the absences. Written in the active language; Arabic pages are right to left.

The grid is the bulk of it (500 exhibitors × 10 days is 5,000 cells over ~28 pages), so it is
built to stay readable and fast:

* day columns are never narrower than ``DAY_MIN_WIDTH`` (the width of "10:42" at 8 pt): when a
  fair's days do not fit across the page they are split into column groups, each its own run
  of pages that repeats the booth and name columns. Nothing is cut off or shrunk;
* cells are plain strings, not a Paragraph each; names are wrapped and Arabic shaped here;
* every row's height is known here, so the rows are cut into one Table per page here, each
  with its header row. (reportlab splitting one long Table measures the rest again at every
  page break, which grows with the square of the rows.)

reportlab is imported inside the functions that draw (core.pdf holds the fonts and shaping).
"""

import datetime as dt
import functools
import itertools
import math
import re
from dataclasses import dataclass, field

from django.utils import formats, timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from core import pdf
from reports import selectors
from reports.attendance import ABSENT, LATE, LATE_AFTER, NOT_EXPECTED, PRESENT, Attendance
from reports.services import ReportError

# Grid geometry, in points.
BOOTH_WIDTH = 42
NAME_MIN_WIDTH = 176
TOTAL_WIDTH = 46
DAY_MIN_WIDTH = 32  # "10:42" at 8 pt and the cell padding; narrower and a time would not fit
DAY_MAX_WIDTH = 60  # wider day columns read worse: the name column takes what is left
FONT_SIZE = 8
LEADING = 9.6
HEADER_SIZE = 7.5
HEADER_LEADING = 9
PAD_X = 3
PAD_Y = 2.5
CAPTION_GAP = 4

HEADER_FILL = "#e4dccf"
STRIPE_FILL = "#f6f3ee"
GRID_LINE = "#9a9a9a"
ABSENT_FILL, ABSENT_INK = "#f6d5cf", "#8b1a10"
LATE_FILL, LATE_INK = "#fbe6b0", "#5c3b00"
PRESENT_INK = "#1e6b34"
MUTED_INK = "#7a7a7a"

SYMBOLS = {PRESENT: "✓", ABSENT: "✗", NOT_EXPECTED: "—"}


def frame_size() -> tuple[float, float]:
    """Width and height of the text frame of a landscape A4 page laid out by core.pdf.build_pdf
    (its margins, and the 6 pt padding of a platypus frame on each side)."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm

    width, height = landscape(A4)
    return width - 30 * mm - 12, height - 44 * mm - 12


# --- Geometry of the grid -------------------------------------------------------------------


def column_groups(day_count: int, width: float) -> list[range]:
    """The fair's days (indexes) split into as few groups as keep every day column at least
    ``DAY_MIN_WIDTH`` wide beside the booth, name and total columns; groups are balanced
    (31 days that need three groups give 11 + 10 + 10, not 15 + 15 + 1)."""
    if day_count <= 0:
        return []
    room = width - BOOTH_WIDTH - NAME_MIN_WIDTH - TOTAL_WIDTH
    per_group = max(1, int(room // DAY_MIN_WIDTH))
    groups = math.ceil(day_count / per_group)
    size, longer = divmod(day_count, groups)  # the first ``longer`` groups take one day more
    bounds = [0]
    for number in range(groups):
        bounds.append(bounds[-1] + size + (number < longer))
    return [range(start, end) for start, end in itertools.pairwise(bounds)]


def grid_widths(days_in_group: int, width: float) -> list[float]:
    """Column widths of one group in reading order — booth, name, the days, days present —
    summing to ``width``: days share the room up to ``DAY_MAX_WIDTH``, the name takes the rest."""
    room = width - BOOTH_WIDTH - NAME_MIN_WIDTH - TOTAL_WIDTH
    day = min(DAY_MAX_WIDTH, room / days_in_group)
    name = NAME_MIN_WIDTH + room - day * days_in_group
    return [BOOTH_WIDTH, name, *([day] * days_in_group), TOTAL_WIDTH]


# --- Text in plain-string cells -------------------------------------------------------------


@functools.lru_cache(maxsize=8192)
def shaped(text: str, base_dir: str | None = None) -> str:
    """``core.pdf.shape``, remembered: a name is measured, drawn in the grid and again in the
    absences, and arabic_reshaper reads its settings anew on every call (about 15 % of the
    time of a 500-exhibitor report went there)."""
    return pdf.shape(text, base_dir=base_dir)


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (between words; a word too long for
    a line is cut), each line shaped for reportlab (Arabic joined, in visual order)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    text = " ".join(str(text or "").split())
    if not text:
        return []
    arabic = pdf.has_arabic(text)

    def measure(piece: str) -> float:  # measured as it will be drawn (joined letters are narrower)
        return stringWidth(shaped(piece) if arabic else piece, font, size)

    if measure(text) <= width:
        return [shaped(text)]
    space = stringWidth(" ", font, size)
    lines, current, current_width = [], [], 0.0
    for word in text.split(" "):
        word_width = measure(word)
        while word_width > width and len(word) > 1:  # cut a word that fits no line
            cut = len(word) - 1
            while cut > 1 and measure(word[:cut]) > width:
                cut -= 1
            if current:
                lines.append(" ".join(current))
                current, current_width = [], 0.0
            lines.append(word[:cut])
            word = word[cut:]
            word_width = measure(word)
        if current and current_width + space + word_width > width:
            lines.append(" ".join(current))
            current, current_width = [], 0.0
        current_width += word_width + (space if current else 0)
        current.append(word)
    if current:
        lines.append(" ".join(current))
    base_dir = "R" if arabic and pdf._is_rtl(text) else "L"
    return [shaped(line, base_dir) if arabic else line for line in lines]


@dataclass
class Cells:
    """One row of a plain-text table: each cell's lines (reading order), and its marks."""

    lines: list[list[str]]
    marks: dict[int, str] = field(default_factory=dict)  # column → present / late / absent / …
    bold: bool = False
    leading: float = LEADING

    @property
    def height(self) -> float:
        return max(1, *(len(cell) for cell in self.lines)) * self.leading + 2 * PAD_Y


def _cells(texts, widths, *, font=None, size=FONT_SIZE, leading=LEADING, bold=False) -> Cells:
    font = font or (pdf.FONT_BOLD if bold else pdf.FONT)
    lines = []
    for text, column_width in zip(texts, widths, strict=True):
        if isinstance(text, list):  # already broken into lines (e.g. a weekday over a date)
            lines.append([shaped(line) for line in text])
        else:
            lines.append(wrap(text, font, size, column_width - 2 * PAD_X))
    return Cells(lines, bold=bold, leading=leading)


@functools.cache
def _cell_style(font: str, size: float, leading: float, align: str, ink: str):
    """One reportlab cell style, shared by every cell that looks alike (drawing a run of cells
    in the same style sets the font once)."""
    from reportlab.lib import colors
    from reportlab.platypus.tables import CellStyle

    style = CellStyle(f"attendance-{font}-{size}-{align}-{ink}")
    style.fontname, style.fontsize, style.leading = font, size, leading
    style.alignment, style.valign, style.color = align, "MIDDLE", colors.HexColor(ink)
    style.leftPadding = style.rightPadding = PAD_X
    style.topPadding = style.bottomPadding = PAD_Y
    return style


def _table(header: Cells, rows: list[Cells], widths, aligns, *, rtl: bool, day_columns: range | None = None):
    """One page's Table: the header row and ``rows`` with their known heights. ``widths`` and
    ``aligns`` are in reading order; an Arabic document mirrors the columns; cells of
    ``day_columns`` (grid pages) are green ticks unless their mark says otherwise.

    Each cell gets a ready-made shared style rather than font, colour and padding commands:
    reportlab applies such a command to every cell of its range, one by one, and that was
    a fifth of the time of a big report."""
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    count = len(widths)
    flip = {"LEFT": "RIGHT", "RIGHT": "LEFT"} if rtl else {}
    inks = {
        PRESENT: PRESENT_INK,
        ABSENT: ABSENT_INK,
        LATE: LATE_INK,
        NOT_EXPECTED: MUTED_INK,
        "flag": ABSENT_INK,
    }
    fills = {ABSENT: ABSENT_FILL, LATE: LATE_FILL, "flag": ABSENT_FILL}
    days = day_columns or range(0)

    def column(index: int) -> int:  # reading order → drawing order
        return count - 1 - index if rtl else index

    data, heights, cell_styles = [], [], []
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor(GRID_LINE)),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor(STRIPE_FILL)]),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(HEADER_FILL)),
    ]
    for number, row in enumerate([header, *rows]):
        texts, styles = [], []
        for index, lines in enumerate(row.lines):
            mark = row.marks.get(index)
            bold = number == 0 or row.bold or mark == "flag"
            if number == 0:
                size, leading = HEADER_SIZE, HEADER_LEADING
            else:
                size, leading = FONT_SIZE, LEADING
            ink = "#000000"
            if number and not row.bold:
                ink = inks.get(mark, PRESENT_INK if index in days else "#000000")
            align = aligns[index]
            styles.append(
                _cell_style(pdf.FONT_BOLD if bold else pdf.FONT, size, leading, flip.get(align, align), ink)
            )
            texts.append("\n".join(lines))
            if number and mark in fills:
                at = (column(index), number)
                commands.append(("BACKGROUND", at, at, colors.HexColor(fills[mark])))
        data.append(texts[::-1] if rtl else texts)
        cell_styles.append(styles[::-1] if rtl else styles)
        heights.append(row.height)
    return Table(
        data,
        colWidths=widths[::-1] if rtl else list(widths),
        rowHeights=heights,
        style=TableStyle(commands),
        cellStyles=cell_styles,
        hAlign="RIGHT" if rtl else "LEFT",
    )


def paginate(rows: list[Cells], header: Cells, first_room: float, room: float) -> list[list[Cells]]:
    """Rows cut into pages: as many as fit under the header in ``first_room`` points on the
    first page and ``room`` on the next ones (a row taller than a page still gets its own)."""
    pages, current, used = [], [], header.height
    limit = first_room
    for row in rows:
        if current and used + row.height > limit:
            pages.append(current)
            current, used, limit = [], header.height, room
        current.append(row)
        used += row.height
    if current or not pages:
        pages.append(current)
    return pages


def _height(flowables, width: float) -> float:
    return sum(f.wrap(width, 10_000)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in flowables)


def _paged_tables(header, rows, widths, aligns, *, rtl, caption, width, height, day_columns=None) -> list:
    """Flowables for a run of pages, each starting on a new page: ``caption(first, last, total,
    page)`` (a list of flowables for rows first..last) then the page's Table."""
    from reportlab.platypus import PageBreak, Spacer

    total = len(rows)
    # Captions differ in their figures only; the widest figures measure for all of them.
    first_room = height - _height(caption(total, total, total, 0), width) - CAPTION_GAP - 2
    room = height - _height(caption(total, total, total, 1), width) - CAPTION_GAP - 2
    story, start = [], 0
    for page, chunk in enumerate(paginate(rows, header, first_room, room)):
        if page:
            story.append(PageBreak())
        story += caption(start + 1 if chunk else 0, start + len(chunk), total, page)
        story.append(Spacer(1, CAPTION_GAP))
        story.append(_table(header, chunk, widths, aligns, rtl=rtl, day_columns=day_columns))
        start += len(chunk)
    return story


# --- Words and figures ----------------------------------------------------------------------


def _number(value) -> str:
    # A plain space between digit groups splits "1 200" into two numbers, which a right-to-left
    # line then orders "200 1" (the Arabic formats group with a plain space); a no-break space
    # keeps it one number.
    return formats.number_format(value, force_grouping=True).replace(" ", "\u00a0")


def _percent(rate: float | None, digits: int = 1) -> str:
    if rate is None:
        return "—"
    return _("%(value)s %%") % {"value": formats.number_format(rate * 100, digits)}


def _date(day: dt.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _day_month(day: dt.date) -> str:
    """The date without its year, in the order of the language's short date (13/05, 05/13)."""
    pattern = formats.get_format("SHORT_DATE_FORMAT")
    pattern = re.sub(r"[^dDjmnMNFbl]*[YyoL][^dDjmnMNFbl]*", "", pattern) or "d/m"
    return formats.date_format(day, pattern)


def _time(value: dt.time) -> str:
    return value.strftime("%H:%M")


def _dates(fair) -> str:
    if fair.ends_on == fair.starts_on:
        return _date(fair.starts_on)
    return _("%(start)s – %(end)s") % {"start": _date(fair.starts_on), "end": _date(fair.ends_on)}


def _names(exhibitor, rtl: bool) -> list[str]:
    names = [exhibitor.name_ar, exhibitor.name] if rtl else [exhibitor.name, exhibitor.name_ar]
    return [name for name in names if name]


def _name_lines(exhibitor, width: float, rtl: bool) -> list[str]:
    lines = []
    for name in _names(exhibitor, rtl):
        lines += wrap(name, pdf.FONT, FONT_SIZE, width - 2 * PAD_X)
    return lines or ["—"]


def _cell_text(cell) -> str:
    if cell.status == LATE:
        return _time(cell.first_entry)
    return SYMBOLS[cell.status]


def legend(late_after: dt.time) -> str:
    return _(
        "✓ present · %(time)s late: first entry at that time, after %(threshold)s · ✗ absent · "
        "— not expected (outside the badge's validity)"
    ) % {"time": "10:42", "threshold": _time(late_after)}


# --- The sections ---------------------------------------------------------------------------


def _figures_table(header, rows, widths, *, sheet, rtl, total=None):
    """A small table of figures: labels in the first column, numbers centred (in either
    direction); a ``total`` row in bold at the end."""
    from reportlab.lib.enums import TA_CENTER

    label = sheet["cell"].clone("figure_label", fontSize=8.5, leading=10.5)
    number = label.clone("figure_number", alignment=TA_CENTER)
    head = sheet["cell_header"].clone("figure_head", fontSize=8, leading=9.5)
    head_number = head.clone("figure_head_number", alignment=TA_CENTER)
    bold, bold_number = (
        style.clone(style.name + "_bold", fontName=pdf.FONT_BOLD) for style in (label, number)
    )
    data = [[pdf.para(header[0], head), *(pdf.para(text, head_number) for text in header[1:])]]
    for row in rows:
        data.append([pdf.para(row[0], label), *(pdf.para(value, number) for value in row[1:])])
    if total:
        data.append([pdf.para(total[0], bold), *(pdf.para(value, bold_number) for value in total[1:])])
    table = pdf.table(data, widths, rtl=rtl)
    table.setStyle([("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)])
    return table


def _cover(fair, data: Attendance, *, late_after, width, sheet, rtl, held_so_far) -> list:
    from reportlab.lib import colors
    from reportlab.platypus import Spacer, Table, TableStyle

    story = [pdf.para(_("Attendance report"), sheet["title"])]
    names = [name for name in ([fair.name_ar, fair.name] if rtl else [fair.name, fair.name_ar]) if name]
    story.append(pdf.para(names[0], sheet["heading"]))
    if len(names) > 1:
        story.append(pdf.para(names[1], sheet["body"]))
    story.append(pdf.para(" · ".join(part for part in (_dates(fair), fair.place) if part), sheet["body"]))
    if held_so_far:
        story.append(
            pdf.para(
                _(
                    "The fair is not over: this report covers its first %(held)s days of %(days)s, up to today."
                )
                % {"held": len(data.days), "days": (fair.ends_on - fair.starts_on).days + 1},
                sheet["body"],
            )
        )
    story.append(Spacer(1, 8))

    never = sum(row.never_came for row in data.rows)
    late = sum(total.late for total in data.day_totals)
    tiles = [
        (_number(len(data.rows)), _("exhibitors expected")),
        (_number(data.exhibitors_present), _("came at least one day")),
        (_percent(data.rate), _("attendance rate (exhibitor-days)")),
        (_number(late), ngettext("late arrival", "late arrivals", late)),
        (_number(never), _("absent every day")),
    ]
    figure = sheet["title"].clone("figure", fontSize=18, leading=22, spaceAfter=0)
    cells = [[pdf.para(value, figure), pdf.para(label, sheet["small"])] for value, label in tiles]
    tile_table = Table([cells[::-1] if rtl else cells], colWidths=[width / len(tiles)] * len(tiles))
    tile_table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.6, colors.HexColor("#b08d57")),
                ("INNERGRID", (0, 0), (-1, -1), 0.6, colors.HexColor("#b08d57")),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#faf7f1")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    story += [tile_table, Spacer(1, 6)]
    summary = _(
        "%(present)s exhibitor-days present out of %(expected)s expected (%(rate)s). "
        "%(late)s arrivals after %(threshold)s."
    ) % {
        "present": _number(data.present_days),
        "expected": _number(data.expected_days),
        "rate": _percent(data.rate),
        "late": _number(late),
        "threshold": _time(late_after),
    }
    story.append(pdf.para(summary, sheet["body"]))

    story.append(pdf.para(_("Each day"), sheet["heading"]))
    header = [_("Day"), _("Expected"), _("Present"), _("Late"), _("Absent"), _("Attendance rate")]
    rows = [
        [
            _("%(weekday)s %(date)s")
            % {"weekday": formats.date_format(total.day, "l"), "date": _date(total.day)},
            _number(total.expected),
            _number(total.present),
            _number(total.late),
            _number(total.absent),
            _percent(total.rate),
        ]
        for total in data.day_totals
    ]
    overall = [
        _("All days"),
        _number(data.expected_days),
        _number(data.present_days),
        _number(late),
        _number(data.expected_days - data.present_days),
        _percent(data.rate),
    ]
    widths = [width * share for share in (0.28, 0.11, 0.11, 0.11, 0.11, 0.13)]
    story.append(_figures_table(header, rows, widths, sheet=sheet, rtl=rtl, total=overall))
    story.append(Spacer(1, 6))
    story.append(
        pdf.para(
            _(
                "How to read it: an exhibitor is present on a day when their badge had an accepted entry "
                "scan that day, and late when the first one came after %(threshold)s. Days outside a "
                "badge's validity are not counted. Exhibitors are the fair's confirmed participations."
            )
            % {"threshold": _time(late_after)},
            sheet["small"],
        )
    )
    if not data.rows:
        story.append(pdf.para(_("This fair has no confirmed exhibitors."), sheet["body"]))
    return story


BREAKDOWNS = ("craft", "province", "gender", "area")


def _breakdown_table(data: Attendance, attribute: str, width: float, *, sheet, rtl):
    titles = {
        "craft": _("Craft"),
        "province": _("Province"),
        "gender": _("Gender"),
        "area": _("Urban or rural"),
    }
    header = [titles[attribute], _("Exhibitors"), _("Days expected"), _("Days present"), _("Rate")]
    rows = [
        [value, _number(exhibitors), _number(expected), _number(present),
         _percent(present / expected if expected else None)]
        for value, exhibitors, expected, present in data.breakdown(attribute)
    ]  # fmt: skip
    widths = [width * share for share in (0.40, 0.15, 0.15, 0.15, 0.15)]
    return _figures_table(header, rows, widths, sheet=sheet, rtl=rtl)


def _breakdowns(data: Attendance, *, width, height, sheet, rtl) -> list:
    """Crafts on one side, provinces, gender and urban/rural on the other — on one page when
    they fit there, else one after the other (each splitting across pages as it must)."""
    from reportlab.platypus import KeepTogether, PageBreak, Spacer, Table, TableStyle

    intro = [
        pdf.para(_("Breakdowns"), sheet["heading"]),
        pdf.para(
            _("Days are exhibitor-days: one exhibitor expected, or present, on one day."), sheet["small"]
        ),
        Spacer(1, 6),
    ]
    gap = 16
    half = (width - gap) / 2
    left = [_breakdown_table(data, "craft", half, sheet=sheet, rtl=rtl)]
    right = []
    for attribute in ("province", "gender", "area"):
        right += [_breakdown_table(data, attribute, half, sheet=sheet, rtl=rtl), Spacer(1, 10)]
    pair = [left, "", right[:-1]]
    side_by_side = Table([pair[::-1] if rtl else pair], colWidths=[half, gap, half], hAlign="CENTER")
    side_by_side.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0)])
    )  # fmt: skip
    room = height - _height(intro, width) - 2
    if side_by_side.wrap(width, room)[1] <= room:  # under the cover's figures if there is room
        return [Spacer(1, 10), KeepTogether([*intro, side_by_side])]
    story = [PageBreak(), *intro]  # fresh tables: the ones above were laid out half as wide
    for attribute in BREAKDOWNS:
        story += [_breakdown_table(data, attribute, width * 0.75, sheet=sheet, rtl=rtl), Spacer(1, 10)]
    return story


def _grid(data: Attendance, *, late_after, width, height, sheet, rtl) -> list:
    from reportlab.platypus import PageBreak

    story = []
    groups = column_groups(len(data.days), width)
    for number, group in enumerate(groups):
        widths = grid_widths(len(group), width)
        days = [data.days[index] for index in group]
        header = _cells(
            [_("Booth"), _("Exhibitor"), *([formats.date_format(d, "D"), _day_month(d)] for d in days),
             _("Days present")],
            widths, size=HEADER_SIZE, leading=HEADER_LEADING, bold=True,
        )  # fmt: skip
        aligns = ["LEFT", "LEFT", *(["CENTER"] * len(days)), "CENTER"]
        rows = []
        for row in data.rows:
            cells = [row.cells[index] for index in group]
            line = Cells(
                [
                    wrap(row.exhibitor.booth or "—", pdf.FONT, FONT_SIZE, BOOTH_WIDTH - 2 * PAD_X),
                    _name_lines(row.exhibitor, widths[1], rtl),
                    *([_cell_text(cell)] for cell in cells),
                    [
                        _("%(present)s / %(expected)s")
                        % {"present": row.days_present, "expected": row.days_expected}
                    ],
                ],
                marks={
                    2 + offset: cell.status for offset, cell in enumerate(cells) if cell.status != PRESENT
                },
            )
            if row.never_came:
                line.marks[len(widths) - 1] = "flag"
            rows.append(line)
        totals = [data.day_totals[index] for index in group]
        for label, values, overall in (
            (_("Present"), [_number(t.present) for t in totals], _number(data.present_days)),
            (_("Expected"), [_number(t.expected) for t in totals], _number(data.expected_days)),
            (_("Rate"), [_percent(t.rate, 0) for t in totals], _percent(data.rate, 0)),
        ):
            rows.append(_cells(["", label, *values, overall], widths, bold=True))

        if len(groups) > 1:
            title = _("Annex 1: presence grid, days %(first)s–%(last)s of %(days)s (%(start)s – %(end)s)") % {
                "first": group[0] + 1,
                "last": group[-1] + 1,
                "days": len(data.days),
                "start": _day_month(days[0]),
                "end": _day_month(days[-1]),
            }
        else:
            title = _("Annex 1: presence grid")

        def caption(first, last, total, page, title=title, number=number):
            exhibitors = len(data.rows)
            if first <= exhibitors:
                counted = _("exhibitors %(first)s–%(last)s of %(total)s") % {
                    "first": _number(first), "last": _number(min(last, exhibitors)), "total": _number(exhibitors)
                }  # fmt: skip
            else:
                counted = _("totals")
            flowables = [
                pdf.para(f"{title} · {counted}", sheet["heading"]),
                pdf.para(legend(late_after), sheet["small"]),
            ]
            if page == 0 and number == 0 and len(groups) > 1:
                flowables.append(
                    pdf.para(
                        _("The %(days)s days do not fit across one page: they are printed in %(groups)s groups, "
                          "one after the other, each repeating the booth and name columns.")
                        % {"days": len(data.days), "groups": len(groups)},
                        sheet["small"],
                    )
                )  # fmt: skip
            return flowables

        story.append(PageBreak())
        story += _paged_tables(
            header, rows, widths, aligns, rtl=rtl, caption=caption, width=width, height=height,
            day_columns=range(2, 2 + len(days)),
        )  # fmt: skip
    return story


MAX_ABSENCE_LINES = 6


def _day_ranges(days: list[dt.date], fair_days: list[dt.date], *, rtl: bool) -> str:
    """Days missed, runs of consecutive fair days joined: "Mon 13/05 – Wed 15/05, Fri 17/05"."""
    position = {day: index for index, day in enumerate(fair_days)}
    runs: list[list[dt.date]] = []
    for day in days:
        if runs and position[day] == position[runs[-1][-1]] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])

    def label(day):
        return f"{formats.date_format(day, 'D')} {_day_month(day)}"

    parts = [label(run[0]) if len(run) == 1 else f"{label(run[0])} – {label(run[-1])}" for run in runs]
    return ("، " if rtl else ", ").join(parts)  # the Arabic comma in Arabic text


def _absences(data: Attendance, *, width, height, sheet, rtl) -> list:
    """One row per exhibitor with an absence (those absent every day first, flagged): booth,
    names in both scripts, the days missed, how many of the days expected."""
    from reportlab.platypus import PageBreak

    absent_rows = [row for row in data.rows if any(cell.status == ABSENT for cell in row.cells)]
    absent_rows.sort(key=lambda row: not row.never_came)  # stable: the grid's order otherwise
    if not absent_rows:
        return [PageBreak(), pdf.para(_("Annex 2: absences"), sheet["heading"]),
                pdf.para(_("No absences: every exhibitor came every day expected."), sheet["body"])]  # fmt: skip
    never = sum(row.never_came for row in absent_rows)
    count = sum(cell.status == ABSENT for row in absent_rows for cell in row.cells)
    intro = _(
        "%(count)s absences (exhibitor-days) of %(exhibitors)s exhibitors; %(never)s absent every day, "
        "listed first."
    ) % {"count": _number(count), "exhibitors": _number(len(absent_rows)), "never": _number(never)}
    latin, arabic, days_width = 150, 130, 64
    widths = [BOOTH_WIDTH, latin, arabic, width - BOOTH_WIDTH - latin - arabic - days_width, days_width]
    labels = [_("Booth"), _("Name"), _("Name in Arabic"), _("Days absent"), _("Days")]
    if rtl:  # in reading order the Arabic name comes first
        widths[1], widths[2], labels[1], labels[2] = widths[2], widths[1], labels[2], labels[1]
    header = _cells(labels, widths, size=HEADER_SIZE, leading=HEADER_LEADING, bold=True)
    rows = []
    for row in absent_rows:
        days = [day for day, cell in zip(data.days, row.cells, strict=True) if cell.status == ABSENT]
        what = _("Absent every day") if row.never_came else _day_ranges(days, data.days, rtl=rtl)
        what_lines = wrap(what, pdf.FONT, FONT_SIZE, widths[3] - 2 * PAD_X)
        if len(what_lines) > MAX_ABSENCE_LINES:  # a months-long exhibition: the grid has them all
            what_lines = [*what_lines[: MAX_ABSENCE_LINES - 1], shaped(_("… and more: see annex 1."))]
        names = [row.exhibitor.name, row.exhibitor.name_ar]
        if rtl:
            names.reverse()
        line = Cells(
            [
                wrap(row.exhibitor.booth or "—", pdf.FONT, FONT_SIZE, widths[0] - 2 * PAD_X),
                wrap(names[0], pdf.FONT, FONT_SIZE, widths[1] - 2 * PAD_X),
                wrap(names[1], pdf.FONT, FONT_SIZE, widths[2] - 2 * PAD_X),
                what_lines,
                [_("%(absent)s of %(expected)s") % {"absent": len(days), "expected": row.days_expected}],
            ]
        )
        if row.never_came:
            line.marks[3] = line.marks[4] = "flag"
        rows.append(line)

    def caption(first, last, total, page):
        flowables = [
            pdf.para(
                _("Annex 2: absences · exhibitors %(first)s–%(last)s of %(total)s")
                % {"first": _number(first), "last": _number(last), "total": _number(total)},
                sheet["heading"],
            )
        ]
        if page == 0:
            flowables.append(pdf.para(intro, sheet["small"]))
        return flowables

    aligns = ["LEFT", "LEFT", "RIGHT" if not rtl else "LEFT", "LEFT", "CENTER"]
    pages = _paged_tables(header, rows, widths, aligns, rtl=rtl, caption=caption, width=width, height=height)
    return [PageBreak(), *pages]


def _signatures(*, prepared_by: str, width, sheet, rtl):
    """Room for remarks, then who prepared and who checked the report, the date and the stamp."""
    from reportlab.lib import colors
    from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

    line = "_" * 34
    ink = colors.HexColor("#555555")

    def block(label, name=""):
        return [
            pdf.para(label, sheet["cell_bold"]),
            Spacer(1, 8),
            pdf.para(_("Name: %(name)s") % {"name": name or line}, sheet["cell"]),
            Spacer(1, 16),
            pdf.para(_("Signature: %(line)s") % {"line": line}, sheet["cell"]),
        ]

    stamp = [
        pdf.para(_("Date and stamp of the delegation"), sheet["cell_bold"]),
        Spacer(1, 8),
        pdf.para(_("Date: %(line)s") % {"line": "____ / ____ / ________"}, sheet["cell"]),
    ]
    remarks = Table([[pdf.para(_("Remarks"), sheet["cell_bold"])]], colWidths=[width], rowHeights=[96])
    remarks.setStyle(
        TableStyle([("BOX", (0, 0), (-1, -1), 0.6, ink), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 8), ("LEFTPADDING", (0, 0), (-1, -1), 8),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 8)])
    )  # fmt: skip
    cells = [block(_("Prepared by"), prepared_by), block(_("Checked by")), stamp]
    signatures = Table([cells[::-1] if rtl else cells], colWidths=[width / 3] * 3, rowHeights=[118])
    signatures.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.6, ink),
                ("INNERGRID", (0, 0), (-1, -1), 0.6, ink),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    heading = pdf.para(_("Remarks and signatures"), sheet["heading"])
    return KeepTogether([Spacer(1, 16), heading, remarks, Spacer(1, 10), signatures])


# --- The document ---------------------------------------------------------------------------


def render_attendance(
    fair, data: Attendance, *, late_after: dt.time = LATE_AFTER, prepared_by: str = "", rtl: bool = False
) -> bytes:
    """The attendance report of ``fair`` from its computed ``data``: the cover, the breakdowns
    and the signatures, then the presence grid (annex 1) and the absences (annex 2). Reads
    nothing from the database but the fair's venue (select it with the fair)."""
    sheet = pdf.styles(rtl)
    width, height = frame_size()
    held_so_far = bool(data.days) and data.days[-1] < fair.ends_on
    story = _cover(
        fair, data, late_after=late_after, width=width, sheet=sheet, rtl=rtl, held_so_far=held_so_far
    )
    if data.rows:
        story += _breakdowns(data, width=width, height=height, sheet=sheet, rtl=rtl)
    story.append(_signatures(prepared_by=prepared_by, width=width, sheet=sheet, rtl=rtl))
    if data.rows:
        story += _grid(data, late_after=late_after, width=width, height=height, sheet=sheet, rtl=rtl)
        story += _absences(data, width=width, height=height, sheet=sheet, rtl=rtl)
    title = (fair.name_ar or fair.name) if rtl else fair.name
    subtitle = " · ".join((_("Attendance report"), _dates(fair), pdf.delegation_name()))
    return pdf.build_pdf(story, title=title, subtitle=subtitle, rtl=rtl, landscape=True)


def attendance_pdf(
    fair, *, late_after: dt.time = LATE_AFTER, prepared_by: str = "", today: dt.date | None = None
) -> bytes:
    """The attendance report of ``fair`` in the active language (Arabic: right to left), from
    its check-ins: four queries whatever the fair's size. Days after ``today`` (default: the
    local date) are left out. Raises ``ReportError`` ``no_check_ins`` when the fair has no
    check-in at all, ``fair_not_started`` when none of its days has come yet."""
    if not selectors.fair_has_check_ins(fair):
        raise ReportError(code="no_check_ins", message=_("No check-ins recorded for this fair yet."))
    today = today or timezone.localdate()
    data = selectors.fair_attendance(fair, late_after, until=today)
    if not data.days:
        raise ReportError(
            code="fair_not_started",
            message=_("This fair has not begun yet: there is no attendance to report."),
        )
    rtl = (get_language() or "").startswith("ar")
    return render_attendance(fair, data, late_after=late_after, prepared_by=prepared_by, rtl=rtl)
