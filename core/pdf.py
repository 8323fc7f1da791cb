"""The PDF toolkit every report builds on: fonts, Arabic shaping, styles, tables, page frame.

reportlab knows nothing about Arabic: it neither joins letters nor orders a right-to-left
run. So text is shaped here before reportlab sees it: `arabic_reshaper` picks the joined
presentation form of each letter and python-bidi turns logical order into visual order.
Paragraphs that hold Arabic are broken into lines in logical order *before* that reordering
(see `_BidiParagraph`), otherwise a wrapped Arabic sentence would start on its last line.

reportlab is imported inside the functions that render, so importing this module is cheap.
"""

import functools
import io
import re
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

FONT = "Souk"
FONT_BOLD = "Souk-Bold"
FONTS_DIR = Path(__file__).resolve().parent / "fonts"

# Arabic, Arabic Supplement, Arabic Extended-A and both presentation-form blocks.
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")

_MARGIN_X = 15  # mm
_MARGIN_TOP = 26  # mm, room for the header
_MARGIN_BOTTOM = 18  # mm, room for the footer


def delegation_name() -> str:
    """The issuer line most reports put under their title."""
    return _("Delegation of traditional industry — Casablanca-Settat")


@functools.cache
def register_fonts() -> None:
    """Register the bundled DejaVu Sans (it has Arabic glyphs) once per process."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT, str(FONTS_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONTS_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
    # <b> inside a paragraph set in the bold face itself stays bold.
    addMapping(FONT_BOLD, 0, 0, FONT_BOLD)
    addMapping(FONT_BOLD, 1, 0, FONT_BOLD)


@functools.cache
def _reshaper():
    import arabic_reshaper

    # DejaVu Sans has no glyph for the ALLAH ligature (U+FDF2): "عبد الله" would print a box.
    reshaper = arabic_reshaper.ArabicReshaper(configuration={"ARABIC LIGATURE ALLAH": False})
    # The library re-reads its settings on every call; names and labels repeat a lot.
    reshaper.reshape = functools.lru_cache(maxsize=16384)(reshaper.reshape)
    return reshaper


def has_arabic(text: str | None) -> bool:
    return bool(text) and _ARABIC.search(text) is not None


def _is_rtl(text: str) -> bool:
    """Direction of a paragraph, from its first strong character (as browsers do for dir=auto)."""
    from bidi import get_base_level

    return get_base_level(text) == 1


_MIRRORED = frozenset("()[]{}<>«»")


def shape(text: str | None, *, base_dir: str | None = None) -> str:
    """Return `text` ready for reportlab: Arabic joined and in visual (left-to-right) order.

    Text without Arabic letters comes back unchanged; None gives "". `base_dir` ("L" or "R")
    forces the paragraph direction; by default its first strong character decides.
    """
    if not text:
        return ""
    text = str(text)
    if not has_arabic(text):
        return text
    if _MIRRORED.intersection(text):
        from bidi.algorithm import get_display  # pure Python; mirrors brackets (rule L4)
    else:
        from bidi import get_display  # the fast one, which leaves "(" and ")" unmirrored

    if base_dir:
        return get_display(_reshaper().reshape(text), base_dir=base_dir)
    return get_display(_reshaper().reshape(text))


def styles(rtl: bool = False):
    """Paragraph styles in the Souk fonts: body, small, title, heading, cell, cell_header.

    For an Arabic document (`rtl`) every style is right-aligned.
    """
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle, StyleSheet1

    register_fonts()
    align = TA_RIGHT if rtl else TA_LEFT
    sheet = StyleSheet1()
    base = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13, alignment=align)
    sheet.add(base)
    sheet.add(
        ParagraphStyle("small", parent=base, fontSize=8, leading=10, textColor=colors.HexColor("#555555"))
    )
    sheet.add(ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=16, leading=20, spaceAfter=8))
    sheet.add(
        ParagraphStyle(
            "heading", parent=base, fontName=FONT_BOLD, fontSize=12, leading=15, spaceBefore=6, spaceAfter=4
        )
    )
    sheet.add(ParagraphStyle("cell", parent=base, fontSize=9, leading=11))
    sheet.add(ParagraphStyle("cell_bold", parent=base, fontName=FONT_BOLD, fontSize=9, leading=11))
    sheet.add(ParagraphStyle("cell_header", parent=base, fontName=FONT_BOLD, fontSize=9, leading=11))
    return sheet


@functools.cache
def _bidi_paragraph_class():
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Paragraph

    class _BidiParagraph(Paragraph):
        """A paragraph of plain text with Arabic in it.

        Lines are chosen on the logical text (measured on its shaped form), then each line is
        reordered on its own, so the first words read are on the first line. Pieces made by
        `split()` come back with `logical=None` and behave as plain paragraphs.
        """

        def __init__(self, text, style=None, *args, logical=None, **kwargs):
            super().__init__(text, style, *args, **kwargs)
            self._logical = logical
            self._laid_out_for = None

        def wrap(self, availWidth, availHeight):
            if self._logical is not None and self._laid_out_for != availWidth:
                self._lay_out(availWidth)
            return super().wrap(availWidth, availHeight)

        def _lay_out(self, avail_width):

            style = self.style
            width = avail_width - style.leftIndent - style.rightIndent
            space = stringWidth(" ", style.fontName, style.fontSize)
            base_dir = "R" if _is_rtl(self._logical) else "L"
            lines = []
            for source_line in self._logical.splitlines() or [""]:
                current, current_width = [], 0.0
                limit = width - style.firstLineIndent if not lines else width
                for word in source_line.split():
                    word_width = stringWidth(_reshaper().reshape(word), style.fontName, style.fontSize)
                    if current and current_width + space + word_width > limit:
                        lines.append(" ".join(current))
                        current, current_width, limit = [], 0.0, width
                    current_width += word_width + (space if current else 0)
                    current.append(word)
                lines.append(" ".join(current))
            visual = "<br/>".join(escape(shape(line, base_dir=base_dir)) for line in lines)
            Paragraph.__init__(self, visual, style)
            self._laid_out_for = avail_width

    return _BidiParagraph


def para(text, style):
    """A Paragraph of plain text (not markup: `<` and `&` are printed as such), shaped."""
    from reportlab.platypus import Paragraph

    register_fonts()
    text = "" if text is None else str(text)
    if has_arabic(text):
        return _bidi_paragraph_class()(escape(shape(text)), style, logical=text)
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def table(rows, col_widths, *, header=True, rtl=False):
    """A table that splits across pages and repeats its header row on each one.

    `rows` holds strings, numbers, None, flowables or lists of flowables; text is shaped.
    `col_widths` are points or percentages of the frame width ("30%"), left to right as
    written; for an Arabic document (`rtl`) the columns are mirrored so the first one sits
    on the right.
    """
    from reportlab.lib import colors
    from reportlab.platypus import Flowable, Table, TableStyle

    sheet = styles(rtl)

    def cell(value, style):
        if isinstance(value, Flowable | list | tuple):
            return value
        return para(value, style)

    data = []
    for index, row in enumerate(rows):
        style = sheet["cell_header"] if header and index == 0 else sheet["cell"]
        cells = [cell(value, style) for value in row]
        data.append(cells[::-1] if rtl else cells)
    widths = list(col_widths)[::-1] if rtl else list(col_widths)

    commands = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#9a9a9a")),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands += [
            ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e4dccf")),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f6f3ee")]),
        ]
    return Table(
        data,
        colWidths=widths,
        repeatRows=1 if header and data else 0,
        style=TableStyle(commands),
        hAlign="RIGHT" if rtl else "LEFT",
    )


@functools.cache
def _numbered_canvas_class():
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        """Holds every finished page until the end, when the page count is known.

        `draw_footer(canvas, page, total)` then draws each page's footer before the page is
        written for good: the second pass of the classic "page X of Y" technique.
        """

        def __init__(self, *args, draw_footer, **kwargs):
            super().__init__(*args, **kwargs)
            self._draw_footer = draw_footer
            self._held_pages = []

        def showPage(self):
            self._held_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._held_pages)
            for page_state in self._held_pages:
                self.__dict__.update(page_state)
                self._draw_footer(self, self.getPageNumber(), total)
                super().showPage()
            super().save()

    return NumberedCanvas


def _fit_font_size(text, font, size, width, minimum=7):
    from reportlab.pdfbase.pdfmetrics import stringWidth

    while size > minimum and stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def build_pdf(story, *, title, subtitle="", rtl=False, pagesize=None, landscape=False) -> bytes:
    """Lay out `story` (a list of flowables) on framed pages and return the PDF bytes.

    Every page carries a header (title, optional subtitle) and a footer (generation date,
    "page X of Y"). For an Arabic document (`rtl`) the header and footer are mirrored.
    `pagesize` defaults to A4; `landscape` turns it.
    """
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.pagesizes import landscape as turned
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer

    register_fonts()
    pagesize = pagesize or A4
    if landscape:
        pagesize = turned(pagesize)
    page_width, page_height = pagesize
    left, right = _MARGIN_X * mm, page_width - _MARGIN_X * mm
    generated = _("Generated on %(date)s") % {
        "date": formats.date_format(timezone.localtime(), "DATETIME_FORMAT")
    }

    def draw_line(canvas, text, font, size, y, *, start):
        """Draw one line at the reading start (left, or right for rtl) or the reading end."""
        text = shape(text, base_dir="R" if rtl else None)
        size = _fit_font_size(text, font, size, right - left)
        canvas.setFont(font, size)
        if start != rtl:  # start of an LTR line, or end of an RTL one: the left edge
            canvas.drawString(left, y, text)
        else:
            canvas.drawRightString(right, y, text)

    def draw_header(canvas, doc):
        canvas.saveState()
        top = page_height - 12 * mm
        draw_line(canvas, title, FONT_BOLD, 13, top, start=True)
        if subtitle:
            canvas.setFillColor(colors.HexColor("#555555"))
            draw_line(canvas, subtitle, FONT, 9, top - 5 * mm, start=True)
        canvas.setStrokeColor(colors.HexColor("#b08d57"))
        canvas.setLineWidth(0.8)
        line_y = page_height - (_MARGIN_TOP - 6) * mm
        canvas.line(left, line_y, right, line_y)
        canvas.restoreState()

    def draw_footer(canvas, page, total):
        canvas.saveState()
        canvas.setStrokeColor(colors.HexColor("#cccccc"))
        canvas.setLineWidth(0.4)
        canvas.line(left, 13 * mm, right, 13 * mm)
        canvas.setFillColor(colors.HexColor("#555555"))
        draw_line(canvas, generated, FONT, 8, 9 * mm, start=True)
        label = _("Page %(page)s of %(total)s") % {"page": page, "total": total}
        draw_line(canvas, label, FONT, 8, 9 * mm, start=False)
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=_MARGIN_X * mm,
        rightMargin=_MARGIN_X * mm,
        topMargin=_MARGIN_TOP * mm,
        bottomMargin=_MARGIN_BOTTOM * mm,
        title=title,
        subject=subtitle or None,
        creator="Souk",
        lang=get_language() or None,
        initialFontName=FONT,
    )
    story = list(story) or [Spacer(1, 1)]  # an empty report is still one framed page
    doc.build(
        story,
        onFirstPage=draw_header,
        onLaterPages=draw_header,
        canvasmaker=functools.partial(_numbered_canvas_class(), draw_footer=draw_footer),
    )
    return buffer.getvalue()


def pdf_response(content: bytes, filename: str, *, inline: bool = True):
    """A PDF for the browser (shown inline by default) or for download; web views and API alike."""
    from django.http import HttpResponse

    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    return response
