"""Attestations of participation: who gets one, the PDF (names, code, QR), the public
verification page and its API, the artisan's list."""

import datetime as dt
import uuid

import pypdfium2
import pytest
import zxingcpp
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st

from badges.models import Badge, BadgeKind, CheckIn, CheckInResult, Direction
from booths.models import Assignment
from core.demo import at
from core.models import AuditEntry
from fairs.models import Fair
from registrations.models import ApplicationStatus
from reports import services
from reports.models import CODE_ALPHABET, CODE_LENGTH, Attestation, code_groups, normalize_code
from tests.factories import (
    ApplicationFactory,
    ArtisanFactory,
    BoothFactory,
    FairFactory,
    UserFactory,
    ZoneFactory,
)
from tests.pdf_text import ARABIC_NAME, pages_text

CONFIRMED = ApplicationStatus.CONFIRMED


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def past_fair(**kwargs) -> Fair:
    """A three-day fair that closed ten days ago."""
    today = timezone.localdate()
    starts = today - dt.timedelta(days=12)
    defaults = {
        "status": Fair.Status.CLOSED,
        "starts_on": starts,
        "ends_on": starts + dt.timedelta(days=2),
        "applications_open_at": timezone.now() - dt.timedelta(days=90),
        "applications_close_at": timezone.now() - dt.timedelta(days=60),
        "name": "Foire provinciale de l'artisanat de Settat",
        "name_ar": "المعرض الإقليمي للصناعة التقليدية بسطات",
    }
    return FairFactory(**{**defaults, **kwargs})


def exhibitor(fair, *, user=True, **artisan):
    account = UserFactory() if user else None
    return ApplicationFactory(fair=fair, status=CONFIRMED, artisan=ArtisanFactory(user=account, **artisan))


def badge_of(application) -> Badge:
    fair = application.fair
    return Badge.objects.create(
        fair=fair,
        kind=BadgeKind.EXHIBITOR,
        serial=uuid.uuid4().hex[:8].upper(),
        application=application,
        name=application.artisan.full_name,
        valid_from=fair.starts_on,
        valid_until=fair.ends_on,
    )


def enter(badge: Badge, day: dt.date, hour: int = 9, result=CheckInResult.OK) -> None:
    CheckIn.objects.create(
        fair=badge.fair, badge=badge, gate="A", direction=Direction.IN, result=result,
        origin="user:1", nonce=uuid.uuid4().hex, scanned_at=at(day, hour),
    )  # fmt: skip


@pytest.fixture
def fair(db):
    return past_fair()


@pytest.fixture
def mine(fair):
    """Fatima Zahra, present on the first and the third day (twice on the first), booth A07."""
    application = exhibitor(
        fair,
        first_name="Fatima Zahra",
        last_name="Bennani",
        first_name_ar="فاطمة الزهراء",
        last_name_ar="بناني",
    )
    booth = BoothFactory(zone=ZoneFactory(fair=fair), code="A07")
    Assignment.objects.create(booth=booth, application=application, fair=fair, method="manual")
    badge = badge_of(application)
    enter(badge, fair.starts_on, 9)
    enter(badge, fair.starts_on, 14)
    enter(badge, fair.ends_on, 11)
    enter(badge, fair.starts_on + dt.timedelta(days=1), 9, result=CheckInResult.REVOKED)  # refused: not a day
    return application


@pytest.fixture
def theirs(fair):
    application = exhibitor(fair, first_name="Rachid", last_name="Alaoui")
    enter(badge_of(application), fair.starts_on)
    return application


@pytest.fixture
def absent(fair):
    """Confirmed, badged, never scanned in, at a fair that kept check-ins."""
    application = exhibitor(fair, first_name="Said", last_name="Absent")
    badge_of(application)
    return application


def login(client, application):
    client.force_login(application.artisan.user)
    return client


def pdf_url(application, **query):
    url = reverse("reports:my_attestation_pdf", args=[application.pk])
    return f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else url


# --- Who gets one ------------------------------------------------------------------------------


def test_an_artisan_downloads_their_own_attestation_once_made(client, mine, theirs):
    login(client, mine)
    response = client.get(pdf_url(mine))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    attestation = Attestation.objects.get(application=mine)
    assert attestation.days_present == 2  # two days with an accepted entry, the refused scan not counted
    assert AuditEntry.objects.filter(action="attestation.issue", object_id=str(attestation.pk)).count() == 1
    again = client.get(pdf_url(mine))
    assert again.status_code == 200
    assert Attestation.objects.filter(application=mine).count() == 1
    assert Attestation.objects.get(application=mine).code == attestation.code
    assert AuditEntry.objects.filter(action="attestation.issue").count() == 1


def test_another_artisans_attestation_is_not_found(client, mine, theirs):
    login(client, mine)
    assert client.get(pdf_url(theirs)).status_code == 404
    assert not Attestation.objects.exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client, mine):
    response = client.get(pdf_url(mine))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_fair_not_attended_is_refused_with_a_clear_message(client, absent, theirs):
    login(client, absent)
    response = client.get(pdf_url(absent))
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:my_attestations")
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == "An attestation is given for a fair that is over and that you attended."
    assert not Attestation.objects.exists()
    page = client.get(response["Location"])
    assert "No entry was recorded for you at these fairs" in page.content.decode()


def test_a_fair_not_over_is_refused(client, db):
    today = timezone.localdate()
    running = past_fair(status=Fair.Status.RUNNING, starts_on=today - dt.timedelta(days=1), ends_on=today)
    application = exhibitor(running)
    enter(badge_of(application), today)
    login(client, application)
    response = client.get(pdf_url(application), follow=True)
    assert "An attestation is given for a fair that is over" in response.content.decode()
    assert not Attestation.objects.exists()
    with pytest.raises(services.ReportError) as refused:
        services.attestation_for(application=application)
    assert refused.value.code == "not_attended"


def test_a_withdrawn_application_gets_no_attestation(fair):
    application = exhibitor(fair)
    enter(badge_of(application), fair.starts_on)
    application.status = ApplicationStatus.WITHDRAWN
    application.save(update_fields=["status"])
    with pytest.raises(services.ReportError):
        services.attestation_for(application=application)


def test_an_exhibition_without_check_ins_attests_without_days_present(db):
    abroad = past_fair(
        scope=Fair.Scope.INTERNATIONAL, role=Fair.Role.PARTICIPANT, venue=None, city="Milan", country="IT"
    )
    application = exhibitor(abroad)
    attestation = services.attestation_for(application=application)
    assert attestation.days_present is None
    text = pages_text(_pdf(attestation))[0]
    assert "Days present" not in text
    assert "Milan" in text


def test_staff_download_any_participants_attestation(staff_client, mine, absent, theirs):
    response = staff_client.get(reverse("reports:staff_attestation_pdf", args=[mine.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    refused = staff_client.get(reverse("reports:staff_attestation_pdf", args=[absent.pk]))
    assert refused.status_code == 302
    assert refused["Location"] == absent.artisan.get_absolute_url()
    [message] = [str(m) for m in get_messages(refused.wsgi_request)]
    assert message.startswith("No attestation for Said Absent")


def test_only_staff_use_the_staff_download(client, mine, theirs):
    login(client, theirs)
    assert client.get(reverse("reports:staff_attestation_pdf", args=[mine.pk])).status_code == 403


# --- The PDF -----------------------------------------------------------------------------------


def _pdf(attestation, language="en") -> bytes:
    from django.utils import translation

    from reports.pdf.attestation import attestation_pdf

    with translation.override(language):
        return attestation_pdf(
            attestation,
            verify_url="https://souk.example.ma" + attestation.get_verify_url(),
            verify_home="https://souk.example.ma/verify/",
        )


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_the_pdf_shows_the_names_the_fair_and_the_code(client, mine, language):
    login(client, mine)
    response = client.get(pdf_url(mine, lang=language))
    attestation = Attestation.objects.get(application=mine)
    [text] = pages_text(response.content)
    assert "Fatima Zahra Bennani" in text
    assert ARABIC_NAME in text
    assert attestation.code_display in text
    assert "A07" in text
    assert mine.fair.name in text and mine.fair.name_ar in text  # both scripts of the fair's name
    assert mine.artisan.cin not in text and mine.artisan.phone not in text


def test_the_pdf_says_how_many_days_the_artisan_came(client, mine):
    login(client, mine)
    [text] = pages_text(client.get(pdf_url(mine, lang="en")).content)
    assert "2 of 3" in text


def test_the_qr_code_holds_the_absolute_verification_address(client, mine):
    login(client, mine)
    response = client.get(pdf_url(mine, lang="ar"))
    attestation = Attestation.objects.get(application=mine)
    page = pypdfium2.PdfDocument(response.content)[0]
    image = page.render(scale=2).to_pil()
    found = [result.text for result in zxingcpp.read_barcodes(image)]
    assert found == [f"http://testserver/verify/{attestation.code}/"]


def test_an_arabic_pdf_is_marked_arabic_and_a_french_one_french(client, mine):
    login(client, mine)
    assert b"/Lang (ar)" in client.get(pdf_url(mine, lang="ar")).content
    assert b"/Lang (fr)" in client.get(pdf_url(mine, lang="fr")).content


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_long_names_stay_inside_the_frame(db, language):
    # As long as the fields allow (200 characters for a fair, 80 for each name).
    fair = past_fair(
        name=("Salon international de l'artisanat et des métiers d'art traditionnels " * 3)[:200],
        name_ar=("المعرض الدولي للصناعة التقليدية وفنون الحرف العريقة " * 4)[:200],
    )
    application = exhibitor(
        fair,
        first_name=("Fatima Zahra Khadija Malika " * 3)[:80],
        last_name=("El Bouazzaoui Ben Abdellah " * 4)[:80],
        first_name_ar=("فاطمة الزهراء خديجة مليكة " * 4)[:80],
        last_name_ar=("البوعزاوي بن عبد الله " * 4)[:80],
    )
    data = _pdf(services.attestation_for(application=application), language)
    page = pypdfium2.PdfDocument(data)[0]
    width, _height = page.get_size()
    text = page.get_textpage()
    boxes = [text.get_charbox(index) for index in range(text.count_chars())]
    inner = 13 * 72 / 25.4  # the inner gold line
    assert boxes
    assert min(left for left, _bottom, _right, _top in boxes) > inner
    assert max(right for _left, _bottom, right, _top in boxes) < width - inner
    assert "…" in text.get_text_range()  # what cannot fit is cut, not drawn off the page


# --- Public verification -----------------------------------------------------------------------


@pytest.fixture
def attestation(mine):
    return services.attestation_for(application=mine)


def test_a_genuine_code_is_confirmed_with_what_the_certificate_shows(client, attestation, mine):
    response = client.get(attestation.get_verify_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "This attestation is genuine" in page
    assert "Fatima Zahra Bennani" in page and ARABIC_NAME in page
    assert escape(mine.fair.name) in page
    assert "2 of 3" in page
    assert attestation.code_display in page
    assert mine.artisan.cin not in page and mine.artisan.phone not in page and mine.artisan.email not in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_an_unknown_code_is_not_genuine(client, attestation):
    forged = "".join(CODE_ALPHABET[(CODE_ALPHABET.index(c) + 7) % 32] for c in attestation.code)
    response = client.get(reverse("reports:attestation_verify", kwargs={"code": forged}))
    assert response.status_code == 404
    page = response.content.decode()
    assert "No attestation with this code was issued by the delegation" in page
    assert "Fatima" not in page


@pytest.mark.parametrize("position", [0, 7, CODE_LENGTH - 1])
def test_a_code_altered_by_one_character_is_not_genuine(client, attestation, position):
    code = attestation.code
    other = CODE_ALPHABET[(CODE_ALPHABET.index(code[position]) + 1) % len(CODE_ALPHABET)]
    altered = code[:position] + other + code[position + 1 :]
    response = client.get(reverse("reports:attestation_verify", kwargs={"code": altered}))
    assert response.status_code == 404
    assert "This attestation is genuine" not in response.content.decode()


@pytest.mark.parametrize("tampered", ["x", "1234", "<script>", "A" * 200, "ABCD-EFGH-JKMN-PQRS-TVWX"])
def test_a_tampered_address_is_not_genuine_and_never_an_error(client, attestation, tampered):
    response = client.get(f"/verify/{tampered}/")
    assert response.status_code == 404
    assert "No attestation with this code was issued by the delegation" in response.content.decode()


def test_a_code_typed_in_lower_case_with_spaces_finds_the_attestation(client, attestation):
    typed = code_groups(attestation.code).lower().replace("-", " ")
    response = client.get(reverse("reports:attestation_verify_form"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == attestation.get_verify_url()
    grouped = client.get(f"/verify/{attestation.code_display.lower()}/")
    assert grouped.status_code == 302 and grouped["Location"] == attestation.get_verify_url()


def test_the_verify_form_explains_a_malformed_code(client, db):
    response = client.get(reverse("reports:attestation_verify_form"), {"code": "12-34"})
    assert response.status_code == 200
    assert "A verification code has 16 letters and digits" in response.content.decode()
    assert client.get(reverse("reports:attestation_verify_form")).status_code == 200


@given(st.text(alphabet=CODE_ALPHABET, min_size=CODE_LENGTH, max_size=CODE_LENGTH))
def test_a_printed_code_reads_back_however_it_is_typed(code):
    assert normalize_code(code_groups(code)) == code
    assert normalize_code(" ".join(code_groups(code).lower().split("-"))) == code
    assert normalize_code(code.replace("0", "O").replace("1", "l")) == code


def test_codes_are_random_and_typeable(mine, theirs):
    first = services.attestation_for(application=mine).code
    second = services.attestation_for(application=theirs).code
    assert first != second
    assert all(len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET) for code in (first, second))


# --- API ---------------------------------------------------------------------------------------


def test_the_verification_api_is_public(client, attestation):
    response = client.get(reverse("api_attestation_verify", kwargs={"code": attestation.code_display}))
    assert response.status_code == 200
    body = response.json()
    assert body["genuine"] is True
    assert body["name"] == "Fatima Zahra Bennani" and body["name_ar"] == ARABIC_NAME
    assert body["days_present"] == 2
    assert body["verify_url"] == f"http://testserver/verify/{attestation.code}/"
    assert "cin" not in body and "phone" not in body
    unknown = client.get(reverse("api_attestation_verify", kwargs={"code": "0" * CODE_LENGTH}))
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"


def test_the_api_lists_the_artisans_own_attestations(client, mine, theirs, absent):
    login(client, mine)
    rows = client.get(reverse("api_my_attestations")).json()
    assert [row["application"] for row in rows] == [mine.pk]
    assert rows[0]["attestation"] is None  # made on the first download
    client.get(pdf_url(mine))
    rows = client.get(reverse("api_my_attestations")).json()
    assert rows[0]["attestation"]["code"] == Attestation.objects.get().code_display


def test_the_attestations_api_needs_a_login(client, db):
    assert client.get(reverse("api_my_attestations")).status_code in (401, 403)


# --- The artisan's list ------------------------------------------------------------------------


def test_my_attestations_lists_attended_fairs_and_explains_the_others(client, mine, absent):
    artisan = mine.artisan
    later = past_fair(name="Salon du tapis", starts_on=mine.fair.starts_on - dt.timedelta(days=40),
                      ends_on=mine.fair.starts_on - dt.timedelta(days=38))  # fmt: skip
    missed = ApplicationFactory(fair=later, artisan=artisan, status=CONFIRMED)
    badge_of(missed)
    enter(badge_of(exhibitor(later)), later.starts_on)  # the fair kept check-ins, none of hers
    login(client, mine)
    page = client.get(reverse("reports:my_attestations")).content.decode()
    assert pdf_url(mine) in page
    assert pdf_url(missed) not in page
    assert "Salon du tapis" in page and "No entry was recorded for you at these fairs" in page


def test_my_attestations_runs_the_same_queries_for_one_or_three_fairs(client, db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    artisan = ArtisanFactory(user=UserFactory())
    client.force_login(artisan.user)
    counts = []
    for new in (1, 2):  # one fair, then three
        for _ in range(new):
            ApplicationFactory(fair=past_fair(), artisan=artisan, status=CONFIRMED)  # kept no check-ins
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("reports:my_attestations"))
        assert response.content.decode().count("Download (PDF)") == len(counts) * 2 + 1
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_name_with_allah_prints_letters_the_font_has(db):
    fair = past_fair()
    application = exhibitor(fair, first_name="Abdellah", last_name="Benabdellah", first_name_ar="عبد الله",
                            last_name_ar="بنعبد الله")  # fmt: skip
    [text] = pages_text(_pdf(services.attestation_for(application=application), "ar"))
    assert "عبد الله" in text  # today the ligature's missing glyph reads back as "\x00"
