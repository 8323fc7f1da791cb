"""Badge PDFs: what is printed matches the database, revoked badges are never printed, the
query count does not grow with the badges, and — the point of it all — the QR code on a
rendered page reads back to a code the gate accepts."""

import base64
import io
import math
import secrets
import unicodedata

import pypdfium2
import pytest
import qrcode
import zxingcpp
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from PIL import Image
from pypdf import PdfReader
from qrcode.util import MODE_ALPHA_NUM, QRData

from badges import codec, services
from badges.models import Badge, BadgeKind, CardFormat, CheckInResult
from badges.pdf import QR_MASK, badges_pdf, fair_badges_pdf, qr_modules, serial_groups
from booths.models import Assignment
from core import pdf as core_pdf
from registrations.models import ApplicationStatus
from tests.factories import ApplicationFactory, ArtisanFactory, BoothFactory, ZoneFactory
from tests.pdf_text import ARABIC_NAME, pages_text


@pytest.fixture(autouse=True)
def _english(settings, tmp_path):
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def exhibitor(running_fair):
    """A confirmed exhibitor with an Arabic name, a cooperative-free profile and a booth."""
    first, last = ARABIC_NAME.rsplit(" ", 1)
    artisan = ArtisanFactory(
        first_name="Fatima Zahra", last_name="Bennani", first_name_ar=first, last_name_ar=last
    )
    application = ApplicationFactory(fair=running_fair, artisan=artisan, status=ApplicationStatus.CONFIRMED)
    zone = ZoneFactory(fair=running_fair)
    booth = BoothFactory(zone=zone, fair=running_fair, code="C-117")
    Assignment.objects.create(booth=booth, application=application, fair=running_fair, method="manual")
    return application


@pytest.fixture
def issued(running_fair, exhibitor, staff_user):
    """Badges of the fair's four exhibitors (three from the fixture, one with a booth)."""
    services.badges_issue_for_fair(fair=running_fair, actor=staff_user)
    return list(Badge.objects.filter(fair=running_fair).order_by("pk"))


def exhibitor_badge(issued, exhibitor):
    return next(badge for badge in issued if badge.application_id == exhibitor.pk)


def words_of(text: str) -> list[str]:
    return unicodedata.normalize("NFKC", text).split()


def render(data: bytes, page: int = 0, dpi: int = 200) -> Image.Image:
    document = pypdfium2.PdfDocument(data)
    try:
        return document[page].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        document.close()


def read_qr(image: Image.Image) -> str:
    found = [
        result for result in zxingcpp.read_barcodes(image) if result.format == zxingcpp.BarcodeFormat.QRCode
    ]
    assert len(found) == 1, f"expected one QR code on the page, found {len(found)}"
    return found[0].text


# --- What is printed ---------------------------------------------------------------------


def test_card_prints_the_badge_as_the_database_has_it(running_fair, issued, exhibitor):
    badge = exhibitor_badge(issued, exhibitor)
    data = badges_pdf([badge])
    pages = pages_text(data)
    assert len(pages) == 1
    text = pages[0]
    for word in words_of(badge.name) + words_of(badge.name_ar) + words_of(running_fair.name):
        assert word in text
    assert set(words_of(ARABIC_NAME)) <= set(text.split())
    assert "C-117" in text
    assert serial_groups(badge.serial) in text
    assert badge.serial[:4] + " " + badge.serial[4:] in text
    assert exhibitor.artisan.main_craft.name in text
    assert "EXHIBITOR" in text


def test_every_badge_of_a_fair_gets_a_card_page_in_order(running_fair, issued):
    data = fair_badges_pdf(running_fair)
    pages = pages_text(data)
    printed = sorted(issued, key=lambda badge: (badge.kind, badge.name, badge.pk))
    assert len(pages) == len(printed) == 4
    for page, badge in zip(pages, printed, strict=True):
        assert serial_groups(badge.serial) in page


@pytest.mark.parametrize(
    ("card_format", "size_mm"), [(CardFormat.CR80, (54, 85.6)), (CardFormat.A6, (105, 148))]
)
def test_card_pages_have_the_card_size(issued, card_format, size_mm):
    reader = PdfReader(io.BytesIO(badges_pdf(issued[:1], card_format=card_format)))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72, 1), round(float(box.height) * 25.4 / 72, 1)) == size_mm


def test_the_fair_chooses_the_card_format(running_fair, issued):
    setup = services.setup_for(running_fair)
    setup.card_format = CardFormat.A6
    setup.save(update_fields=["card_format"])
    box = PdfReader(io.BytesIO(badges_pdf(issued[:1]))).pages[0].mediabox
    assert round(float(box.width) * 25.4 / 72) == 105


def test_staff_and_press_badges_show_role_and_organisation(running_fair):
    badge = services.badge_create(
        fair=running_fair, actor=None, kind=BadgeKind.PRESS, name="Karim Tazi", name_ar="كريم التازي",
        organisation="Le Matin", role_label="photographer",
    )  # fmt: skip
    text = pages_text(badges_pdf([badge]))[0]
    for word in ["Karim", "Tazi", "Le", "Matin", "photographer", "PRESS", "كريم", "التازي"]:
        assert word in text
    assert "Booth" not in text


@pytest.mark.parametrize(("card_format", "per_sheet"), [(CardFormat.CR80, 10), (CardFormat.A6, 4)])
def test_sheets_hold_ten_cards_or_four_a6(running_fair, issued, card_format, per_sheet):
    rows = [(n, {"kind": BadgeKind.VISITOR, "name": f"Visitor {n}"}) for n in range(1, 8)]
    services.badges_import(fair=running_fair, rows=rows, actor=None)
    badges = Badge.objects.filter(fair=running_fair)
    assert badges.count() == 11
    data = badges_pdf(badges, layout="sheet", card_format=card_format)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == math.ceil(11 / per_sheet)
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)
    printed = "\n".join(pages_text(data))
    for badge in badges:
        assert serial_groups(badge.serial) in printed


def test_a_photo_is_printed_and_without_one_the_initials(running_fair, issued, exhibitor):
    photo = io.BytesIO()
    Image.new("RGB", (600, 800), (180, 120, 90)).save(photo, format="JPEG")
    artisan = exhibitor.artisan
    artisan.photo.save("face.jpg", ContentFile(photo.getvalue()))
    badge = exhibitor_badge(issued, exhibitor)
    with_photo = PdfReader(io.BytesIO(badges_pdf([badge]))).pages[0]
    assert len(with_photo.images) == 1
    other = next(b for b in issued if b.pk != badge.pk)
    without = PdfReader(io.BytesIO(badges_pdf([other]))).pages[0]
    assert len(without.images) == 0
    initials = "".join(word[0] for word in (other.name.split()[0], other.name.split()[-1])).upper()
    assert initials in without.extract_text()


def test_a_cut_photo_is_kept_for_the_next_pdf(settings, running_fair, issued, exhibitor):
    photo = io.BytesIO()
    Image.new("RGB", (600, 800), (180, 120, 90)).save(photo, format="JPEG")
    exhibitor.artisan.photo.save("face.jpg", ContentFile(photo.getvalue()))
    badge = exhibitor_badge(issued, exhibitor)
    first = PdfReader(io.BytesIO(badges_pdf([badge]))).pages[0].images[0].data
    kept = list(settings.SOUK_PHOTO_CACHE_DIR.rglob("*.jpg"))
    assert len(kept) == 1 and kept[0].read_bytes() == first  # the JPEG embedded as it was cut
    exhibitor.artisan.photo.storage.delete(exhibitor.artisan.photo.name)  # only the kept cut is left
    again = PdfReader(io.BytesIO(badges_pdf([badge]))).pages[0].images
    assert [image.data for image in again] == [first]
    sheets = PdfReader(io.BytesIO(badges_pdf([badge], card_format="a6"))).pages[0].images
    assert len(sheets) == 0  # another size is cut from the photo, which is gone: initials
    assert len(list(settings.SOUK_PHOTO_CACHE_DIR.rglob("*.jpg"))) == 1


def test_a_missing_photo_file_falls_back_to_initials(issued, exhibitor):
    artisan = exhibitor.artisan
    artisan.photo.name = "artisans/gone.jpg"
    artisan.save(update_fields=["photo"])
    page = PdfReader(io.BytesIO(badges_pdf([exhibitor_badge(issued, exhibitor)]))).pages[0]
    assert len(page.images) == 0
    assert "FB" in page.extract_text()


# --- Revoked badges ----------------------------------------------------------------------


def test_revoked_badges_are_left_out(running_fair, issued, staff_user):
    revoked = services.badge_revoke(badge=issued[0], actor=staff_user, reason="lost")
    data = fair_badges_pdf(running_fair)
    printed = "\n".join(pages_text(data))
    assert len(PdfReader(io.BytesIO(data)).pages) == 3
    assert serial_groups(revoked.serial) not in printed
    # Handed over by hand too, it is still not printed.
    assert len(pages_text(badges_pdf(issued))) == 3


def test_nothing_to_print_is_an_error_with_a_code(issued, staff_user):
    services.badge_revoke(badge=issued[0], actor=staff_user, reason="lost")
    with pytest.raises(services.BadgeError) as error:
        badges_pdf([issued[0]])
    assert error.value.code == "nothing_to_print"
    with pytest.raises(services.BadgeError) as error:
        badges_pdf(Badge.objects.none())
    assert error.value.code == "nothing_to_print"


@pytest.mark.parametrize(("options", "code"), [({"layout": "poster"}, "layout_invalid"),
                                               ({"card_format": "a4"}, "card_format_invalid")])  # fmt: skip
def test_unknown_layout_or_format_is_refused(issued, options, code):
    with pytest.raises(services.BadgeError) as error:
        badges_pdf(issued, **options)
    assert error.value.code == code


# --- Queries and progress ----------------------------------------------------------------


def test_queries_do_not_grow_with_the_badges(running_fair, issued, exhibitor):
    photo = io.BytesIO()
    Image.new("RGB", (300, 400), (90, 120, 180)).save(photo, format="JPEG")
    exhibitor.artisan.photo.save("p.jpg", ContentFile(photo.getvalue()))
    for _ in range(4):
        ApplicationFactory(fair=running_fair, status=ApplicationStatus.CONFIRMED)
    services.badges_issue_for_fair(fair=running_fair, actor=None)
    all_badges = list(Badge.objects.filter(fair=running_fair).order_by("pk"))
    assert len(all_badges) == 8
    counts = []
    for badges in (all_badges[:1], all_badges[:8]):
        handed = [Badge.objects.get(pk=badge.pk) for badge in badges]  # plain rows, nothing loaded
        with CaptureQueriesContext(connection) as queries:
            badges_pdf(handed)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 2
    with CaptureQueriesContext(connection) as queries:
        fair_badges_pdf(running_fair, layout="sheet")
    assert len(queries) <= 2


def test_progress_is_reported_up_to_the_total(running_fair, issued):
    calls = []
    fair_badges_pdf(running_fair, progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 4)
    assert calls[-1] == (4, 4)
    assert [done for done, _total in calls] == sorted(done for done, _total in calls)


# --- The QR code -------------------------------------------------------------------------


def test_the_fast_qr_encoder_matches_qrcode():
    """badges.pdf places codewords itself (speed); the matrix must be qrcode's, module for module."""
    for _ in range(25):
        code = base64.b32encode(secrets.token_bytes(79)).decode().rstrip("=")
        reference = qrcode.QRCode(
            error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, mask_pattern=QR_MASK
        )
        reference.add_data(QRData(code, mode=MODE_ALPHA_NUM))
        reference.make(fit=True)
        assert qr_modules(code) == reference.modules


@pytest.mark.parametrize("layout", ["card", "sheet"])
@pytest.mark.parametrize("card_format", [CardFormat.CR80, CardFormat.A6])
def test_printed_qr_reads_back_to_a_code_the_gate_accepts(
    running_fair, issued, exhibitor, scanner_user, layout, card_format
):
    badge = exhibitor_badge(issued, exhibitor)
    data = badges_pdf([badge], layout=layout, card_format=card_format)
    text = read_qr(render(data, dpi=150 if layout == "sheet" else 200))
    assert text == services.badge_code(badge)
    payload = codec.decode(text, services.public_key(running_fair.pk))
    assert (payload.serial, payload.fair_id, payload.kind) == (badge.serial, running_fair.pk, "exhibitor")
    answer = services.check_in(
        fair=running_fair, code=text, gate="A", direction="in", nonce=f"pdf-{layout}", scanner=scanner_user
    )
    assert answer.result == CheckInResult.OK
    assert answer.badge == badge


def test_every_qr_on_a_sheet_reads_back(running_fair, issued):
    data = fair_badges_pdf(running_fair, layout="sheet")
    image = render(data, dpi=200)
    found = {result.text for result in zxingcpp.read_barcodes(image)}
    assert found == {services.badge_code(badge) for badge in issued}


def test_printed_qr_is_at_least_28_mm_on_a_cr80_card(issued):
    image = render(badges_pdf(issued[:1], card_format=CardFormat.CR80), dpi=300)
    result = zxingcpp.read_barcodes(image)[0]
    xs = [result.position.top_left.x, result.position.top_right.x]
    width_mm = (max(xs) - min(xs)) / 300 * 25.4
    assert width_mm >= 27.0  # the decoder's corners sit on the finder patterns' centres' edges


def test_arabic_interface_mirrors_the_card_and_the_code_still_reads(
    running_fair, issued, exhibitor, scanner_user
):
    badge = exhibitor_badge(issued, exhibitor)
    with translation.override("ar"):
        data = badges_pdf([badge])
    text = pages_text(data)[0]
    assert set(words_of(ARABIC_NAME)) <= set(text.split())
    assert "C-117" in text
    assert serial_groups(badge.serial) in text
    image = render(data)
    code = read_qr(image)
    corners = zxingcpp.read_barcodes(image)[0].position
    centre = (corners.top_left.x + corners.top_right.x + corners.bottom_left.x + corners.bottom_right.x) / 4
    assert centre > image.width / 2  # mirrored: the code sits on the right
    answer = services.check_in(
        fair=running_fair, code=code, gate="B", direction="in", nonce="pdf-ar", scanner=scanner_user
    )
    assert answer.result == CheckInResult.OK


def test_arabic_names_use_only_glyphs_the_font_has():
    """Abdellah (عبد الله) is a common name: the ﷲ ligature, which DejaVu Sans lacks, must not be used."""
    from reportlab.pdfbase.ttfonts import TTFont

    glyphs = TTFont("check", str(core_pdf.FONTS_DIR / "DejaVuSans.ttf")).face.charToGlyph
    for name in ["عبد الله العلوي", ARABIC_NAME, "عبد القادر الحارثي"]:
        missing = [char for char in core_pdf.shape(name) if char != " " and ord(char) not in glyphs]
        assert not missing, (name, missing)
