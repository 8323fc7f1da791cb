"""Badge PDFs: one badge a page at the fair's card size, or A4 sheets of badges with crop marks.

    badges_pdf(badges, layout="card" | "sheet", card_format=None, progress=None) -> bytes
    fair_badges_pdf(fair, layout=..., card_format=None, progress=None) -> bytes

Each badge carries a colour band by kind with the kind's name, the fair's name (and Arabic
name) and dates, the holder's name in Latin and Arabic script, a photo (or initials), the
craft and cooperative (exhibitors) or role and organisation (others), the booth code in large
type, the signed QR code and, under it, the serial in two groups of four so a gate can type
it when the code will not scan. Text goes through ``core.pdf.shape``: Arabic is joined and
ordered whatever the interface language, and an Arabic interface mirrors the layout.

**Revoked badges are never printed**: they are left out of the document; when nothing is left,
``BadgeError(code="nothing_to_print")``.

The layout is drawn in "design millimetres" on a card 85.6 high: a CR80 card
(54 × 85.6 mm, portrait) is drawn 1:1, full bleed; an A6 card (105 × 148 mm) is the same
design scaled ×1.61 inside a 5 mm white margin (so its QR is 45 mm wide). On A4 sheets CR80
cards lie 2 × 5, turned a quarter, with gutters that hold the crop marks; A6 cards lie 2 × 2
edge to edge (A6 is a quarter of A4), their crop marks drawn along the cut lines, inside the
white margin.

Speed (bench/badges_pdf.py: 2,000 badges, 600 of them with a photo, in about 6 s of CPU on
this machine): everything is drawn straight on a reportlab canvas, in two queries whatever
the number of badges.

- The QR modules are vector rectangles, one per run of dark modules within each byte of a
  row (looked up in a table), in a coordinate system of one unit per module, filled as one
  path (sharp at any size, no seams). ``qrcode`` spends
  about 14 ms a code choosing its mask and still 2 ms with a fixed one, mostly in
  pure-Python Reed-Solomon arithmetic; here ``qrcode`` draws each version's frame once
  (finder, timing and format patterns, for the fixed mask) and each code's codewords are
  computed with table-driven Reed-Solomon and XORed into place: about 0.3 ms. A test checks
  the matrix equals ``qrcode``'s own, module for module. The mask is fixed (6): over random
  signed codes its penalty score is within a few per cent of the best of eight, the data
  being random anyway (a signature).
- What every badge of a fair and kind shares (bands, fair, kind) is one PDF form, drawn once.
- Text is written as PDF operators, each distinct string encoded once (see ``_Painter``).
- Photos (JPEGs of at most 800 pixels, see registrations.images) are decoded at ¼ scale,
  cut to the frame and re-encoded small (about 2 ms each); a thread pool brought nothing
  measurable (the GIL), so they are done in turn.
- Streams are written binary, not ASCII85 (``_binary_streams``).
"""

import contextlib
import functools
import hashlib
import io
import math
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.utils import formats, translation
from django.utils.translation import gettext as _

from badges.models import KIND_COLOURS, Badge, BadgeKind, BadgeSetup, CardFormat
from badges.services import BadgeError, badge_code, setup_for
from core import pdf
from core.models import in_script
from fairs.models import Fair

LAYOUTS = ("card", "sheet")
Progress = Callable[[int, int], None]

MM = 72 / 25.4  # points in a millimetre
DESIGN_HEIGHT = 85.6  # design millimetres: the height of a CR80 card, portrait
A6_MARGIN = 5.0  # mm of white round an A6 badge: room for an uneven cut and the crop marks
QR_MASK = 6
HEAD_H = 14.0  # design mm: the top band (fair)
FOOT_H = 9.0  # design mm: the bottom band (kind)
QR_SIZE = 28.0  # design mm (≥ 28 mm on a CR80 card: a phone reads it at arm's length)
PHOTO_W, PHOTO_H = 17.0, 21.0  # design mm
# At most 200 dpi and 200 pixels high: an 800-pixel upload then decodes at ¼ scale (fast).
# That is 200 dpi on a CR80 card and 150 dpi on A6, sharp enough for a face.
PHOTO_DPI, PHOTO_MAX_PX = 200, 200
INK = "#111111"
GREY = "#4a4a4a"
LIGHT = "#6b6b6b"
WHITE = "#ffffff"
PLACEHOLDER, PLACEHOLDER_INK = "#ece6dc", "#8b7d68"  # the initials' square, when there is no photo
_FRAME_STROKE = "0.788 0.761 0.714 RG"  # #c9c2b6, round the photo
SELECT_RELATED = (
    "application__artisan__main_craft",
    "application__artisan__cooperative",
    "application__assignment__booth",
)
# Only what a badge prints: a 2,000-row load builds five model instances a row.
PRINTED_FIELDS = (
    "fair", "kind", "serial", "name", "name_ar", "organisation", "role_label", "valid_from", "valid_until",
    "application__artisan__photo", "application__artisan__main_craft__name_fr",
    "application__artisan__main_craft__name_ar", "application__artisan__main_craft__name_en",
    "application__artisan__cooperative__name", "application__artisan__cooperative__name_ar",
    "application__assignment__booth__code",
)  # fmt: skip


# --- Formats ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Format:
    card_w: float  # real mm, portrait
    card_h: float
    inset: float  # real mm of white round the design
    columns: int  # on an A4 sheet
    rows: int
    turned: bool  # cards lie on the sheet a quarter turned
    gap_x: float  # mm between cards on the sheet
    gap_y: float

    @property
    def scale(self) -> float:
        return (self.card_h - 2 * self.inset) / DESIGN_HEIGHT

    @property
    def design_width(self) -> float:
        return (self.card_w - 2 * self.inset) / self.scale

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows


FORMATS = {
    CardFormat.CR80: _Format(54.0, 85.6, 0.0, 2, 5, True, 6.0, 3.0),
    CardFormat.A6: _Format(105.0, 148.0, A6_MARGIN, 2, 2, False, 0.0, 0.0),
}
A4_MM = (210.0, 297.0)


# --- What a badge shows ------------------------------------------------------------------


@dataclass
class _Face:
    kind: str
    name: str
    name_ar: str
    details: list[str]  # craft and cooperative, or organisation
    booth: str
    role: str
    serial: str
    code: str
    validity: str  # "" when the badge is valid for the whole fair
    fair_id: int
    photo_name: str
    photo_storage: object


@dataclass(frozen=True)
class _FairHead:
    name: str
    name_ar: str
    dates: str


def _dates(start, end) -> str:
    first = formats.date_format(start, "DATE_FORMAT")
    if end == start:
        return first
    return _("%(start)s – %(end)s") % {"start": first, "end": formats.date_format(end, "DATE_FORMAT")}


def serial_groups(serial: str) -> str:
    """The serial as printed under the code: two groups of four (``normalize`` drops the space)."""
    return " ".join(serial[i : i + 4] for i in range(0, len(serial), 4))


def _booth_code(application) -> str:
    try:
        return application.assignment.booth.code
    except ObjectDoesNotExist:  # no booth (yet)
        return ""


def _face(badge: Badge, setup: BadgeSetup) -> _Face:
    booth, details, photo_name, photo_storage = "", [], "", None
    role = badge.role_label
    application = badge.application
    if application is not None:
        artisan = application.artisan
        booth = _booth_code(application)
        if artisan.main_craft_id:
            details.append(artisan.main_craft.name)
        if artisan.cooperative_id:
            details.append(in_script(artisan.cooperative.name, artisan.cooperative.name_ar))
        elif badge.organisation:
            details.append(badge.organisation)
        if artisan.photo:
            photo_name, photo_storage = artisan.photo.name, artisan.photo.storage
    elif badge.organisation:
        details.append(badge.organisation)
    fair = badge.fair
    validity = ""
    if (badge.valid_from, badge.valid_until) != (fair.starts_on, fair.ends_on):
        validity = _("Valid %(dates)s") % {"dates": _dates(badge.valid_from, badge.valid_until)}
    return _Face(
        kind=badge.kind,
        name=badge.name,
        name_ar=badge.name_ar,
        details=details,
        booth=booth,
        role=role,
        serial=badge.serial,
        code=badge_code(badge, setup),
        validity=validity,
        fair_id=badge.fair_id,
        photo_name=photo_name,
        photo_storage=photo_storage,
    )


def printable_badges(badges) -> list[Badge]:
    """``badges`` (a queryset or an iterable of Badge) loaded for printing, in their order,
    revoked ones left out: two queries whatever their number (the badges with their
    exhibitors, crafts, cooperatives and booths; then their fairs with the badge keys)."""
    if isinstance(badges, QuerySet):
        loaded = list(
            badges.filter(revoked_at__isnull=True).select_related(*SELECT_RELATED).only(*PRINTED_FIELDS)
        )
    else:
        wanted = [badge.pk for badge in badges]
        rows = (
            Badge.objects.filter(pk__in=wanted, revoked_at__isnull=True)
            .select_related(*SELECT_RELATED)
            .only(*PRINTED_FIELDS)
        )
        by_pk = {badge.pk: badge for badge in rows}
        loaded = [by_pk[pk] for pk in dict.fromkeys(wanted) if pk in by_pk]
    if loaded:
        fairs = Fair.objects.select_related("badge_setup").in_bulk({badge.fair_id for badge in loaded})
        for badge in loaded:
            badge.fair = fairs[badge.fair_id]
    return loaded


def fair_badges(fair, kind: str = ""):
    """The valid badges of ``fair`` (of one ``kind``, or all) in print order: kind, then name."""
    badges = Badge.objects.filter(fair=fair, revoked_at__isnull=True).order_by("kind", "name", "pk")
    return badges.filter(kind=kind) if kind else badges


# --- Text ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8192)
def _shaped(text: str) -> str:
    return pdf.shape(text)


@functools.lru_cache(maxsize=16384)
def _unit_width(text: str, font: str) -> float:
    """Width of ``text`` (shaped) at 1 pt, in design mm: widths grow with the size."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(_shaped(text), font, 1) / MM


def _width(text: str, font: str, size: float) -> float:
    return _unit_width(text, font) * size  # design mm


def _wrap(words: list[str], widths: list[float], space: float, limit: float) -> list[list[str]]:
    """Greedy lines of ``words`` whose widths (``widths``, ``space``: at one size) fit ``limit``
    when they can (a word longer than the limit gets a line of its own)."""
    lines, current, used = [], [], 0.0
    for word, width in zip(words, widths, strict=True):
        if current and used + space + width > limit:
            lines.append(current)
            current, used = [], 0.0
        used += width + (space if current else 0.0)
        current.append(word)
    if current:
        lines.append(current)
    return lines


def _ellipsize(text: str, font: str, size: float, width: float) -> str:
    while text and _width(text + "…", font, size) > width:
        text = text[:-1].rstrip()
    return text + "…"


@functools.lru_cache(maxsize=4096)
def _fit(text: str, font: str, largest: float, smallest: float, width: float, max_lines: int):
    """(size, lines): the largest size from ``largest`` down to ``smallest`` (by ¼ pt) at which
    ``text`` wraps into at most ``max_lines`` lines of ``width`` design mm; past that, at
    ``smallest``, what does not fit is cut short with an ellipsis. Arabic is measured shaped
    (a line is as wide as its shaped words and spaces, in whatever order bidi puts them)."""
    words = text.split()
    if not words:
        return largest, ()
    unit = [_unit_width(word, font) for word in words]
    space = _unit_width(" ", font)
    total = sum(unit) + space * (len(words) - 1)
    # No size above these can fit: the longest word on a line, the whole text on max_lines.
    ceiling = min(largest, width / max(unit), width * max_lines / total)
    size = max(smallest, math.floor(ceiling * 4) / 4)
    while True:
        lines = _wrap(words, [w * size for w in unit], space * size, width)
        if len(lines) <= max_lines and all(
            (sum(_unit_width(word, font) for word in line) + space * (len(line) - 1)) * size <= width + 1e-9
            for line in lines
        ):
            return size, tuple(" ".join(line) for line in lines)
        if size - 0.25 < smallest - 1e-9:
            break
        size -= 0.25
    kept = [" ".join(line) for line in lines[:max_lines]]
    if len(lines) > max_lines:
        kept[-1] = _ellipsize(kept[-1], font, size, width)
    return size, tuple(
        _ellipsize(line, font, size, width) if _width(line, font, size) > width else line for line in kept
    )


def _initials(name: str) -> str:
    words = [word for word in name.split() if word[:1].isalpha()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


# --- The QR code ---------------------------------------------------------------------------


class _QrFrame:
    """One QR version at error correction M with the fixed mask: its function patterns, and
    where each codeword bit goes. Built once with ``qrcode``; ``rows(code)`` then places a
    code's codewords the way ``qrcode.QRCode.map_data`` does."""

    def __init__(self, version: int, mask: int):
        import qrcode
        from qrcode.base import rs_blocks
        from qrcode.util import MODE_ALPHA_NUM, QRData, length_in_bits, mask_func

        class Recording(qrcode.QRCode):
            def map_data(self, data, mask_pattern):
                self.free = [[cell is None for cell in row] for row in self.modules]
                super().map_data(data, mask_pattern)

        level = qrcode.constants.ERROR_CORRECT_M
        qr = Recording(version=version, error_correction=level, border=0, mask_pattern=mask)
        qr.add_data(QRData("0", mode=MODE_ALPHA_NUM))
        qr.make(fit=False)
        size = qr.modules_count
        masked = mask_func(mask)
        self.size = size
        self.count_bits = length_in_bits(MODE_ALPHA_NUM, version)
        self.blocks = [
            (block.data_count, block.total_count - block.data_count) for block in rs_blocks(version, level)
        ]
        self.data_codewords = sum(data for data, _ec in self.blocks)
        # The matrix is an integer, the top-left module first (most significant), each row
        # padded to whole bytes ("stride" bits), so its bytes can be drawn by table lookup.
        # Function patterns as qrcode drew them; every data cell holds "bit 0, masked".
        self.stride = stride = -(-size // 8) * 8
        self.bits = size * stride
        cells = "".join(
            ("1" if (masked(r, c) if qr.free[r][c] else qr.modules[r][c]) else "0") if c < size else "0"
            for r in range(size)
            for c in range(stride)
        )
        self.blank = int(cells, 2)
        # Data cells in placement order (the zigzag of ISO/IEC 18004 §7.7.3); a 1 bit inverts
        # its cell. For each codeword and each value of its high and low four bits: the cells
        # they invert, as one integer, so placing a code is two XORs per codeword.
        order = []
        row, step = size - 1, -1
        for col in range(size - 1, 0, -2):
            if col <= 6:
                col -= 1  # the vertical timing pattern
            while True:
                for c in (col, col - 1):
                    if qr.free[row][c]:
                        order.append(1 << (self.bits - 1 - (row * stride + c)))
                row += step
                if row < 0 or row >= size:
                    row -= step
                    step = -step
                    break
        self.nibbles = []
        for index in range(len(order) // 8):
            bits = order[8 * index : 8 * index + 8]  # most significant bit first
            high = [_flips(bits[:4], value) for value in range(16)]
            low = [_flips(bits[4:], value) for value in range(16)]
            self.nibbles.append((high, low))
        # For each byte of a row and each value: its dark runs as rectangles, "Y" for the row.
        self.byte_ops = [
            [
                " ".join(f"{8 * chunk + start} Y {length} 1 re" for start, length in _runs(value))
                for value in range(256)
            ]
            for chunk in range(stride // 8)
        ]
        self.row_y = [f" {size - 1 - r} " for r in range(size)]
        self.remainders = {ec: _rs_table(ec) for _data, ec in self.blocks}

    def codewords(self, text: str) -> bytes:
        """Data and error-correction codewords, interleaved, for an alphanumeric ``text``."""
        value, bits = 0b0010, 4  # alphanumeric mode indicator
        value, bits = (value << self.count_bits) | len(text), bits + self.count_bits
        digits = [_ALPHANUMERIC[char] for char in text]
        for i in range(0, len(digits) - 1, 2):
            value = (value << 11) | (digits[i] * 45 + digits[i + 1])
        bits += 11 * (len(digits) // 2)
        if len(digits) % 2:
            value, bits = (value << 6) | digits[-1], bits + 6
        limit = self.data_codewords * 8
        if bits > limit:
            raise ValueError("code too long for this QR version")
        terminator = min(4, limit - bits)
        value, bits = value << terminator, bits + terminator
        if bits % 8:
            value, bits = value << (8 - bits % 8), bits + 8 - bits % 8
        data = value.to_bytes(bits // 8, "big") + bytes([0xEC, 0x11]) * self.data_codewords
        data = data[: self.data_codewords]
        data_blocks, ec_blocks, offset = [], [], 0
        for count, ec in self.blocks:
            block = data[offset : offset + count]
            offset += count
            data_blocks.append(block)
            ec_blocks.append(_rs_remainder(block, ec, self.remainders[ec]))
        out = bytearray()
        for blocks in (data_blocks, ec_blocks):
            for i in range(max(len(block) for block in blocks)):
                out.extend(block[i] for block in blocks if i < len(block))
        return bytes(out)

    def matrix(self, text: str) -> int:
        matrix = self.blank
        for (high, low), byte in zip(self.nibbles, self.codewords(text), strict=True):
            matrix ^= high[byte >> 4] ^ low[byte & 15]
        return matrix

    def rows(self, text: str) -> list[str]:
        """The matrix as strings of "0" and "1", top row first."""
        cells = format(self.matrix(text), f"0{self.bits}b")
        return [cells[start : start + self.size] for start in range(0, self.bits, self.stride)]

    def operators(self, text: str) -> list[str]:
        """Rectangles filling the dark modules, one per dark run within each byte of a row,
        in a coordinate system of one unit per module, the bottom row at 0."""
        data = self.matrix(text).to_bytes(self.bits // 8, "big")
        width = self.stride // 8
        ops = []
        for r, y in enumerate(self.row_y):
            line = " ".join(
                [
                    table[byte]
                    for table, byte in zip(self.byte_ops, data[r * width : (r + 1) * width], strict=True)
                    if byte
                ]
            )
            if line:
                ops.append(line.replace(" Y ", y))
        return ops


def _runs(value: int) -> list[tuple[int, int]]:
    """The runs of 1 bits in a byte, as (start, length) from its most significant bit."""
    runs, start = [], None
    for position in range(8):
        if value >> (7 - position) & 1:
            if start is None:
                start = position
        elif start is not None:
            runs.append((start, position - start))
            start = None
    if start is not None:
        runs.append((start, 8 - start))
    return runs


def _flips(cells: list[int], value: int) -> int:
    """The cells (one bit each, most significant first) that the bits of ``value`` set."""
    flips = 0
    for shift, cell in enumerate(reversed(cells)):
        if value >> shift & 1:
            flips |= cell
    return flips


_ALPHANUMERIC = {char: index for index, char in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")}


@functools.cache
def _gf_tables() -> tuple[list[int], list[int]]:
    exp, log = [0] * 512, [0] * 256
    value = 1
    for i in range(255):
        exp[i] = value
        log[value] = i
        value <<= 1
        if value & 0x100:
            value ^= 0x11D  # the QR code's field polynomial
    for i in range(255, 512):
        exp[i] = exp[i - 255]
    return exp, log


def _rs_table(degree: int) -> list[int]:
    """For each byte f, f × the generator polynomial ∏ (x − αⁱ) (its leading 1 dropped),
    packed in an integer of ``degree`` bytes: Reed-Solomon becomes one XOR per data byte."""
    exp, log = _gf_tables()
    poly = [1]
    for i in range(degree):
        nxt = [0] * (len(poly) + 1)
        for j, coefficient in enumerate(poly):
            nxt[j] ^= coefficient
            if coefficient:
                nxt[j + 1] ^= exp[log[coefficient] + i]
        poly = nxt
    logs = [log[coefficient] for coefficient in poly[1:]]
    table = [0]
    for factor in range(1, 256):
        table.append(int.from_bytes(bytes(exp[log[factor] + g] for g in logs), "big"))
    return table


def _rs_remainder(data: bytes, degree: int, table: list[int]) -> bytes:
    """The ``degree`` error-correction codewords of ``data`` (polynomial division remainder)."""
    shift, mask, remainder = 8 * (degree - 1), (1 << (8 * degree)) - 1, 0
    for byte in data:
        factor = (remainder >> shift) ^ byte
        remainder = ((remainder << 8) & mask) ^ table[factor]
    return remainder.to_bytes(degree, "big")


@functools.cache
def _qr_frame_for_length(length: int) -> _QrFrame:
    """The smallest QR version holding ``length`` alphanumeric characters at level M."""
    import qrcode
    from qrcode.util import MODE_ALPHA_NUM, QRData

    probe = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    probe.add_data(QRData("A" * length, mode=MODE_ALPHA_NUM))
    return _QrFrame(probe.best_fit(), QR_MASK)


def qr_modules(code: str) -> list[list[bool]]:
    """The QR matrix (no quiet zone) of a badge code: level M, mask ``QR_MASK``, the smallest
    version that holds it (6 for a 127-character code: 41 × 41 modules)."""
    return [[cell == "1" for cell in row] for row in _qr_frame_for_length(len(code)).rows(code)]


def _qr_operators(code: str, x: float, y: float, size: float) -> str:
    """PDF operators filling the dark modules of ``code``'s QR in the square (x, y, size): one
    path of rectangles (a run of dark modules within each byte of a row, looked up in a
    table), filled at once so abutting rectangles show no seam, in a coordinate system of
    one unit per module (exact, and short)."""
    frame = _qr_frame_for_length(len(code))
    unit = size / frame.size
    return "\n".join([f"q 0 g {unit:.5f} 0 0 {unit:.5f} {x:.3f} {y:.3f} cm", *frame.operators(code), "f Q"])


# --- Photos --------------------------------------------------------------------------------


def _photo_image(face: _Face, pixels: tuple[int, int]):
    """The holder's photo cut to the frame's proportions at about print resolution, ready for
    ``drawImage``, or None.

    Uploaded photos are JPEGs of at most 800 pixels (registrations.images): decoded at ¼
    scale (libjpeg does it while decoding, which is what makes this cheap), cut, and
    re-encoded small; only a bigger picture is also resampled."""
    if not face.photo_name:
        return None
    from PIL import Image, UnidentifiedImageError

    width, height = pixels
    key = f"{face.photo_name}@{width}x{height}"
    cached = _cut_photo_path(key)
    try:
        return _jpeg_reader()(cached.read_bytes(), key)
    except OSError:
        pass  # not cut yet
    try:
        with face.photo_storage.open(face.photo_name, "rb") as handle, Image.open(handle) as image:
            image.draft("RGB", pixels)
            image = image.convert("RGB")
            have_w, have_h = image.size
            if have_w * height > have_h * width:  # too wide: keep the middle
                cut = round(have_h * width / height)
                image = image.crop(((have_w - cut) // 2, 0, (have_w - cut) // 2 + cut, have_h))
            else:  # too tall: keep more of the top, where the face is
                cut = round(have_w * height / width)
                image = image.crop((0, (have_h - cut) // 4, have_w, (have_h - cut) // 4 + cut))
            if image.size[1] > 1.5 * height:
                image = image.resize(pixels, Image.Resampling.BILINEAR)
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=80)
    except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError):
        return None  # a missing or broken file: the initials stand in
    _keep_cut_photo(cached, out.getvalue())
    return _jpeg_reader()(out.getvalue(), key)


def _cut_photo_path(key: str) -> Path:
    """Where the cut photo of ``key`` (photo name @ pixels) is kept between PDFs. Uploaded
    photos get a new random name each time (registrations.images), so a name never points
    at other pixels and the name alone is the key."""
    digest = hashlib.sha256(key.encode()).hexdigest()
    return Path(settings.SOUK_PHOTO_CACHE_DIR) / digest[:2] / f"{digest}.jpg"


def _keep_cut_photo(path: Path, data: bytes) -> None:
    """Keep a cut photo for the next PDF (decoding and cutting is most of a photo's cost:
    ~4 ms, against ~0.1 ms to read it back). Best effort: a read-only disk only costs time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
        partial.write_bytes(data)
        partial.replace(path)
    except OSError:
        pass


@functools.cache
def _jpeg_reader():
    from reportlab.lib.utils import ImageReader

    class JpegReader(ImageReader):
        """A JPEG that reportlab embeds as it is. ``drawImage`` only hashes ``getRGBData()``
        to name the image (and share it between pages): a key naming the photo does that
        without decoding it."""

        def __init__(self, data: bytes, key: str):
            super().__init__(io.BytesIO(data))
            self._key = key.encode()

        def getRGBData(self):
            self._dataA = None
            return self._key

    return JpegReader


# --- Drawing one badge ---------------------------------------------------------------------


def _rgb(colour: str) -> str:
    """A fill colour operator for ``#rrggbb``."""
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return f"{red:.3f} {green:.3f} {blue:.3f} rg"


class _Painter:
    """Draws badges on a canvas whose origin is the card's bottom-left corner.

    Text is written as PDF operators the way reportlab documents for its TrueType fonts
    (``font.splitString`` and ``font.getSubsetInternalName``, see reportlab.pdfbase.ttfonts),
    each distinct string encoded once: ``drawString`` costs five times as much, and a badge
    has a dozen strings."""

    def __init__(self, canvas, fmt: _Format, heads: dict[int, _FairHead]):
        from reportlab.pdfbase.pdfmetrics import getFont

        self.c = canvas
        self.fmt = fmt
        self.heads = heads
        self.width = fmt.design_width
        self.rtl = translation.get_language_bidi()
        self.kind_labels = {kind: _kind_label(kind, self.rtl) for kind in BadgeKind.values}
        self.booth_label = _("Booth")
        self.forms: dict[tuple[int, str], str] = {}
        self.fonts = {name: getFont(name) for name in (pdf.FONT, pdf.FONT_BOLD)}
        self.encoded: dict[tuple[str, str], list[tuple[str, str]]] = {}

    def prepare(self, face: _Face) -> None:
        """Draw once, as a PDF form, what every badge of a fair and kind has: the two bands
        with the fair and the kind. Called between badges (a form is its own stream)."""
        key = (face.fair_id, face.kind)
        if key in self.forms:
            return
        name = f"band{face.fair_id}{face.kind}"
        c = self.c
        c.beginForm(name, 0, 0, self.width * MM, DESIGN_HEIGHT * MM)
        self._bands(face)
        c.endForm()
        self.forms[key] = name

    # coordinates: x in design mm from the left (mirrored for Arabic), y in design mm from the top
    def x(self, x: float, width: float = 0.0) -> float:
        return (self.width - x - width) if self.rtl else x

    def y(self, top: float) -> float:
        return (DESIGN_HEIGHT - top) * MM

    def _encoded(self, shaped: str, font: str) -> list[tuple[str, str]]:
        key = (shaped, font)
        runs = self.encoded.get(key)
        if runs is None:
            doc, face = self.c._doc, self.fonts[font]
            runs = self.encoded[key] = [
                (face.getSubsetInternalName(subset, doc), self.c._escape(chunk))
                for subset, chunk in face.splitString(shaped, doc)
            ]
        return runs

    def text(
        self,
        value: str,
        x: float,
        top: float,
        font: str,
        size: float,
        *,
        align: str = "start",
        colour: str = INK,
        spacing: float = 0.0,
    ) -> None:
        """One line whose baseline is ``top`` design mm from the top; ``x`` is the start edge
        (left, or right for Arabic) unless ``align`` is "centre" (then the middle).
        ``spacing``: extra points between letters."""
        shaped = _shaped(value)
        if align == "centre" or self.rtl:
            width = _width(value, font, size) * MM + spacing * max(len(shaped) - 1, 0)
            left = x * MM - width / 2 if align == "centre" else (self.width - x) * MM - width
        else:
            left = x * MM
        ops = [f"BT {_rgb(colour)} 1 0 0 1 {left:.2f} {self.y(top):.2f} Tm"]
        if spacing:
            ops.append(f"{spacing:.2f} Tc")
        ops.extend(f"{name} {size:.2f} Tf ({chunk}) Tj" for name, chunk in self._encoded(shaped, font))
        ops.append("0 Tc ET" if spacing else "ET")
        self.c.addLiteral(" ".join(ops))

    def block(
        self,
        value: str,
        x: float,
        top: float,
        width: float,
        font: str,
        sizes: tuple,
        lines: int,
        *,
        colour: str = INK,
        leading: float = 1.18,
        bottom: float | None = None,
    ) -> float:
        """Wrapped, shrunk-to-fit text from ``top``; returns where the next block starts.
        Lines that would pass ``bottom`` are left out."""
        size, wrapped = _fit(value, font, sizes[0], sizes[1], width, lines)
        size_mm = size / MM
        for line in wrapped:
            baseline = top + 0.78 * size_mm
            if bottom is not None and baseline + 0.2 * size_mm > bottom:
                break
            self.text(line, x, baseline, font, size, colour=colour)
            top += leading * size_mm
        return top

    def badge(self, face: _Face, photo) -> None:
        c = self.c
        c.saveState()
        if self.fmt.inset:
            c.translate(self.fmt.inset * MM, self.fmt.inset * MM)
            c.scale(self.fmt.scale, self.fmt.scale)
        c.doForm(self.forms[(face.fair_id, face.kind)])
        self._photo(face, photo)
        self._names(face)
        self._code(face)
        self._side(face)
        c.restoreState()

    def _bands(self, face: _Face) -> None:
        width = self.width
        colour = _rgb(KIND_COLOURS[face.kind])
        self.c.addLiteral(
            f"{colour} 0 {self.y(HEAD_H):.2f} {width * MM:.2f} {HEAD_H * MM:.2f} re "
            f"0 0 {width * MM:.2f} {FOOT_H * MM:.2f} re f"
        )
        centre = width / 2
        for text, font, size, baseline in _head_lines(self.heads[face.fair_id], width - 5, self.rtl):
            self.text(text, centre, baseline, font, size, align="centre", colour=WHITE)
        size, lines = _fit(self.kind_labels[face.kind], pdf.FONT_BOLD, 12, 6, width - 4, 1)
        baseline = DESIGN_HEIGHT - FOOT_H / 2 + 0.36 * size / MM
        self.text(lines[0], centre, baseline, pdf.FONT_BOLD, size, align="centre", colour=WHITE)

    def _photo(self, face: _Face, photo) -> None:
        c = self.c
        left, top = self.x(3.0, PHOTO_W), HEAD_H + 1.5
        x, y, w, h = left * MM, self.y(top + PHOTO_H), PHOTO_W * MM, PHOTO_H * MM
        if photo is not None:
            c.drawImage(photo, x, y, w, h)
        else:
            c.addLiteral(f"{_rgb(PLACEHOLDER)} {x:.2f} {y:.2f} {w:.2f} {h:.2f} re f")
            initials = _initials(face.name)
            size, _lines = _fit(initials, pdf.FONT_BOLD, 20, 8, PHOTO_W - 3, 1)
            self.text(
                initials,
                left + PHOTO_W / 2,
                top + PHOTO_H / 2 + 0.36 * size / MM,
                pdf.FONT_BOLD,
                size,
                align="centre",
                colour=PLACEHOLDER_INK,
            )
        c.addLiteral(f"q {_FRAME_STROKE} 0.4 w {x:.2f} {y:.2f} {w:.2f} {h:.2f} re S Q")

    def _names(self, face: _Face) -> None:
        """The holder's names, the one in the interface's script first and in bold, then the
        craft and cooperative (or organisation); what would not fit is left out, last first."""
        start = 3.0 + PHOTO_W + 2.5
        width = self.width - start - 3.0
        bottom = 39.3
        latin = (face.name, (9.5, 6.5), 1.18)
        arabic = (face.name_ar, (10.5, 7), 1.25)
        first, second = (arabic, latin) if self.rtl and face.name_ar else (latin, arabic)
        top = HEAD_H + 1.3
        for (text, sizes, leading), font, lines in ((first, pdf.FONT_BOLD, 3), (second, pdf.FONT, 2)):
            if text:
                top = (
                    self.block(text, start, top, width, font, sizes, lines, leading=leading, bottom=bottom)
                    + 0.3
                )
        top += 0.6
        for index, detail in enumerate(face.details):
            top = self.block(
                detail,
                start,
                top,
                width,
                pdf.FONT,
                (6.8, 5.5),
                2,
                colour=GREY if index == 0 else LIGHT,
                bottom=bottom,
            )

    def _code(self, face: _Face) -> None:
        left, top = self.x(3.5, QR_SIZE), 41.5
        self.c.addLiteral(_qr_operators(face.code, left * MM, self.y(top + QR_SIZE), QR_SIZE * MM))
        self.text(
            serial_groups(face.serial),
            left + QR_SIZE / 2,
            top + QR_SIZE + 4.0,
            pdf.FONT_BOLD,
            8.5,
            align="centre",
            spacing=0.6,
        )

    def _side(self, face: _Face) -> None:
        start = 3.5 + QR_SIZE + 2.5
        width = self.width - start - 3.0
        top = 42.0
        if face.booth:
            self.text(self.booth_label, start, top + 2.2, pdf.FONT, 6.5, colour=GREY)
            size, lines = _fit(face.booth, pdf.FONT_BOLD, 24, 9, width, 1)
            top += 3.5
            self.text(lines[0], start, top + 0.75 * size / MM, pdf.FONT_BOLD, size)
            top += 1.2 * size / MM
        elif face.role:
            top = self.block(face.role, start, top, width, pdf.FONT_BOLD, (10, 5.5), 3, bottom=70.0)
        if face.validity:
            self.block(
                face.validity,
                start,
                max(top + 1.0, 62.0),
                width,
                pdf.FONT,
                (6, 5),
                3,
                colour=GREY,
                bottom=73.0,
            )


@functools.lru_cache(maxsize=64)
def _head_lines(head: "_FairHead", room: float, rtl: bool) -> list[tuple[str, str, float, float]]:
    """The fair's name (one line, or two when one would be too small) and Arabic name — the
    interface's script first — and dates, centred in the top band: (text, font, size,
    baseline from the top in design mm)."""
    bold, regular = pdf.FONT_BOLD, pdf.FONT
    one_line = _width(head.name, bold, 6.5) <= room
    size, lines = _fit(head.name, bold, 8, 5.5, room, 1 if one_line else 2)
    rows = [(line, bold, size, 1.15) for line in lines]
    if head.name_ar:
        size, lines = _fit(head.name_ar, bold, 7.5, 5.5, room, 1)
        arabic = (lines[0], bold, size, 1.3)
        rows = [arabic, *rows] if rtl else [*rows, arabic]
    size, lines = _fit(head.dates, regular, 6, 4.5, room, 1)
    rows.append((lines[0], regular, size, 1.2))
    heights = [size / MM * leading for _text, _font, size, leading in rows]
    top = (HEAD_H - sum(heights)) / 2
    placed = []
    for (text, font, size, _leading), height in zip(rows, heights, strict=True):
        placed.append((text, font, size, top + 0.8 * size / MM + (height - size / MM) / 2))
        top += height
    return placed


def _kind_label(kind: str, rtl: bool) -> str:
    """The kind in the interface language, in capitals, with its Arabic name beside it when
    the interface is not Arabic (and there is a translation)."""
    label = str(BadgeKind(kind).label).upper()
    if rtl:
        return label
    with translation.override("ar"):
        arabic = str(BadgeKind(kind).label)
    return f"{label} · {arabic}" if pdf.has_arabic(arabic) else label


# --- Pages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Slot:
    """Where a card lies on a sheet (mm, as it lies) and the free space round it."""

    x: float
    y: float
    w: float
    h: float
    room: tuple[float, float, float, float]  # left, right, below, above


def _sheet_slots(fmt: _Format) -> list[_Slot]:
    """The sheet's card places from the top left, row by row."""
    w, h = (fmt.card_h, fmt.card_w) if fmt.turned else (fmt.card_w, fmt.card_h)
    margin_x = (A4_MM[0] - fmt.columns * w - (fmt.columns - 1) * fmt.gap_x) / 2
    margin_y = (A4_MM[1] - fmt.rows * h - (fmt.rows - 1) * fmt.gap_y) / 2
    slots = []
    for row in range(fmt.rows):
        y = margin_y + (fmt.rows - 1 - row) * (h + fmt.gap_y)
        for col in range(fmt.columns):
            room = (
                fmt.gap_x if col > 0 else margin_x,
                fmt.gap_x if col < fmt.columns - 1 else margin_x,
                fmt.gap_y if row < fmt.rows - 1 else margin_y,
                fmt.gap_y if row > 0 else margin_y,
            )
            slots.append(_Slot(margin_x + col * (w + fmt.gap_x), y, w, h, room))
    return slots


def _crop_marks(canvas, slots: list[_Slot]) -> None:
    """Marks at every corner of every card, along the lines of its edges.

    Where there is room round a card (CR80 gutters and margins) the marks stay in it, 0.5 mm
    clear of the card, never reaching the next one. Cards laid edge to edge (A6) share their
    cut lines: the marks run along those lines, across the badges' white margin only."""
    canvas.saveState()
    canvas.setLineWidth(0.25)
    canvas.setStrokeColorRGB(0, 0, 0)
    path = canvas.beginPath()

    def tick(x0, y0, x1, y1):
        path.moveTo(x0 * MM, y0 * MM)
        path.lineTo(x1 * MM, y1 * MM)

    for slot in slots:
        left, right, below, above = slot.room
        for cx, side, room_x in ((slot.x, -1, left), (slot.x + slot.w, 1, right)):
            for cy, up, room_y in ((slot.y, -1, below), (slot.y + slot.h, 1, above)):
                for room, horizontal in ((room_x, True), (room_y, False)):
                    if room > 0.5:
                        start, end = 0.5, min(5.0, room - 0.5)
                    else:  # edge to edge: along the shared cut line, both ways
                        start, end = -(A6_MARGIN - 0.5), A6_MARGIN - 0.5
                    if horizontal:
                        tick(cx + side * start, cy, cx + side * end, cy)
                    else:
                        tick(cx, cy + up * start, cx, cy + up * end)
    canvas.drawPath(path, stroke=1, fill=0)
    canvas.restoreState()


# --- The document --------------------------------------------------------------------------

_binary_lock = threading.Lock()
_binary_users = 0
_binary_saved = None


@contextlib.contextmanager
def _binary_streams():
    """Write the PDF's streams as binary, not ASCII85 (reportlab's default, a global setting).

    ASCII85 makes a file a quarter bigger for no use today, and without reportlab's optional
    C accelerator it is the slowest step of all: more than a second per hundred photos. Each
    stream picks its filters once, so a document rendered meanwhile in another thread stays
    valid whichever setting it sees; the setting is put back when the last render ends."""
    global _binary_users, _binary_saved
    from reportlab import rl_config

    with _binary_lock:
        if _binary_users == 0:
            _binary_saved = rl_config.useA85
            rl_config.useA85 = 0
        _binary_users += 1
    try:
        yield
    finally:
        with _binary_lock:
            _binary_users -= 1
            if _binary_users == 0:
                rl_config.useA85 = _binary_saved


def badges_pdf(
    badges: QuerySet | Iterable[Badge],
    *,
    layout: str = "card",
    card_format: str | None = None,
    progress: Progress | None = None,
) -> bytes:
    """The PDF of ``badges``: one badge a page at card size (``layout="card"``), or A4 sheets
    with crop marks (``layout="sheet"``: CR80 10 a page, A6 4 a page).

    ``badges`` is a queryset or a list of Badge; they are (re)loaded with everything printed
    in one query and keep their order. Revoked badges are left out; ``BadgeError`` with code
    ``nothing_to_print`` when none is left. ``card_format`` (a ``CardFormat`` value) defaults
    to the first badge's fair's setting. ``progress(done, total)`` is called as badges are
    drawn (about a hundred times for a big batch). Labels follow the active language.
    """
    if layout not in LAYOUTS:
        raise BadgeError(code="layout_invalid", field="layout", message=_("Choose cards or A4 sheets."))
    if card_format is not None and card_format not in CardFormat.values:
        raise BadgeError(code="card_format_invalid", field="card_format", message=_("Unknown badge format."))
    loaded = printable_badges(badges)
    if not loaded:
        raise BadgeError(code="nothing_to_print", message=_("There is no valid badge to print."))

    pdf.register_fonts()
    setups, heads = {}, {}
    for badge in loaded:
        if badge.fair_id not in setups:
            fair = badge.fair
            try:
                setups[fair.pk] = fair.badge_setup
            except BadgeSetup.DoesNotExist:
                setups[fair.pk] = setup_for(fair)
            heads[fair.pk] = _FairHead(fair.name, fair.name_ar, _dates(fair.starts_on, fair.ends_on))
    fmt = FORMATS[card_format or setups[loaded[0].fair_id].card_format]
    faces = [_face(badge, setups[badge.fair_id]) for badge in loaded]

    with _binary_streams():
        return _render(loaded, faces, heads, fmt, layout, progress)


def _render(loaded, faces, heads, fmt: _Format, layout: str, progress: Progress | None) -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    total = len(faces)
    first = loaded[0].fair
    buffer = io.BytesIO()
    sheet = A4_MM if layout == "sheet" else (fmt.card_w, fmt.card_h)
    pagesize = (sheet[0] * MM, sheet[1] * MM)
    canvas = Canvas(buffer, pagesize=pagesize, pageCompression=1, lang=translation.get_language() or None)
    canvas.setTitle(_("Badges — %(fair)s") % {"fair": first.name} if total > 1 else loaded[0].name)
    canvas.setSubject(first.name)
    canvas.setCreator("Souk")
    painter = _Painter(canvas, fmt, heads)
    photo_height = min(PHOTO_MAX_PX, round(PHOTO_H * fmt.scale / 25.4 * PHOTO_DPI))
    photo_px = (round(photo_height * PHOTO_W / PHOTO_H), photo_height)
    step = max(1, total // 100)
    slots = _sheet_slots(fmt)
    if progress:
        progress(0, total)
    on_page = []
    for index, face in enumerate(faces):
        photo = _photo_image(face, photo_px) if face.photo_name else None
        painter.prepare(face)
        if layout == "card":
            painter.badge(face, photo)
            canvas.showPage()
        else:
            slot = slots[index % fmt.per_sheet]
            on_page.append(slot)
            canvas.saveState()
            if fmt.turned:  # the card's top towards the sheet's left edge
                canvas.translate((slot.x + slot.w) * MM, slot.y * MM)
                canvas.rotate(90)
            else:
                canvas.translate(slot.x * MM, slot.y * MM)
            painter.badge(face, photo)
            canvas.restoreState()
            if len(on_page) == fmt.per_sheet or index == total - 1:
                _crop_marks(canvas, on_page)
                canvas.showPage()
                on_page = []
        done = index + 1
        if progress and (done % step == 0 or done == total):
            progress(done, total)
    canvas.save()
    return buffer.getvalue()


def fair_badges_pdf(
    fair, *, layout: str = "card", card_format: str | None = None, progress: Progress | None = None
) -> bytes:
    """Every valid badge of ``fair`` in one PDF (kind, then name): see ``badges_pdf``."""
    return badges_pdf(fair_badges(fair), layout=layout, card_format=card_format, progress=progress)


def badges_filename(fair, layout: str = "card", kind: str = "") -> str:
    """A download name such as ``badges-foire-settat-2026-press-sheets.pdf``."""
    parts = ["badges", fair.slug or str(fair.pk), kind, "sheets" if layout == "sheet" else ""]
    return "-".join(part for part in parts if part) + ".pdf"
