"""The PDF toolkit: shaping, fonts, page frame, tables; and the fair programme built on it.

How the Arabic checks read a PDF: reportlab writes shaped Arabic as presentation forms in
visual (left-to-right) order. pypdf's text extraction turns right-to-left runs back into
logical order, so after NFKC (presentation forms → plain letters) an Arabic name comes out
exactly as typed. Only the position of digits inside a mixed Latin/Arabic line stays visual,
so the tests compare whole names, never mixed lines with numbers.
"""

import datetime as dt
import io
import unicodedata

import pytest
from django.utils import translation
from pypdf import PdfReader

from core import pdf
from fairs.models import Fair
from fairs.pdf import render_fair_programme
from tests.factories import FairFactory, VenueFactory
from tests.pdf_text import ARABIC_NAME, pages_text

LATIN_NAME = "Youssef El Amrani"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_shape_leaves_latin_text_alone():
    assert pdf.shape(LATIN_NAME) == LATIN_NAME
    assert pdf.shape("Foire 2025 — Settat") == "Foire 2025 — Settat"


def test_shape_of_nothing_is_empty():
    assert pdf.shape(None) == ""
    assert pdf.shape("") == ""


def test_shape_joins_arabic_and_puts_it_in_visual_order():
    shaped = pdf.shape(ARABIC_NAME)

    assert shaped != ARABIC_NAME
    # Every letter became a contextual presentation form (U+FB50–U+FEFF)...
    assert all("\ufb50" <= ch <= "\ufeff" for ch in shaped if ch != " ")
    # ...laid out left to right: reversed and normalised, it is the name again.
    assert unicodedata.normalize("NFKC", shaped[::-1]) == ARABIC_NAME


def test_shape_keeps_latin_words_readable_in_a_mixed_string():
    shaped = pdf.shape("Mme " + ARABIC_NAME)

    assert shaped.startswith("Mme ")
    assert unicodedata.normalize("NFKC", shaped[len("Mme ") :][::-1]) == ARABIC_NAME


def test_pdf_holds_arabic_and_latin_names_in_the_bundled_font():
    sheet = pdf.styles(rtl=False)
    data = pdf.build_pdf(
        [pdf.para(ARABIC_NAME, sheet["body"]), pdf.para(LATIN_NAME, sheet["body"])],
        title="Artisans",
    )

    text = pages_text(data)[0]
    assert ARABIC_NAME in text  # logical order: see the module docstring
    assert LATIN_NAME in text
    assert b"DejaVuSans" in data  # the bundled font is embedded, not a base-14 font


def test_arabic_text_escapes_markup_characters():
    sheet = pdf.styles(rtl=True)
    data = pdf.build_pdf([pdf.para("Ben & Fils <" + ARABIC_NAME + ">", sheet["body"])], title="T", rtl=True)

    assert ARABIC_NAME in pages_text(data)[0]
    assert "Ben & Fils" in pages_text(data)[0]


@pytest.mark.parametrize("rtl", [False, True])
def test_wrapped_arabic_paragraph_starts_on_its_first_line(rtl):
    # Reordering a whole paragraph before wrapping would put its last words on the first line.
    sentence = "هذه فقرة طويلة باللغة العربية تحتوي على كلمات كثيرة لكي نرى كيف يتم تقسيم السطور في عمود ضيق"
    data = pdf.build_pdf([pdf.table([[sentence]], ["25%"], header=False, rtl=rtl)], title="T", rtl=rtl)

    lines = [line.strip() for line in pages_text(data)[0].splitlines()]
    body = lines[
        lines.index("T") + 1 : next(i for i, line in enumerate(lines) if line.startswith("Generated"))
    ]
    assert len(body[0].split()) < len(sentence.split())  # it did wrap
    assert " ".join(body) == sentence


def test_long_table_runs_over_pages_with_page_x_of_y_and_repeated_header():
    rows = [["Name", "Province"]] + [[f"Artisan {n}", "Settat"] for n in range(200)]
    data = pdf.build_pdf([pdf.table(rows, ["60%", "40%"])], title="Long list", subtitle="Settat")

    texts = pages_text(data)
    total = len(texts)
    assert total >= 3
    assert f"Page 1 of {total}" in texts[0]
    assert f"Page {total} of {total}" in texts[-1]
    assert "Artisan 199" in texts[-1]
    assert all("Name" in text and "Long list" in text for text in texts)


def test_landscape_turns_the_page():
    data = pdf.build_pdf([], title="T", landscape=True)

    box = PdfReader(io.BytesIO(data)).pages[0].mediabox
    assert box.width > box.height


@pytest.mark.parametrize("rtl", [False, True])
def test_fair_programme_lists_every_fair(db, rtl):
    medina = VenueFactory(name="Ancienne médina de Casablanca")
    fairs = [
        FairFactory(name="Foire de la poterie", venue=medina, status=Fair.Status.OPEN),
        FairFactory(
            name="Salon du zellige",
            name_ar="معرض الزليج البلدي",
            scope=Fair.Scope.REGIONAL,
            starts_on=dt.date(2025, 5, 10),
            ends_on=dt.date(2025, 5, 18),
        ),
        FairFactory(
            name="Maison & Objet",
            scope=Fair.Scope.INTERNATIONAL,
            role=Fair.Role.PARTICIPANT,
            venue=None,
            city="Paris",
            country="FR",
        ),
    ]

    data = render_fair_programme(
        Fair.objects.select_related("venue").filter(pk__in=[f.pk for f in fairs]),
        title="Programme",
        rtl=rtl,
    )

    texts = pages_text(data)
    text = " ".join(" ".join(texts).split())  # cells wrap: compare with whitespace collapsed
    assert len(texts) == 1
    for name in ("Foire de la poterie", "Salon du zellige", "معرض الزليج البلدي", "Maison & Objet"):
        assert name in text
    for label in ("Ancienne médina de Casablanca", "Paris, France", "international", "open for applications"):
        assert label in text
    assert "Page 1 of 1" in text


def test_empty_fair_programme_says_so(db):
    data = render_fair_programme(Fair.objects.none(), title="Programme", rtl=False)

    assert "No fairs to show." in pages_text(data)[0]
