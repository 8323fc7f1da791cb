"""The attestation of participation: one A4 portrait page, drawn on a reportlab canvas.

    attestation_pdf(attestation, verify_url=..., verify_home=...) -> bytes

What it shows, top to bottom: the Moroccan bilingual header (the state and the delegation,
in the document's language on the left and in Arabic on the right, as official letters
have it), the title, the holder's name in Latin and Arabic script, the craft, the fair with
its place and dates, a row of facts (dates, booth, days present when the fair kept
check-ins), then the QR code of the public verification page with the code in clear and
where to type it, the date of issue and a frame for the stamp and signature.

The document follows the active language; an Arabic one is mirrored (QR on the right,
signature on the left). The holder's CIN is left out on purpose: the page is shown to
strangers (an employer, a fair abroad) and its verification is public, so it carries only
what the verification page also shows. Text goes through ``core.pdf.shape``, so Arabic is
joined and ordered whatever the language. reportlab and qrcode are imported when drawing.
"""

import io
import math

from django.utils import formats, timezone, translation
from django.utils.translation import get_language, get_language_bidi, pgettext
from django.utils.translation import gettext as _

from core import pdf

MM = 72 / 25.4
PAGE_W, PAGE_H = 210.0, 297.0  # A4, mm
INK = "#2b2118"
GOLD = "#b08d57"
GOLD_LIGHT = "#e9dcc3"
GREY = "#5f5548"
MARGIN = 24.0  # text stays this far from the page edge (the frame sits inside it)


def _dates(start, end) -> str:
    first = formats.date_format(start, "DATE_FORMAT")
    if end == start:
        return first
    return _("from %(start)s to %(end)s") % {"start": first, "end": formats.date_format(end, "DATE_FORMAT")}


def _arabic(message: str) -> str:
    """``message`` in Arabic, or "" while it has no Arabic translation."""
    with translation.override("ar"):
        text = _(message)
    return text if pdf.has_arabic(text) else ""


def _booth(application) -> str:
    assignment = getattr(application, "assignment", None)
    booth = getattr(assignment, "booth", None)
    return booth.code if booth is not None else ""


class _Page:
    """Drawing helpers in millimetres from the top left, with shaping and fitting."""

    def __init__(self, canvas, rtl: bool):
        self.c = canvas
        self.rtl = rtl

    def y(self, top: float) -> float:
        return (PAGE_H - top) * MM

    @staticmethod
    def width(text: str, font: str, size: float) -> float:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        return stringWidth(pdf.shape(text), font, size) / MM

    def fit(self, text: str, font: str, size: float, minimum: float, room: float, lines: int = 1):
        """The largest size from ``size`` down to ``minimum`` at which ``text`` wraps into at
        most ``lines`` lines of ``room`` mm; (size, lines in logical order). At the minimum
        size a last line that still overflows is cut with an ellipsis."""
        words = str(text).split()
        current = size
        while True:
            wrapped, line = [], []
            for word in words:
                if line and self.width(" ".join([*line, word]), font, current) > room:
                    wrapped.append(" ".join(line))
                    line = []
                line.append(word)
            if line:
                wrapped.append(" ".join(line))
            if len(wrapped) <= lines and all(self.width(w, font, current) <= room for w in wrapped):
                return current, wrapped or [""]
            if current <= minimum:
                kept = wrapped[:lines]
                if len(wrapped) > lines or self.width(kept[-1], font, current) > room:
                    last = kept[-1]
                    while len(last) > 1 and self.width(last + "…", font, current) > room:
                        last = last[:-1]
                    kept[-1] = last.rstrip() + "…"
                return current, kept
            current = max(minimum, current - 0.5)

    def text(self, text: str, x: float, top: float, font: str, size: float, *, align: str = "centre",
             colour: str = INK, spacing: float = 0.0) -> None:  # fmt: skip
        """One line with its baseline at ``top`` mm; ``align`` is centre, start or end (start is
        the right edge in an Arabic document)."""
        from reportlab.lib.colors import HexColor

        shaped = pdf.shape(text, base_dir="R" if self.rtl and pdf.has_arabic(text) else None)
        c = self.c
        c.setFillColor(HexColor(colour))
        c.setFont(font, size)
        if spacing:
            # Character spacing is graphics state that outlives the text object: keep it in.
            c.saveState()
            obj = c.beginText()
            obj.setFont(font, size)
            obj.setCharSpace(spacing)
            width = c.stringWidth(shaped, font, size) + spacing * (len(shaped) - 1)
            start = {"centre": x * MM - width / 2, "left": x * MM, "right": x * MM - width}[self._side(align)]
            obj.setTextOrigin(start, self.y(top))
            obj.textOut(shaped)
            c.drawText(obj)
            c.restoreState()
            return
        side = self._side(align)
        if side == "centre":
            c.drawCentredString(x * MM, self.y(top), shaped)
        elif side == "left":
            c.drawString(x * MM, self.y(top), shaped)
        else:
            c.drawRightString(x * MM, self.y(top), shaped)

    def _side(self, align: str) -> str:
        """centre, left and right are where they say; start and end follow the direction."""
        if align in ("centre", "left", "right"):
            return align
        return "right" if (align == "start") == self.rtl else "left"

    def block(self, text: str, x: float, top: float, room: float, font: str, size: float, minimum: float,
              lines: int, *, align: str = "centre", colour: str = INK, leading: float = 1.3) -> float:  # fmt: skip
        """Wrapped text whose first baseline is at ``top``; returns the baseline after it."""
        if not text:
            return top
        size, wrapped = self.fit(text, font, size, minimum, room, lines)
        for line in wrapped:
            self.text(line, x, top, font, size, align=align, colour=colour)
            top += leading * size / MM
        return top

    def rule(self, x0: float, x1: float, top: float, *, width: float = 0.6, colour: str = GOLD) -> None:
        from reportlab.lib.colors import HexColor

        self.c.setStrokeColor(HexColor(colour))
        self.c.setLineWidth(width)
        self.c.line(x0 * MM, self.y(top), x1 * MM, self.y(top))

    def star(self, cx: float, top: float, radius: float, *, colour: str = GOLD, hole: bool = True) -> None:
        """The eight-pointed star of zellige and of the Moroccan flag's tradition, as an
        ornament: two squares, one turned by 45°."""
        from reportlab.lib.colors import HexColor, white

        inner = radius * math.cos(math.pi / 4) / math.cos(math.pi / 8)
        path = self.c.beginPath()
        for k in range(16):
            angle = math.pi / 2 + k * math.pi / 8
            r = radius if k % 2 == 0 else inner
            x, y = (cx + r * math.cos(angle)) * MM, self.y(top) + r * math.sin(angle) * MM
            path.moveTo(x, y) if k == 0 else path.lineTo(x, y)
        path.close()
        self.c.setFillColor(HexColor(colour))
        self.c.drawPath(path, stroke=0, fill=1)
        if hole:
            self.c.setFillColor(white)
            self.c.circle(cx * MM, self.y(top), radius * 0.32 * MM, stroke=0, fill=1)

    def frame(self) -> None:
        """A double gold frame with a star at each corner."""
        from reportlab.lib.colors import HexColor

        c = self.c
        c.setStrokeColor(HexColor(GOLD))
        for inset, width in ((10.0, 1.6), (13.0, 0.5)):
            c.setLineWidth(width)
            c.rect(inset * MM, inset * MM, (PAGE_W - 2 * inset) * MM, (PAGE_H - 2 * inset) * MM)
        for cx in (11.5, PAGE_W - 11.5):
            for top in (11.5, PAGE_H - 11.5):
                self.star(cx, top, 4.2)

    def qr(self, data: str, x: float, top: float, size: float) -> None:
        """``data`` as a QR code in the square of ``size`` mm whose top left is (x, top): one
        rectangle per run of dark modules, all in one path (no seams between them)."""
        import qrcode
        from reportlab.lib.colors import black

        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
        code.add_data(data)
        code.make(fit=True)
        matrix = code.get_matrix()
        unit = size / len(matrix)
        path = self.c.beginPath()
        for row, cells in enumerate(matrix):
            column = 0
            while column < len(cells):
                if not cells[column]:
                    column += 1
                    continue
                run = column
                while run < len(cells) and cells[run]:
                    run += 1
                path.rect((x + column * unit) * MM, self.y(top + (row + 1) * unit), (run - column) * unit * MM,
                          unit * MM)  # fmt: skip
                column = run
        self.c.setFillColor(black)
        self.c.drawPath(path, stroke=0, fill=1)


def attestation_pdf(attestation, *, verify_url: str, verify_home: str) -> bytes:
    """The certificate of ``attestation`` in the active language (A4 portrait, one page).

    ``verify_url`` (absolute) is what the QR code holds; ``verify_home`` (absolute) is the page
    where the code can be typed, printed beside it. ``attestation.application`` should come
    with its artisan (and main craft), fair (and venue) and booth assignment.
    """
    from reportlab.pdfgen.canvas import Canvas

    pdf.register_fonts()
    application = attestation.application
    artisan = application.artisan
    fair = application.fair
    rtl = bool(get_language_bidi())
    bold, regular = pdf.FONT_BOLD, pdf.FONT
    centre = PAGE_W / 2
    room = PAGE_W - 2 * MARGIN

    buffer = io.BytesIO()
    canvas = Canvas(
        buffer, pagesize=(PAGE_W * MM, PAGE_H * MM), pageCompression=1, lang=get_language() or None
    )
    canvas.setTitle(_("Attestation of participation — %(name)s") % {"name": artisan.full_name})
    canvas.setSubject(fair.name)
    canvas.setAuthor(pdf.delegation_name())
    canvas.setCreator("Souk")
    page = _Page(canvas, rtl)
    page.frame()

    # The header: the state and the issuer, in the document's language (French when it is
    # Arabic) on the left and in Arabic on the right.
    with translation.override("fr" if rtl else get_language()):
        left = [_("Kingdom of Morocco"), pdf.delegation_name()]
    right = [_arabic("Kingdom of Morocco"), _arabic("Delegation of traditional industry — Casablanca-Settat")]
    column = 72.0
    for lines, x, align in ((left, MARGIN, "left"), (right, PAGE_W - MARGIN, "right")):
        top = 27.0
        for index, line in enumerate(lines):
            if not line:
                continue
            font, size = (bold, 9.5) if index == 0 else (regular, 8.5)
            size, wrapped = page.fit(line, font, size, 6.5, column, 2)
            for piece in wrapped:
                page.text(piece, x, top, font, size, align=align, colour=INK if index == 0 else GREY)
                top += 1.3 * size / MM
            top += 0.6
    page.star(centre, 30.0, 6.0)
    page.rule(MARGIN, PAGE_W - MARGIN, 44.0, width=0.4, colour=GOLD_LIGHT)

    # The title.
    top = 63.0
    top = page.block(
        _("Attestation of participation").upper(), centre, top, room, bold, 24, 15, 2, leading=1.2
    )
    page.rule(centre - 30, centre - 5, top - 4.5, width=0.8)
    page.star(centre, top - 4.5, 2.2, hole=False)
    page.rule(centre + 5, centre + 30, top - 4.5, width=0.8)

    # Who.
    top += 8.0
    top = page.block(_("The delegation certifies that"), centre, top, room, regular, 12, 9, 2, colour=GREY)
    top += 6.0
    names = [(artisan.full_name, 22), (artisan.full_name_ar, 21)]
    if rtl:
        names.reverse()
    for index, (name, size) in enumerate(names):
        if name:
            # A long name wraps on a second line before it gets small.
            top = page.block(
                name, centre, top, room, bold, size if index == 0 else size - 5, 12, 2, leading=1.4
            )
    if artisan.main_craft_id:
        top += 1.0
        craft = _("Craft: %(craft)s") % {"craft": artisan.main_craft.name}
        top = page.block(craft, centre, top, room, regular, 12, 9, 1, colour=GREY)

    # Where and when.
    top += 5.0
    female = artisan.gender == artisan.Gender.FEMALE
    took_part = (
        pgettext("attestation, a woman", "took part as an exhibitor in")
        if female
        else pgettext("attestation, a man", "took part as an exhibitor in")
    )
    top = page.block(took_part, centre, top, room, regular, 12, 9, 1, colour=GREY)
    top += 3.0
    primary, other = (fair.name_ar or fair.name, fair.name) if rtl else (fair.name, fair.name_ar)
    top = page.block(primary, centre, top, room, bold, 17, 11, 2, leading=1.3)
    if other and other != primary:
        top = page.block(other, centre, top, room, regular, 12, 8.5, 1, colour=GREY)
    top += 2.0
    top = page.block(fair.place, centre, top, room, regular, 12, 8.5, 2, colour=INK)
    top = page.block(_dates(fair.starts_on, fair.ends_on), centre, top, room, regular, 12, 8.5, 1, colour=INK)

    # The facts, in boxes.
    days = (fair.ends_on - fair.starts_on).days + 1
    facts = []
    booth = _booth(application)
    if booth:
        facts.append((_("Booth"), booth))
    if attestation.days_present is not None:
        present = _("%(present)s of %(days)s") % {"present": attestation.days_present, "days": days}
        facts.append((_("Days present"), present))
    if rtl:
        facts.reverse()
    if facts:
        top += 6.0
        _facts(page, facts, top, 17.0)
        top += 17.0

    # The QR code with, beside it, how to check and the code in clear (the start side); the
    # date of issue and the frame for the stamp (the end side).
    qr_size = 34.0
    column = 54.0
    bottom_top = max(top + 14.0, 212.0)
    start_x = PAGE_W - MARGIN - qr_size if rtl else MARGIN
    page.qr(verify_url, start_x, bottom_top, qr_size)
    text_x = start_x - 4.0 if rtl else start_x + qr_size + 4.0
    how = _("To check that this attestation is genuine, scan the QR code or type the code at:")
    after = page.block(how, text_x, bottom_top + 3.0, column, regular, 8.5, 7, 4, align="start", colour=GREY)
    address = verify_home.split("://", 1)[-1]
    size, lines = page.fit(address, bold, 9, 6, column, 1)
    page.text(lines[0], text_x, after + 0.8, bold, size, align="start")
    code_top = max(after + 10.0, bottom_top + qr_size - 6.5)
    page.text(_("Verification code"), text_x, code_top, regular, 7.5, align="start", colour=GREY)
    size, lines = page.fit(attestation.code_display, bold, 12, 8, column - 4.0, 1)
    page.text(lines[0], text_x, code_top + 6.0, bold, size, align="start", spacing=0.5)

    end_x = MARGIN if rtl else PAGE_W - MARGIN
    issued = timezone.localtime(attestation.issued_at).date()
    sign_w = 62.0
    sign_centre = end_x + sign_w / 2 if rtl else end_x - sign_w / 2
    page.text(_("Issued on %(date)s") % {"date": formats.date_format(issued, "DATE_FORMAT")}, sign_centre,
              bottom_top + 2.0, regular, 10)  # fmt: skip
    page.text(_("For the delegation,"), sign_centre, bottom_top + 8.5, bold, 10)
    _stamp_area(page, sign_centre - sign_w / 2, bottom_top + 12.0, sign_w, 32.0)

    # The closing formula of Moroccan certificates, at the foot.
    formula = "This attestation is issued to the person concerned to serve and avail as of right."
    closing = pgettext("attestation, a woman", formula) if female else pgettext("attestation, a man", formula)
    page.block(closing, centre, PAGE_H - 20.5, room, regular, 8, 6.5, 2, colour=GREY)

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _facts(page: _Page, facts: list[tuple[str, str]], top: float, height: float) -> None:
    """Label and value boxes side by side, centred under the text."""
    from reportlab.lib.colors import HexColor

    if not facts:
        return
    gap = 4.0
    widths = []
    for label, value in facts:
        need = max(page.width(value, pdf.FONT_BOLD, 11), page.width(label, pdf.FONT, 8)) + 10.0
        widths.append(min(max(need, 34.0), 78.0))
    scale = min(1.0, (PAGE_W - 2 * MARGIN - gap * (len(facts) - 1)) / sum(widths))
    widths = [w * scale for w in widths]
    x = PAGE_W / 2 - (sum(widths) + gap * (len(facts) - 1)) / 2
    c = page.c
    for (label, value), width in zip(facts, widths, strict=True):
        c.setFillColor(HexColor("#faf6ee"))
        c.setStrokeColor(HexColor(GOLD_LIGHT))
        c.setLineWidth(0.6)
        c.roundRect(x * MM, page.y(top + height), width * MM, height * MM, 2.0 * MM, stroke=1, fill=1)
        middle = x + width / 2
        page.text(label, middle, top + 6.0, pdf.FONT, 8, colour=GREY)
        size, lines = page.fit(value, pdf.FONT_BOLD, 11, 7, width - 4.0, 1)
        page.text(lines[0], middle, top + 12.5, pdf.FONT_BOLD, size)
        x += width + gap


def _stamp_area(page: _Page, x: float, top: float, width: float, height: float) -> None:
    """A dashed frame for the signature with a dashed circle where the stamp goes."""
    from reportlab.lib.colors import HexColor

    c = page.c
    c.saveState()
    c.setStrokeColor(HexColor("#b9ad9a"))
    c.setLineWidth(0.5)
    c.setDash(2, 2)
    c.roundRect(x * MM, page.y(top + height), width * MM, height * MM, 2.0 * MM, stroke=1, fill=0)
    c.circle((x + width - height / 2 - 2) * MM if not page.rtl else (x + height / 2 + 2) * MM,
             page.y(top + height / 2), (height / 2 - 4) * MM, stroke=1, fill=0)  # fmt: skip
    c.restoreState()
    label_x = x + 4.0 if not page.rtl else x + width - 4.0
    page.text(
        _("Stamp and signature"), label_x, top + height - 3.5, pdf.FONT, 7, align="start", colour="#9a8f7e"
    )
