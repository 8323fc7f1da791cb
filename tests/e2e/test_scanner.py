"""The gate scanner on a phone (issue 5 item 4): online answers, offline answers checked on
the device, the queue sent when the connection returns, and conflicts shown after the sync.

The live server runs on localhost, a secure context: the service worker and WebCrypto work.
Elements are found by id and data attributes (``#answer[data-result]``, ``#queue[data-count]``);
the only text compared is names, gates and times the test itself made.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from badges import services
from badges.models import CheckIn, CheckInResult
from booths.models import Assignment
from fairs.models import Fair
from registrations.models import Application
from tests.factories import ApplicationFactory, ArtisanFactory, BoothFactory, FairFactory, ZoneFactory

pytestmark = pytest.mark.e2e

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
ANSWER = "#answer"


@pytest.fixture
def fair():
    today = timezone.localdate()
    return FairFactory(
        name="Foire de l'artisanat de Settat",
        name_ar="معرض الصناعة التقليدية بسطات",
        slug="foire-settat-scan",
        status=Fair.Status.RUNNING,
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=1),
    )


@pytest.fixture
def people(fair):
    """Three exhibitors with badges; Amina has booth A12. Returns {first name: (badge, code)}."""
    artisans = [
        ArtisanFactory(first_name="Amina", last_name="Berrada", first_name_ar="أمينة", last_name_ar="برادة"),
        ArtisanFactory(first_name="Youssef", last_name="Alaoui", first_name_ar="يوسف", last_name_ar="العلوي"),
        ArtisanFactory(first_name="Rachida", last_name="Fassi", first_name_ar="رشيدة", last_name_ar="الفاسي"),
    ]
    applications = [
        ApplicationFactory(fair=fair, status=Application.Status.CONFIRMED, artisan=artisan)
        for artisan in artisans
    ]
    zone = ZoneFactory(fair=fair, name="Hall des potiers")
    Assignment.objects.create(
        booth=BoothFactory(fair=fair, zone=zone, code="A12"),
        application=applications[0],
        fair=fair,
        method="manual",
    )
    badges = services.badges_issue_for_fair(fair=fair, actor=None)
    by_first_name = {badge.application.artisan.first_name: badge for badge in badges}
    return {name: (badge, services.badge_code(badge)) for name, badge in by_first_name.items()}


@pytest.fixture
def device_token(fair):
    _device, token = services.device_create(name="Téléphone porte B", fair=fair, actor=None)
    return token


def open_scanner(new_page, token, gate, language="fr", direction="in"):
    page = new_page(locale=language, extra_http_headers={"Accept-Language": language}, **PHONE)
    page.goto(f"/scan/#device={token}")
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    page.fill("#gate", gate)
    page.locator(f'label[for="direction-{direction}"]').click()
    return page


def wait_for_offline_list(page, fair):
    """The bundle is stored and its key imported; the service worker controls the page."""
    page.wait_for_function(
        "id => { const b = JSON.parse(localStorage.getItem('souk.scanner.bundle') || 'null');"
        " return b && b.fair.id === id; }",
        arg=fair.pk,
    )
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def type_code(page, code):
    page.fill("#manual-code", code)
    page.press("#manual-code", "Enter")


def dismiss(page):
    page.locator(ANSWER).click()
    expect(page.locator(ANSWER)).to_be_hidden()


def expect_answer(page, result, colour, *, offline=False):
    answer = page.locator(ANSWER)
    expect(answer).to_be_visible()
    expect(answer).to_have_attribute("data-result", result)
    expect(answer).to_have_attribute("data-colour", colour)
    expect(answer).to_have_attribute("data-offline", "1" if offline else "0")
    expect(page.locator("#answer-offline")).to_be_visible() if offline else expect(
        page.locator("#answer-offline")
    ).to_be_hidden()
    return answer


def expect_covers_the_screen(page):
    box = page.locator(ANSWER).bounding_box()
    assert box is not None
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 390, 844)


def test_manual_entry_online_welcome_then_already_inside_then_revoked(
    new_page, live_server, fair, people, device_token
):
    amina, amina_code = people["Amina"]
    youssef, _youssef_code = people["Youssef"]
    services.badge_revoke(badge=youssef, actor=None, reason="perdu")

    page = open_scanner(new_page, device_token, "Porte B")
    assert "device=" not in page.url  # the token left the address bar…
    assert page.evaluate("localStorage.getItem('souk.scanner.token')") == f'"{device_token}"'  # …for storage
    expect(page.locator("#fair")).to_have_value(str(fair.pk))  # the only fair this device may scan
    expect(page.locator("#notice-pair")).to_be_hidden()
    expect(page.locator("#notice-insecure")).to_be_hidden()

    type_code(page, amina_code)
    expect_answer(page, "ok", "green")
    expect(page.locator("#answer-name")).to_have_text("Amina Berrada")
    expect(page.locator("#answer-name-other")).to_have_text("أمينة برادة")
    expect(page.locator("#answer-booth")).to_contain_text("A12")
    expect(page.locator("#answer-kind")).to_be_visible()
    expect_covers_the_screen(page)
    dismiss(page)
    expect(page.locator("#inside-now")).to_have_text("1")
    expect(page.locator("#arrived-today")).to_have_text("1")

    type_code(page, amina_code)
    expect_answer(page, "already_inside", "amber")
    entered = CheckIn.objects.get(badge=amina, result=CheckInResult.OK).scanned_at
    expect(page.locator("#answer-reason")).to_contain_text(timezone.localtime(entered).strftime("%H:%M"))
    dismiss(page)

    type_code(page, youssef.serial.lower())  # the serial typed by hand, in lower case
    expect_answer(page, "revoked", "red")
    expect(page.locator("#answer-name")).to_have_text("Youssef Alaoui")
    dismiss(page)

    rows = list(
        CheckIn.objects.filter(fair=fair).order_by("received_at").values_list("gate", "result", "offline")
    )
    assert rows == [
        ("Porte B", "ok", False),
        ("Porte B", "already_inside", False),
        ("Porte B", "revoked", False),
    ]
    assert CheckIn.objects.filter(device__isnull=False).count() == 3

    # Handing the phone back: unpairing forgets the token and the fair's roster.
    page.locator("#unpair").click()
    expect(page.locator("#notice-pair")).to_be_visible()
    for key in ("token", "bundle", "moves"):
        assert page.evaluate(f"localStorage.getItem('souk.scanner.{key}')") is None


def test_offline_scans_are_checked_on_the_device_queued_and_sent_on_reconnect(
    new_page, live_server, fair, people, device_token
):
    amina, amina_code = people["Amina"]
    youssef, youssef_code = people["Youssef"]
    services.badge_revoke(badge=youssef, actor=None, reason="perdu")

    page = open_scanner(new_page, device_token, "Porte B")
    wait_for_offline_list(page, fair)
    page.context.set_offline(True)
    expect(page.locator("#net-status")).to_have_attribute("data-online", "0")

    type_code(page, amina_code)
    expect_answer(page, "ok", "green", offline=True)
    expect(page.locator("#answer-name")).to_have_text("Amina Berrada")
    dismiss(page)
    type_code(page, youssef_code)
    expect_answer(page, "revoked", "red", offline=True)
    expect(page.locator("#answer-name")).to_have_text("Youssef Alaoui")
    dismiss(page)

    queue = page.locator("#queue")
    expect(queue).to_have_attribute("data-count", "2")
    expect(queue).to_be_visible()
    expect(queue).to_contain_text("2")
    assert not CheckIn.objects.exists()  # nothing reached the server yet

    page.context.set_offline(False)
    expect(queue).to_have_attribute("data-count", "0")
    expect(queue).to_be_hidden()
    expect(page.locator("#net-status")).to_have_attribute("data-online", "1")
    rows = {row.badge_id: row for row in CheckIn.objects.filter(fair=fair)}
    assert len(rows) == 2
    assert (rows[amina.pk].result, rows[amina.pk].local_result) == ("ok", "ok")
    assert (rows[youssef.pk].result, rows[youssef.pk].local_result) == ("revoked", "revoked")
    assert all(row.offline and not row.conflict and row.gate == "Porte B" for row in rows.values())
    amina.refresh_from_db()
    assert amina.inside_since is not None
    expect(page.locator("#conflicts")).to_be_hidden()


def test_a_badge_entered_at_another_gate_while_offline_is_shown_as_a_conflict(
    new_page, live_server, fair, people, device_token, make_user
):
    _amina, amina_code = people["Amina"]
    page = open_scanner(new_page, device_token, "Porte B")
    wait_for_offline_list(page, fair)
    page.context.set_offline(True)

    type_code(page, amina_code)
    expect_answer(page, "ok", "green", offline=True)
    dismiss(page)
    expect(page.locator("#queue")).to_have_attribute("data-count", "1")

    # Meanwhile at gate A, online, a colleague lets Amina in too.
    colleague = make_user("scanner", username="gate-a")
    answer = services.check_in(
        fair=fair, code=amina_code, gate="Porte A", direction="in", nonce="gate-a-1", scanner=colleague
    )
    assert answer.result == CheckInResult.OK

    page.context.set_offline(False)
    expect(page.locator("#queue")).to_have_attribute("data-count", "0")
    conflicts = page.locator("#conflicts")
    expect(conflicts).to_be_visible()
    expect(conflicts).to_have_attribute("data-count", "1")
    expect(conflicts.locator("li")).to_have_count(1)
    expect(conflicts.locator("li")).to_contain_text("Amina Berrada")
    expect(conflicts.locator("li")).to_contain_text("Porte B")
    row = CheckIn.objects.get(fair=fair, offline=True)
    assert (row.gate, row.local_result, row.result, row.conflict) == ("Porte B", "ok", "already_inside", True)

    page.locator("#conflicts-clear").click()
    expect(conflicts).to_be_hidden()


def test_page_reopened_offline_comes_from_the_service_worker_and_still_checks_signatures(
    new_page, live_server, fair, people, device_token
):
    _amina, amina_code = people["Amina"]
    rachida, _rachida_code = people["Rachida"]
    page = open_scanner(new_page, device_token, "Porte B")
    wait_for_offline_list(page, fair)
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    expect(page.locator("#fair")).to_have_value(str(fair.pk))
    expect(page.locator("#gate")).to_have_value("Porte B")
    expect(page.locator("#net-status")).to_have_attribute("data-online", "0")

    # One character changed in the signed part: the signature no longer verifies.
    position = 40
    forged = (
        amina_code[:position] + ("A" if amina_code[position] != "A" else "B") + amina_code[position + 1 :]
    )
    type_code(page, forged)
    expect_answer(page, "invalid", "red", offline=True)
    expect(page.locator("#answer-name")).to_have_text("")
    dismiss(page)

    type_code(page, "AAAAAAAA")  # a serial that is on no badge
    expect_answer(page, "unknown", "red", offline=True)
    dismiss(page)

    type_code(page, f"{rachida.serial[:4]}-{rachida.serial[4:]}")  # a typed serial, with a dash
    expect_answer(page, "ok", "green", offline=True)
    expect(page.locator("#answer-name")).to_have_text("Rachida Fassi")
    dismiss(page)
    type_code(page, services.badge_code(rachida))  # the same person, by QR code: already in
    expect_answer(page, "already_inside", "amber", offline=True)
    dismiss(page)
    expect(page.locator("#queue")).to_have_attribute("data-count", "4")

    page.context.set_offline(False)
    expect(page.locator("#queue")).to_have_attribute("data-count", "0")
    results = sorted(CheckIn.objects.filter(fair=fair, offline=True).values_list("result", "local_result"))
    assert results == sorted([("invalid", "invalid"), ("unknown", "unknown"), ("ok", "ok"),
                              ("already_inside", "already_inside")])  # fmt: skip


def test_without_a_device_the_page_says_how_to_pair_and_a_scanner_account_scans(
    new_page, live_server, log_in, fair, people, make_user
):
    _amina, amina_code = people["Amina"]
    page = new_page(**PHONE)
    page.goto("/scan/")
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    pairing = page.locator("#notice-pair")
    expect(pairing).to_be_visible()
    expect(pairing).to_contain_text("/staff/scanner-devices/")

    log_in(page, make_user("scanner", username="gate-c"))
    page.goto("/scan/")
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    expect(pairing).to_be_hidden()
    expect(page.locator("#fair")).to_have_value(str(fair.pk))
    page.fill("#gate", "Porte C")
    type_code(page, amina_code)  # a session POST: the CSRF header comes from the cookie
    expect_answer(page, "ok", "green")
    row = CheckIn.objects.get(fair=fair)
    assert (row.gate, row.device_id, row.scanner.username) == ("Porte C", None, "gate-c")


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_answers_fit_a_phone_in_french_and_arabic(
    new_page, live_server, fair, people, device_token, save_screenshot, language
):
    _amina, amina_code = people["Amina"]
    youssef, youssef_code = people["Youssef"]
    services.badge_revoke(badge=youssef, actor=None, reason="perdu")
    page = open_scanner(new_page, device_token, "Porte B", language=language)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    wait_for_offline_list(page, fair)
    save_screenshot(page, f"scanner-{language}-home")
    assert page.evaluate("[window.innerWidth, document.documentElement.scrollWidth]") == [390, 390]

    shots = [
        (amina_code, "ok", "green"),
        (amina_code, "already_inside", "amber"),
        (youssef_code, "revoked", "red"),
    ]
    for code, result, colour in shots:
        type_code(page, code)
        expect_answer(page, result, colour)
        expect_covers_the_screen(page)
        save_screenshot(page, f"scanner-{language}-{colour}")
        dismiss(page)

    page.context.set_offline(True)
    _rachida, rachida_code = people["Rachida"]
    type_code(page, rachida_code)
    expect_answer(page, "ok", "green", offline=True)
    name = page.locator("#answer-name")
    expect(name).to_have_text("رشيدة الفاسي" if language == "ar" else "Rachida Fassi")
    save_screenshot(page, f"scanner-{language}-offline")
    dismiss(page)
    expect(page.locator("#queue")).to_have_attribute("data-count", "1")
    save_screenshot(page, f"scanner-{language}-queue")
    page.context.set_offline(False)
    expect(page.locator("#queue")).to_have_attribute("data-count", "0")
    assert re.fullmatch(r"\d+", page.locator("#inside-now").inner_text())


def test_over_plain_http_on_a_lan_name_offline_mode_is_refused_plainly_and_online_scans_work(
    browser, live_server, settings, fair, people, device_token, save_screenshot
):
    """A phone opening http://<venue laptop>/scan/ is not in a secure context: no service
    worker, no WebCrypto. The page says so and still scans online."""
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS

    _amina, amina_code = people["Amina"]
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "souk-gate.test"]
    port = live_server.url.rsplit(":", 1)[1]
    lan = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP souk-gate.test 127.0.0.1"],
        headless=True,
    )
    try:
        context = lan.new_context(base_url=f"http://souk-gate.test:{port}", locale="fr-FR", **PHONE)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.goto(f"/scan/#device={device_token}")
        expect(page.locator("body")).to_have_attribute("data-ready", "1")
        assert page.evaluate("window.isSecureContext") is False
        expect(page.locator("#notice-insecure")).to_be_visible()
        assert page.evaluate("'serviceWorker' in navigator") is False
        expect(page.locator("#camera")).to_be_hidden()  # no camera API outside a secure context
        save_screenshot(page, "scanner-fr-insecure")

        page.fill("#gate", "Porte D")
        type_code(page, amina_code)
        expect_answer(page, "ok", "green")
        expect(page.locator("#answer-name")).to_have_text("Amina Berrada")
        assert CheckIn.objects.get(fair=fair).gate == "Porte D"
    finally:
        lan.close()


def badge_video(path, code):
    """A fake camera: an MJPEG "film" of the badge's QR code, as a phone would hold it."""
    import io

    import qrcode
    from PIL import Image

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=4)
    qr.add_data(code)
    picture = qr.make_image().convert("RGB").resize((420, 420))
    frame = Image.new("RGB", (640, 480), "#d9d4c7")  # a table top around the card
    frame.paste(picture, (110, 30))
    with open(path, "wb") as film:
        for _ in range(2):
            buffer = io.BytesIO()
            frame.save(buffer, "JPEG", quality=90)
            film.write(buffer.getvalue())
    return path


def test_the_camera_reads_a_badge_qr_code(browser, live_server, tmp_path, fair, people, device_token):
    """Chromium's fake camera plays a picture of Amina's QR code; the page decodes it (jsQR,
    or BarcodeDetector where the browser has it) and the gate gets her green screen."""
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS

    amina, amina_code = people["Amina"]
    film = badge_video(tmp_path / "badge.mjpeg", amina_code)
    camera_phone = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={film}",
        ],
        headless=True,
    )
    try:
        context = camera_phone.new_context(base_url=live_server.url, locale="fr-FR", **PHONE)
        context.set_default_timeout(TIMEOUT_MS)
        context.grant_permissions(["camera"])
        page = context.new_page()
        page.goto(f"/scan/#device={device_token}")
        expect(page.locator("body")).to_have_attribute("data-ready", "1")
        page.fill("#gate", "Porte A")
        page.locator("#camera-toggle").click()
        expect(page.locator("#camera-frame")).to_be_visible()
        expect_answer(page, "ok", "green")
        expect(page.locator("#answer-name")).to_have_text("Amina Berrada")
        dismiss(page)
        page.locator("#camera-toggle").click()
        expect(page.locator("#camera-frame")).to_be_hidden()
        first = CheckIn.objects.filter(fair=fair).order_by("received_at").first()
        assert (first.badge_id, first.result, first.gate, first.raw_code) == (
            amina.pk,
            "ok",
            "Porte A",
            amina_code,
        )
    finally:
        camera_phone.close()
