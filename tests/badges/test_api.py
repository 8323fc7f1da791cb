"""The badges API: scanning with device tokens and gate accounts, and the staff endpoints.

Every result through HTTP, bad input (a result or a clear 4xx, nothing wrong recorded,
never a 5xx), the offline upload with a conflict, the scanner bundle and its query budget,
the badges and devices endpoints, and one permission matrix of role × endpoint → status.
"""

import base64
import datetime as dt
import gzip
import json

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from badges import codec, services
from badges.models import Badge, BadgeKind, CheckIn, CheckInResult, ScannerDevice
from booths.models import Assignment
from core.models import AuditEntry
from fairs.models import Fair
from registrations.models import ApplicationStatus
from tests.badges.helpers import at
from tests.factories import ApplicationFactory, ArtisanFactory, BoothFactory, FairFactory, ZoneFactory

pytestmark = pytest.mark.django_db
R = CheckInResult
CHECK_INS = "/api/v1/check-ins/"
UPLOAD = "/api/v1/check-ins/upload/"


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read English wording."""
    settings.LANGUAGE_CODE = "en"


def device_client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Device {token}")
    return client


def user_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def device_token(running_fair):
    device, token = services.device_create(name="Gate A phone", fair=running_fair, actor=None)
    return device, token


@pytest.fixture
def gate(device_token):
    """A phone registered for the running fair."""
    return device_client(device_token[1])


@pytest.fixture
def staff(staff_user):
    return user_client(staff_user)


_nonces = iter(range(10**9))


def body(fair, code, **changes) -> dict:
    return {
        "fair": fair.pk,
        "code": code,
        "gate": "A",
        "direction": "in",
        "nonce": f"n{next(_nonces)}",
    } | changes


def post(client, data, path=CHECK_INS):
    return client.post(path, data, format="json")


def nothing_changed(badges) -> bool:
    return not CheckIn.objects.exists() and not Badge.objects.filter(inside_since__isnull=False).exists()


# --- Each result over HTTP ------------------------------------------------------------------


def counters(client, fair) -> dict:
    return client.get(f"/api/v1/scanner/fairs/{fair.pk}/counters/").json()


def test_an_ok_scan_answers_the_badge_and_the_counters_move(gate, running_fair, badge, code):
    response = post(gate, body(running_fair, code))

    assert response.status_code == 201, response.json()
    data = response.json()
    row = CheckIn.objects.get()
    assert data["result"] == "ok" and data["message"] == "Welcome"
    assert (data["replayed"], data["conflict"], data["check_in"]) == (False, False, row.pk)
    artisan = badge.application.artisan
    assert data["badge"] | {"inside_since": None, "first_entry_at": None} == {
        "serial": badge.serial, "kind": "exhibitor", "name": artisan.full_name, "name_ar": artisan.full_name_ar,
        "organisation": "", "role_label": "", "booth": "", "craft": artisan.main_craft.name_en,
        "photo": None, "inside_since": None, "first_entry_at": None,
    }  # fmt: skip
    assert data["badge"]["inside_since"] == data["badge"]["first_entry_at"] is not None
    assert dt.datetime.fromisoformat(data["scanned_at"]) == row.scanned_at
    assert "counters" not in data  # the scanner reads them from counters/
    assert counters(gate, running_fair) == {"inside_now": 1, "arrived_today": 1, "expected": 3}
    assert (row.device.name, row.scanner, row.origin) == ("Gate A phone", None, f"device:{row.device_id}")


def test_the_hand_written_answer_is_what_the_serializer_writes(running_fair, badge, code, device_token):
    """``scan_answer_json`` writes ``CheckInAnswerSerializer``'s output by hand (the hot path)."""
    from badges.api import CheckInAnswerSerializer, answer_message, scan_answer_json, selectors

    def scan(code, nonce, when):
        return services.check_in(
            fair=running_fair,
            code=code,
            gate="B",
            direction="in",
            nonce=nonce,
            device=device_token[0],
            now=when,
        )

    for answer in (scan(code, "1", at(9, 42)), scan(code, "2", at(9, 50)), scan("junk", "3", at(9, 51))):
        badge_part = None
        if answer.badge is not None:
            badge_part = selectors.scan_summary(answer.summary) | {
                "inside_since": answer.inside_since, "first_entry_at": answer.first_entry_at,
            }  # fmt: skip
        expected = CheckInAnswerSerializer({
            "result": answer.result, "message": answer_message(answer), "replayed": answer.replayed,
            "conflict": answer.conflict, "check_in": answer.check_in.pk, "scanned_at": answer.check_in.scanned_at,
            "badge": badge_part,
        }).data  # fmt: skip
        assert json.loads(json.dumps(scan_answer_json(answer))) == json.loads(json.dumps(expected))


def test_the_badge_summary_has_booth_craft_and_photo(gate, running_fair, staff_user):
    application = ApplicationFactory(
        fair=running_fair,
        status=ApplicationStatus.CONFIRMED,
        artisan=ArtisanFactory(photo="artisans/fatima.jpg"),
    )
    zone = ZoneFactory(fair=running_fair)
    Assignment.objects.create(
        booth=BoothFactory(zone=zone, code="B12"), application=application, fair=running_fair, method="manual"
    )
    badges = services.badges_issue_for_fair(fair=running_fair, actor=staff_user)
    badge = next(b for b in badges if b.application_id == application.pk)

    data = post(gate, body(running_fair, badge.serial)).json()

    assert data["badge"]["booth"] == "B12"
    assert data["badge"]["craft"] == application.artisan.main_craft.name_en
    assert data["badge"]["photo"] == "/media/artisans/fatima.jpg"


def test_the_craft_follows_the_language_of_the_request(gate, running_fair, badge):
    craft = badge.application.artisan.main_craft
    data = gate.post(
        CHECK_INS, body(running_fair, badge.serial), format="json", HTTP_ACCEPT_LANGUAGE="ar"
    ).json()
    assert data["badge"]["craft"] == craft.name_ar


def test_already_inside_says_since_when_in_local_time(gate, running_fair, badge, code, device_token):
    services.check_in(
        fair=running_fair, code=code, gate="B", direction="in", nonce="earlier", device=device_token[0],
        now=at(9, 42),
    )  # fmt: skip
    response = post(gate, body(running_fair, code))

    assert response.status_code == 201
    data = response.json()
    assert data["result"] == "already_inside"
    assert data["message"] == "Already inside since 09:42"
    assert dt.datetime.fromisoformat(data["badge"]["inside_since"]) == at(9, 42)
    assert dt.datetime.fromisoformat(data["badge"]["first_entry_at"]) == at(9, 42)
    assert counters(gate, running_fair)["inside_now"] == 1


def test_exit_then_entry_again(gate, running_fair, badge, code):
    assert post(gate, body(running_fair, code)).json()["result"] == "ok"
    out = post(gate, body(running_fair, code, direction="out")).json()
    assert (out["result"], out["message"], out["badge"]["inside_since"]) == ("ok", "Exit recorded", None)
    assert counters(gate, running_fair) == {"inside_now": 0, "arrived_today": 1, "expected": 3}
    again = post(gate, body(running_fair, code)).json()
    assert again["result"] == "ok" and counters(gate, running_fair)["inside_now"] == 1


def test_a_revoked_badge_answers_revoked_with_who(gate, running_fair, badge, code):
    services.badge_revoke(badge=badge, actor=None, reason="lost")
    data = post(gate, body(running_fair, code)).json()
    assert (data["result"], data["message"], data["badge"]["serial"]) == (
        "revoked",
        "Revoked badge",
        badge.serial,
    )
    assert not Badge.objects.filter(inside_since__isnull=False).exists()


@pytest.fixture
def other_badge():
    today = timezone.localdate()
    fair = FairFactory(status=Fair.Status.RUNNING, starts_on=today, ends_on=today)
    ApplicationFactory(fair=fair, status=ApplicationStatus.CONFIRMED)
    return services.badges_issue_for_fair(fair=fair, actor=None)[0]


@pytest.mark.parametrize("by", ["code", "serial"])
def test_another_fairs_badge_is_wrong_fair(gate, running_fair, badges, other_badge, by):
    code = services.badge_code(other_badge) if by == "code" else other_badge.serial
    response = post(gate, body(running_fair, code))
    data = response.json()
    assert response.status_code == 201
    assert (data["result"], data["message"], data["badge"]) == ("wrong_fair", "Badge of another fair", None)
    assert CheckIn.objects.get().badge_id is None
    assert not Badge.objects.filter(inside_since__isnull=False).exists()


def test_a_badge_for_other_days_is_not_valid_now(gate, running_fair, badges):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    visitor = services.badge_create(
        fair=running_fair,
        actor=None,
        kind=BadgeKind.VISITOR,
        name="Ali",
        valid_from=tomorrow,
        valid_until=tomorrow,
    )
    data = post(gate, body(running_fair, services.badge_code(visitor))).json()
    assert data["result"] == "not_valid_now"
    assert data["message"] == f"Not valid today (valid {tomorrow.day} {tomorrow.strftime('%B')})"
    assert data["badge"]["name"] == "Ali"


def test_a_signed_code_without_badge_and_an_unknown_serial_are_unknown(gate, running_fair, badges):
    payload = codec.Payload(
        fair_id=running_fair.pk, serial=codec.new_serial(), kind="press",
        valid_from=running_fair.starts_on, valid_until=running_fair.ends_on,
    )  # fmt: skip
    signed = codec.encode(payload, bytes(services.setup_for(running_fair).private_key))
    for code in (signed, codec.new_serial()):
        data = post(gate, body(running_fair, code)).json()
        assert (data["result"], data["message"], data["badge"]) == ("unknown", "Unknown badge", None)
    assert CheckIn.objects.filter(result=R.UNKNOWN).count() == 2


def test_a_scanner_account_scans_too(scanner_user, running_fair, code):
    response = post(user_client(scanner_user), body(running_fair, code))
    assert response.status_code == 201 and response.json()["result"] == "ok"
    row = CheckIn.objects.get()
    assert (row.scanner, row.device, row.origin) == (scanner_user, None, f"user:{scanner_user.pk}")


def test_a_scanner_account_scans_with_its_api_token(scanner_user, running_fair, code):
    from rest_framework.authtoken.models import Token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=scanner_user).key}")
    response = post(client, body(running_fair, code))
    assert response.status_code == 201 and CheckIn.objects.get().scanner == scanner_user


def test_a_session_post_needs_the_csrf_token(scanner_user, running_fair, code):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(scanner_user)
    response = client.post(CHECK_INS, body(running_fair, code), format="json")
    assert response.status_code == 403
    assert not CheckIn.objects.exists()


# --- Bad input: a result or a clear 4xx, nothing wrong recorded, never a 5xx ----------------


def _alter(code: str) -> str:
    return code[:60] + ("B" if code[60] == "A" else "A") + code[61:]


@pytest.mark.parametrize(
    "mangle",
    [
        lambda code: "garbage !!",
        lambda code: code[:90],
        lambda code: code + "A",
        _alter,
        lambda code: code.lower()[:-1] + "9",
        lambda code: "A" * 5000,
        lambda code: "تعاونية",
        lambda code: 12345,
    ],
    ids=[
        "garbage",
        "truncated",
        "appended",
        "altered",
        "bad-letter",
        "long-but-qr-sized",
        "arabic",
        "number",
    ],
)
def test_a_bad_code_is_answered_invalid_and_recorded_as_refused(gate, running_fair, badges, code, mangle):
    response = post(gate, body(running_fair, mangle(code)))
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["result"], data["message"], data["badge"]) == ("invalid", "Not a valid badge code", None)
    row = CheckIn.objects.get()
    assert row.result == R.INVALID and row.badge_id is None
    assert not Badge.objects.filter(inside_since__isnull=False).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"code": "A" * 100_000}, "code"),  # 100 kB: no QR code holds that
        ({"code": ""}, "code"),
        ({"code": None}, "code"),
        ({"code": ["A"]}, "code"),
        ({"code": {"a": 1}}, "code"),
        ({"code": "AB\x00CD"}, "code"),
        ({"fair": "abc"}, "fair"),
        ({"fair": None}, "fair"),
        ({"fair": 99_999_999}, "fair"),
        ({"fair": 10**30}, "fair"),
        ({"fair": True}, "fair"),
        ({"fair": 1.5}, "fair"),
        ({"fair": "1.0"}, "fair"),
        ({"fair": [1]}, "fair"),
        ({"gate": ""}, "gate"),
        ({"gate": "G" * 41}, "gate"),
        ({"gate": ["A"]}, "gate"),
        ({"direction": "sideways"}, "direction"),
        ({"direction": 1}, "direction"),
        ({"direction": None}, "direction"),
        ({"nonce": ""}, "nonce"),
        ({"nonce": "n" * 65}, "nonce"),
        ({"nonce": {"x": 1}}, "nonce"),
        ({"device_time": "yesterday"}, "device_time"),
        ({"device_time": 1700000000}, "device_time"),
        ({"device_time": "9999-12-31T23:59:59Z"}, "device_time"),
        ({"device_time": "0001-01-01T00:00:00+14:00"}, "device_time"),
    ],
)
def test_a_malformed_scan_is_a_400_naming_the_field_and_records_nothing(
    gate, running_fair, badges, code, data, field
):
    response = post(gate, body(running_fair, code) | data)
    assert response.status_code == 400, response.content
    error = response.json()
    assert error["code"] == "invalid"
    assert field in error["errors"] and error["detail"].startswith(field)
    assert nothing_changed(badges)


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"device_time": None},
        {"device_time": "2026-11-29T09:42:00"},
        {"device_time": "2026-11-29T09:42:00.123Z"},
        {"device_time": "2026-11-29T08:42:00+00:00"},
        {"device_time": "2026-11-29T11:42:00+03:00"},
        {"code": "  spaced code  ", "gate": " البوابة أ ", "nonce": " n1 "},
        {"direction": "out"},
        {"extra": "ignored"},
    ],
)
def test_the_scan_input_reads_as_the_serializer_reads_it(running_fair, changes):
    """The check-in parses its body with the serializer's own fields, bound once (parse_flat)."""
    from types import SimpleNamespace

    from badges.api import CheckInInputSerializer, parse_flat

    data = {"fair": str(running_fair.pk), "code": "X", "gate": "A", "direction": "in", "nonce": "n"} | changes
    if "device_time" not in changes:
        data.pop("device_time", None)
    serializer = CheckInInputSerializer(data=data)
    assert serializer.is_valid(), serializer.errors
    fast = parse_flat(CheckInInputSerializer, SimpleNamespace(data=data))
    assert fast.pop("fair").pk == serializer.validated_data.pop("fair").pk
    assert fast == dict(serializer.validated_data)


@pytest.mark.parametrize("missing", ["fair", "code", "gate", "direction", "nonce"])
def test_a_missing_field_is_named(gate, running_fair, badges, code, missing):
    data = body(running_fair, code)
    del data[missing]
    response = post(gate, data)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [missing]
    assert nothing_changed(badges)


@pytest.mark.parametrize(
    ("payload", "content_type"),
    [
        ('{"fair": 1, "code": ', "application/json"),
        ("not json at all", "application/json"),
        ("[1, 2, 3]", "application/json"),
        ('"a string"', "application/json"),
        ("null", "application/json"),
        ("", "application/json"),
        (b"\xff\xfe\x00garbage", "application/json"),
        ("<scan/>", "application/xml"),
    ],
)
def test_a_malformed_body_is_a_4xx_and_records_nothing(gate, running_fair, badges, payload, content_type):
    response = gate.generic("POST", CHECK_INS, payload, content_type=content_type)
    assert 400 <= response.status_code < 500, response.content
    assert response.json()["code"] in ("parse_error", "invalid", "unsupported_media_type")
    assert nothing_changed(badges)


def test_a_device_time_far_off_is_kept_but_not_believed(gate, running_fair, badge, code):
    data = post(gate, body(running_fair, code, device_time="2001-01-01T08:00:00+01:00")).json()
    row = CheckIn.objects.get()
    assert data["result"] == "ok"
    assert abs(row.scanned_at - timezone.now()) < dt.timedelta(minutes=1)
    assert row.device_time == dt.datetime(2001, 1, 1, 7, 0, tzinfo=dt.UTC)


def test_a_replayed_nonce_answers_the_first_answer_and_records_once(gate, running_fair, badge, code):
    first = post(gate, body(running_fair, code, nonce="same"))
    again = post(gate, body(running_fair, code, nonce="same"))
    assert (first.status_code, again.status_code) == (201, 200)
    first, again = first.json(), again.json()
    assert (first["replayed"], again["replayed"]) == (False, True)
    assert again["result"] == first["result"] == "ok"
    assert again["check_in"] == first["check_in"]
    assert again["message"] == "Welcome"
    assert CheckIn.objects.count() == 1


def test_a_revoked_device_is_401_and_records_nothing(running_fair, badges, code, device_token):
    device, token = device_token
    services.device_revoke(device=device, actor=None)
    response = post(device_client(token), body(running_fair, code))
    assert response.status_code == 401
    assert response.json()["code"] == "device_revoked"
    assert response["WWW-Authenticate"] == "Device"
    assert nothing_changed(badges)


@pytest.mark.parametrize(
    "header",
    [
        "Device",
        "Device not-a-token",
        "Device a b",
        "device Zm9v",
        "Device \u00e9t\u00e9".encode().decode("latin-1"),
    ],
)
def test_a_bad_device_header_is_401(running_fair, badges, code, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = post(client, body(running_fair, code))
    assert response.status_code == 401
    assert response.json()["code"].startswith("device_token")
    assert nothing_changed(badges)


def test_a_device_of_another_fair_is_refused_with_a_code(running_fair, badges, code):
    other_fair = FairFactory(status=Fair.Status.RUNNING)
    _device, token = services.device_create(name="Other gate", fair=other_fair, actor=None)
    client = device_client(token)
    for response in (
        post(client, body(running_fair, code)),
        post(client, {"fair": running_fair.pk, "scans": []}, UPLOAD),
        client.get(f"/api/v1/scanner/fairs/{running_fair.pk}/bundle/"),
        client.get(f"/api/v1/scanner/fairs/{running_fair.pk}/counters/"),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "device_other_fair"
    assert [fair["id"] for fair in client.get("/api/v1/scanner/fairs/").json()] == [other_fair.pk]
    assert nothing_changed(badges)


def test_a_device_for_every_fair_scans_any(running_fair, code):
    _device, token = services.device_create(name="Roaming", fair=None, actor=None)
    assert post(device_client(token), body(running_fair, code)).json()["result"] == "ok"


def test_a_fair_that_is_not_scanning_is_refused(gate, running_fair, code, badges):
    Fair.objects.filter(pk=running_fair.pk).update(status=Fair.Status.CANCELLED)
    response = post(gate, body(running_fair, code))
    assert response.status_code == 400 and response.json()["code"] == "fair_not_scanning"
    response = gate.get(f"/api/v1/scanner/fairs/{running_fair.pk}/bundle/")
    assert response.status_code == 400 and response.json()["code"] == "fair_not_scanning"
    assert nothing_changed(badges)


def test_last_seen_is_written_at_most_once_a_minute(gate, device_token, running_fair):
    device = device_token[0]
    with CaptureQueriesContext(connection) as first:
        gate.get(f"/api/v1/scanner/fairs/{running_fair.pk}/counters/")
    seen = ScannerDevice.objects.get(pk=device.pk).last_seen_at
    assert seen is not None
    with CaptureQueriesContext(connection) as second:
        gate.get(f"/api/v1/scanner/fairs/{running_fair.pk}/counters/")
    assert ScannerDevice.objects.get(pk=device.pk).last_seen_at == seen
    assert len(second) == len(first) - 1  # no UPDATE the second time
    ScannerDevice.objects.filter(pk=device.pk).update(last_seen_at=timezone.now() - dt.timedelta(seconds=61))
    gate.get(f"/api/v1/scanner/fairs/{running_fair.pk}/counters/")
    assert ScannerDevice.objects.get(pk=device.pk).last_seen_at > seen


# --- Query budget per scan -------------------------------------------------------------------

# An accepted scan through the API, counted inside the test's transaction (so the service's
# atomic block shows as a savepoint): 5 queries — device, fair, badge (locked, with its booth,
# craft and photo), insert, presence update — and 1 savepoint pair. No nonce look-up (the
# unique origin + nonce catches a replay), no first-entry query (kept on the badge), no
# counters (the scanner reads counters/). In production the block is BEGIN/COMMIT. It does not
# depend on the number of badges at the fair. Refused scans cost fewer.
OK_SCAN_QUERIES = 7
SCAN_QUERY_BUDGET = OK_SCAN_QUERIES


def test_query_count_of_an_ok_scan(gate, running_fair, badges, device_token, django_assert_num_queries):
    codes = [services.badge_code(b) for b in badges]
    post(gate, body(running_fair, codes[0]))  # warm: key cache, last_seen_at written
    with django_assert_num_queries(OK_SCAN_QUERIES) as captured:
        response = post(gate, body(running_fair, codes[1]))
    assert response.json()["result"] == "ok"
    statements = [q["sql"].split()[0].upper() for q in captured.captured_queries]
    assert statements.count("INSERT") == 1 and statements.count("UPDATE") == 1
    assert statements.count("SAVEPOINT") == 1
    # The badge is locked alone: FOR UPDATE on a join with the fair would lock the fair's row too.
    if connection.vendor == "postgresql":  # a prepared statement (badges/scan_sql.py)
        assert any(q["sql"].startswith("EXECUTE souk_badge_for_scan") for q in captured.captured_queries)
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name = 'souk_badge_for_scan'")
            badge_lock = cursor.fetchone()[0]
        assert badge_lock.endswith("FOR UPDATE OF b")
    else:
        badge_lock = next(
            sql
            for sql in (q["sql"] for q in captured.captured_queries)
            if sql.startswith("SELECT") and "FROM badges_badge" in sql
        )
    assert "fairs_fair" not in badge_lock


@pytest.mark.parametrize("result", ["already_inside", "invalid"])
def test_refused_scans_stay_within_the_budget(
    gate, running_fair, badges, code, result, django_assert_max_num_queries
):
    post(gate, body(running_fair, code))
    with django_assert_max_num_queries(SCAN_QUERY_BUDGET):
        data = post(gate, body(running_fair, code if result == "already_inside" else "nonsense!")).json()
    assert data["result"] == result


# --- Offline upload -------------------------------------------------------------------------


def queued(code, nonce, hour, minute=0, **changes) -> dict:
    return {
        "code": code, "gate": "A", "direction": "in", "nonce": nonce,
        "device_time": at(hour, minute).isoformat(), "local_result": "ok",
    } | changes  # fmt: skip


def test_an_offline_upload_reports_the_conflict(running_fair, badges, code):
    gate_a = device_client(services.device_create(name="A", fair=running_fair, actor=None)[1])
    gate_b = device_client(services.device_create(name="B", fair=running_fair, actor=None)[1])
    other = services.badge_code(badges[1])

    first = post(
        gate_a,
        {"fair": running_fair.pk, "scans": [queued(code, "a1", 9, 40), queued(other, "a2", 9, 41)]},
        UPLOAD,
    )
    second = post(gate_b, {"fair": running_fair.pk, "scans": [queued(code, "b1", 9, 50, gate="B")]}, UPLOAD)

    assert first.status_code == second.status_code == 200
    assert first.json()["conflicts"] == 0
    assert [(r["nonce"], r["result"], r["conflict"]) for r in first.json()["results"]] == [
        ("a1", "ok", False), ("a2", "ok", False),
    ]  # fmt: skip
    data = second.json()
    assert data["conflicts"] == 1
    [result] = data["results"]
    assert (result["nonce"], result["result"], result["replayed"], result["conflict"]) == (
        "b1", "already_inside", False, True,
    )  # fmt: skip
    assert result["badge"]["serial"] == badges[0].serial
    assert dt.datetime.fromisoformat(result["badge"]["inside_since"]) == at(9, 40)
    counters = gate_a.get(f"/api/v1/scanner/fairs/{running_fair.pk}/counters/").json()
    assert counters == {"inside_now": 2, "arrived_today": 2, "expected": 3}
    assert CheckIn.objects.filter(conflict=True).count() == 1


def test_an_upload_sent_again_records_nothing_more(gate, running_fair, badges, code):
    data = {
        "fair": running_fair.pk,
        "scans": [queued(code, "1", 9), queued("junk", "2", 9, 1, local_result="invalid")],
    }
    post(gate, data, UPLOAD)
    again = post(gate, data, UPLOAD).json()
    assert [(r["result"], r["replayed"]) for r in again["results"]] == [("ok", True), ("invalid", True)]
    assert CheckIn.objects.count() == 2


def test_an_upload_answers_in_a_bounded_number_of_queries(
    gate, running_fair, badges, django_assert_max_num_queries
):
    codes = [services.badge_code(b) for b in badges]
    post(gate, {"fair": running_fair.pk, "scans": [queued(codes[0], "warm", 8)]}, UPLOAD)
    with CaptureQueriesContext(connection) as one:
        post(gate, {"fair": running_fair.pk, "scans": [queued(codes[1], "x", 9)]}, UPLOAD)
    with CaptureQueriesContext(connection) as two:
        post(
            gate,
            {
                "fair": running_fair.pk,
                "scans": [queued(codes[2], "y", 9), queued(codes[0], "z", 10, direction="out")],
            },
            UPLOAD,
        )
    per_scan = len(two) - len(one)
    assert per_scan <= OK_SCAN_QUERIES - 2  # no device or fair per scan: savepoint, badge, insert, update


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"scans": "nope"}, "scans"),
        ({"scans": [{"code": "x"}]}, "scans.0.gate"),
        ({"scans": [{"code": "x", "gate": "A", "direction": "up", "nonce": "1"}]}, "scans.0.direction"),
        (
            {"scans": [{"code": "x", "gate": "A", "direction": "in", "nonce": "1", "local_result": "great"}]},
            "scans.0.local_result",
        ),
        (
            {"scans": [{"code": "x", "gate": "A", "direction": "in", "nonce": "1", "device_time": "soon"}]},
            "scans.0.device_time",
        ),
        ({"scans": [{"code": "x" * 8000, "gate": "A", "direction": "in", "nonce": "1"}]}, "scans.0.code"),
        ({"fair": "x", "scans": []}, "fair"),
    ],
)
def test_a_malformed_upload_is_refused_whole(gate, running_fair, badges, code, data, field):
    good = queued(code, "good", 9)
    payload = {"fair": running_fair.pk} | data
    if isinstance(payload["scans"], list):
        payload["scans"] = [good, *payload["scans"]]
        field = field.replace("scans.0", "scans.1")
    response = post(gate, payload, UPLOAD)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert response.json()["detail"].startswith(field)
    assert nothing_changed(badges)  # the good scan before it was not recorded either


def test_an_upload_of_more_than_1000_scans_is_refused(gate, running_fair, badges, code):
    scans = [queued("x", str(i), 9) for i in range(1001)]
    response = post(gate, {"fair": running_fair.pk, "scans": scans}, UPLOAD)
    assert response.status_code == 400 and "scans" in response.json()["errors"]
    assert nothing_changed(badges)


# --- Scanner fairs, bundle, counters ----------------------------------------------------------


def test_the_fairs_list_shows_scannable_fairs(scanner_user, running_fair):
    today = timezone.localdate()
    published = FairFactory(status=Fair.Status.PUBLISHED)
    recent = FairFactory(
        status=Fair.Status.CLOSED,
        starts_on=today - dt.timedelta(days=5),
        ends_on=today - dt.timedelta(days=3),
    )
    FairFactory(
        status=Fair.Status.CLOSED,
        starts_on=today - dt.timedelta(days=60),
        ends_on=today - dt.timedelta(days=50),
    )
    FairFactory(status=Fair.Status.DRAFT)
    FairFactory(status=Fair.Status.ALLOCATING)
    data = user_client(scanner_user).get("/api/v1/scanner/fairs/").json()
    assert sorted(f["id"] for f in data) == sorted([running_fair.pk, published.pk, recent.pk])
    mine = next(f for f in data if f["id"] == running_fair.pk)
    assert mine == {
        "id": running_fair.pk, "name": running_fair.name, "name_ar": running_fair.name_ar,
        "starts_on": running_fair.starts_on.isoformat(), "ends_on": running_fair.ends_on.isoformat(),
        "status": "running",
    }  # fmt: skip


def test_a_device_bound_to_a_fair_lists_only_it(gate, running_fair):
    FairFactory(status=Fair.Status.RUNNING)
    assert [f["id"] for f in gate.get("/api/v1/scanner/fairs/").json()] == [running_fair.pk]


def test_the_bundle_has_what_an_offline_device_needs(gate, running_fair, badges, code):
    services.badge_revoke(badge=badges[2], actor=None, reason="lost")
    post(gate, body(running_fair, code))
    response = gate.get(f"/api/v1/scanner/fairs/{running_fair.pk}/bundle/")
    assert response.status_code == 200
    data = response.json()
    setup = services.setup_for(running_fair)
    assert base64.b64decode(data["public_key"]) == bytes(setup.public_key)
    assert data["fair"] == {
        "id": running_fair.pk, "name": running_fair.name, "name_ar": running_fair.name_ar,
        "starts_on": running_fair.starts_on.isoformat(), "ends_on": running_fair.ends_on.isoformat(),
    }  # fmt: skip
    assert {b["serial"] for b in data["badges"]} == {b.serial for b in badges}
    assert data["revoked"] == [badges[2].serial]
    entries = {b["serial"]: b for b in data["badges"]}
    assert entries[badges[2].serial]["revoked"] is True and entries[badges[0].serial]["revoked"] is False
    assert entries[badges[0].serial]["inside_since"] is not None
    assert set(entries[badges[0].serial]) == {
        "serial", "kind", "name", "name_ar", "organisation", "role_label", "booth", "craft", "photo",
        "valid_from", "valid_until", "revoked", "inside_since",
    }  # fmt: skip
    assert data["counters"] == {"inside_now": 1, "arrived_today": 1, "expected": 2}
    # The device verifies codes with the public key alone, as the scanner page does.
    assert codec.decode(code, base64.b64decode(data["public_key"])).serial == badges[0].serial


def test_the_bundle_is_gzipped_for_clients_that_accept_it(gate, running_fair, badges):
    plain = gate.get(f"/api/v1/scanner/fairs/{running_fair.pk}/bundle/")
    zipped = gate.get(f"/api/v1/scanner/fairs/{running_fair.pk}/bundle/", HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(zipped.content))["revoked"] == plain.json()["revoked"] == []


def test_a_fair_without_badges_has_an_empty_bundle(gate, running_fair):
    data = gate.get(f"/api/v1/scanner/fairs/{running_fair.pk}/bundle/").json()
    assert (data["public_key"], data["badges"], data["revoked"]) == (None, [], [])


def test_the_bundle_costs_the_same_queries_for_3_or_30_badges(gate, running_fair, badges, staff_user):
    url = f"/api/v1/scanner/fairs/{running_fair.pk}/bundle/"
    gate.get(url)  # last_seen_at written
    with CaptureQueriesContext(connection) as few:
        assert len(gate.get(url).json()["badges"]) == 3
    for _ in range(27):
        ApplicationFactory(fair=running_fair, status=ApplicationStatus.CONFIRMED)
    services.badges_issue_for_fair(fair=running_fair, actor=staff_user)
    with CaptureQueriesContext(connection) as many:
        assert len(gate.get(url).json()["badges"]) == 30
    assert len(many) == len(few) <= 6


def test_counters_endpoint(gate, running_fair, badges, code):
    post(gate, body(running_fair, code))
    data = gate.get(f"/api/v1/scanner/fairs/{running_fair.pk}/counters/").json()
    assert data == {"inside_now": 1, "arrived_today": 1, "expected": 3}
    assert gate.get("/api/v1/scanner/fairs/999999/counters/").status_code == 404


def test_counters_cost_three_queries_whatever_the_day(
    gate, running_fair, badges, code, staff_user, django_assert_num_queries
):
    """The scanner reads them after each quiet spell: device, fair, one aggregate over badges."""
    post(gate, body(running_fair, code))  # warm: last_seen_at written
    url = f"/api/v1/scanner/fairs/{running_fair.pk}/counters/"
    with django_assert_num_queries(3):
        gate.get(url)
    for _ in range(4):
        ApplicationFactory(fair=running_fair, status=ApplicationStatus.CONFIRMED)
    for issued in services.badges_issue_for_fair(fair=running_fair, actor=staff_user):
        post(gate, body(running_fair, issued.serial))
    with django_assert_num_queries(3):
        assert gate.get(url).json()["arrived_today"] == 5


# --- Check-ins list (staff) -----------------------------------------------------------------


def test_staff_read_the_check_ins_of_a_fair(staff, gate, running_fair, badges, code, other_badge):
    post(gate, body(running_fair, code))
    post(gate, body(running_fair, "junk"))
    response = staff.get(CHECK_INS, {"fair": running_fair.pk})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["result"] for r in rows] == ["invalid", "ok"]
    assert rows[1]["serial"] == badges[0].serial and rows[1]["device_name"] == "Gate A phone"
    assert staff.get(CHECK_INS, {"fair": running_fair.pk, "result": "ok"}).json()["count"] == 1
    assert staff.get(CHECK_INS, {"fair": other_badge.fair_id}).json()["count"] == 0


def test_the_check_ins_list_has_a_query_budget(staff, gate, running_fair, badges, django_assert_num_queries):
    codes = [services.badge_code(b) for b in badges]
    post(gate, body(running_fair, codes[0]))

    def count():
        with CaptureQueriesContext(connection) as queries:
            staff.get(CHECK_INS, {"fair": running_fair.pk})
        return len(queries)

    one = count()
    post(gate, body(running_fair, codes[1]))
    post(gate, body(running_fair, codes[2]))
    assert count() == one


# --- Badges (staff) -------------------------------------------------------------------------


def test_staff_list_and_filter_badges(staff, running_fair, badges, other_badge):
    services.badge_revoke(badge=badges[1], actor=None, reason="lost")
    press = services.badge_create(fair=running_fair, actor=None, kind="press", name="Samira Journaliste")
    assert staff.get("/api/v1/badges/").json()["count"] == 5
    assert staff.get("/api/v1/badges/", {"fair": running_fair.pk}).json()["count"] == 4
    assert [b["serial"] for b in staff.get("/api/v1/badges/", {"kind": "press"}).json()["results"]] == [
        press.serial
    ]
    assert [b["id"] for b in staff.get("/api/v1/badges/", {"revoked": "true"}).json()["results"]] == [
        badges[1].pk
    ]
    assert staff.get("/api/v1/badges/", {"revoked": "false", "fair": running_fair.pk}).json()["count"] == 3
    assert [b["id"] for b in staff.get("/api/v1/badges/", {"search": "journaliste"}).json()["results"]] == [
        press.pk
    ]
    assert [
        b["id"] for b in staff.get("/api/v1/badges/", {"search": badges[0].serial}).json()["results"]
    ] == [badges[0].pk]


def test_the_badge_list_has_a_query_budget(staff, running_fair, badges, staff_user):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert staff.get("/api/v1/badges/").status_code == 200
        return len(queries)

    three = count()
    for _ in range(3):
        ApplicationFactory(fair=running_fair, status=ApplicationStatus.CONFIRMED)
    services.badges_issue_for_fair(fair=running_fair, actor=staff_user)
    assert count() == three


def test_a_badge_read_has_its_code(staff, badge, code):
    data = staff.get(f"/api/v1/badges/{badge.pk}/").json()
    assert data["code"] == code and data["serial"] == badge.serial and data["revoked"] is False


def test_staff_create_a_badge(staff, running_fair):
    response = post(
        staff,
        {"fair": running_fair.pk, "kind": "vip", "name": "Le Wali", "name_ar": "الوالي"},
        "/api/v1/badges/",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["kind"], data["name_ar"], data["valid_from"]) == (
        "vip",
        "الوالي",
        running_fair.starts_on.isoformat(),
    )
    assert codec.decode(data["code"], services.public_key(running_fair.pk, fresh=True)).kind == "vip"
    assert AuditEntry.objects.filter(action="badge.create").count() == 1


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"kind": "exhibitor", "name": "X"}, "kind_invalid"),
        ({"kind": "juror", "name": "X"}, "invalid"),
        ({"kind": "press", "name": ""}, "invalid"),
        ({"kind": "press", "name": "X", "valid_from": "2001-01-01"}, "validity_outside_fair"),
        ({"kind": "press", "name": "X", "email": "not-an-email"}, "invalid"),
    ],
)
def test_a_bad_badge_is_refused(staff, running_fair, data, code):
    response = post(staff, {"fair": running_fair.pk} | data, "/api/v1/badges/")
    assert response.status_code == 400 and response.json()["code"] == code
    assert not Badge.objects.exists()


def test_issue_then_issue_again(staff, running_fair):
    assert post(staff, {"fair": running_fair.pk}, "/api/v1/badges/issue/").json() == {"issued": 3}
    assert post(staff, {"fair": running_fair.pk}, "/api/v1/badges/issue/").json() == {"issued": 0}
    draft = FairFactory()
    response = post(staff, {"fair": draft.pk}, "/api/v1/badges/issue/")
    assert response.status_code == 400 and response.json()["code"] == "fair_not_issuing"


def test_revoke_needs_a_reason_and_happens_once(staff, badge):
    url = f"/api/v1/badges/{badge.pk}/revoke/"
    response = post(staff, {}, url)
    assert response.status_code == 400 and response.json()["code"] == "reason_required"
    assert post(staff, {"reason": "lost"}, url).json()["revoked"] is True
    response = post(staff, {"reason": "again"}, url)
    assert response.status_code == 400 and response.json()["code"] == "already_revoked"


def test_reissue_gives_a_new_badge_and_revokes_the_old(staff, gate, running_fair, badge, code):
    response = post(staff, {"reason": "misspelt"}, f"/api/v1/badges/{badge.pk}/reissue/")
    assert response.status_code == 201
    new = response.json()
    assert new["id"] != badge.pk and new["serial"] != badge.serial and new["code"] != code
    old = staff.get(f"/api/v1/badges/{badge.pk}/").json()
    assert (old["revoked"], old["replaced_by"]) == (True, new["id"])
    assert post(gate, body(running_fair, code)).json()["result"] == "revoked"
    assert post(gate, body(running_fair, new["code"])).json()["result"] == "ok"


def test_badge_pdfs(staff, running_fair, badges):
    one = staff.get(f"/api/v1/badges/{badges[0].pk}/pdf/")
    assert one.status_code == 200, one.content[:300]
    assert one["Content-Type"] == "application/pdf" and one.content.startswith(b"%PDF")
    sheet = staff.get(
        "/api/v1/badges/pdf/", {"fair": running_fair.pk, "layout": "sheet"}, HTTP_ACCEPT="application/pdf"
    )
    assert sheet.status_code == 200 and sheet["Content-Type"] == "application/pdf"
    assert f'filename="badges-{running_fair.slug}-sheets.pdf"' in sheet["Content-Disposition"]
    cards = staff.get("/api/v1/badges/pdf/", {"fair": running_fair.pk, "layout": "card", "kind": "exhibitor"})
    assert cards.status_code == 200 and cards.content.startswith(b"%PDF")
    assert f'filename="badges-{running_fair.slug}-exhibitor.pdf"' in cards["Content-Disposition"]


def test_badge_pdf_refusals(staff, running_fair, badges):
    response = staff.get("/api/v1/badges/pdf/")
    assert response.status_code == 400 and "fair" in response.json()["errors"]
    response = staff.get("/api/v1/badges/pdf/", {"fair": running_fair.pk, "layout": "poster"})
    assert response.status_code == 400 and "layout" in response.json()["errors"]
    services.badge_revoke(badge=badges[0], actor=None, reason="lost")
    response = staff.get(f"/api/v1/badges/{badges[0].pk}/pdf/")
    assert response.status_code == 400 and response.json()["code"] == "badge_revoked"
    empty = FairFactory(status=Fair.Status.RUNNING)
    response = staff.get("/api/v1/badges/pdf/", {"fair": empty.pk})
    assert response.status_code == 400 and response.json()["code"] == "nothing_to_print"


# --- Scanner devices (staff) ----------------------------------------------------------------


def test_staff_create_a_device_and_see_its_token_once(staff, running_fair, badges, code):
    response = post(staff, {"name": "Gate C tablet", "fair": running_fair.pk}, "/api/v1/scanner-devices/")
    assert response.status_code == 201
    created = response.json()
    token = created["token"]
    device = ScannerDevice.objects.get(pk=created["id"])
    assert device.token_hash == ScannerDevice.hash_token(token) and token not in device.token_hash
    listed = staff.get("/api/v1/scanner-devices/").json()["results"]
    assert [d["id"] for d in listed] == [device.pk] and "token" not in listed[0]
    assert "token" not in staff.get(f"/api/v1/scanner-devices/{device.pk}/").json()
    # The token scans…
    assert post(device_client(token), body(running_fair, code)).status_code == 201
    # …until staff revoke the device.
    response = post(staff, {}, f"/api/v1/scanner-devices/{device.pk}/revoke/")
    assert response.status_code == 200 and response.json()["active"] is False
    assert post(device_client(token), body(running_fair, code)).status_code == 401


def test_a_device_needs_a_name(staff):
    response = post(staff, {"name": ""}, "/api/v1/scanner-devices/")
    assert response.status_code == 400 and "name" in response.json()["errors"]
    assert not ScannerDevice.objects.exists()


# --- Permission matrix ----------------------------------------------------------------------

ROLES = ["anonymous", "plain", "artisan", "reviewer", "scanner", "staff", "device", "revoked_device"]


@pytest.fixture
def world(make_user, running_fair, badges):
    artisan_user = make_user(username="artisan")
    ArtisanFactory(user=artisan_user)
    _device, token = services.device_create(name="gate", fair=None, actor=None)
    revoked, revoked_token = services.device_create(name="old gate", fair=None, actor=None)
    services.device_revoke(device=revoked, actor=None)
    users = {
        "plain": make_user(username="someone"),
        "artisan": artisan_user,
        "reviewer": make_user("reviewer", username="jury"),
        "scanner": make_user("scanner", username="gatekeeper"),
        "staff": make_user("staff", username="delegation"),
    }
    clients = {role: user_client(user) for role, user in users.items()}
    clients["anonymous"] = APIClient()
    clients["device"] = device_client(token)
    clients["revoked_device"] = device_client(revoked_token)
    return {"clients": clients, "fair": running_fair, "badge": badges[0]}


def _request(world, method, path):
    fair, badge = world["fair"], world["badge"]
    path = path.format(fair=fair.pk, badge=badge.pk)
    data = None
    if path == CHECK_INS and method == "post":
        data = body(fair, services.badge_code(badge))
    elif path == UPLOAD:
        data = {"fair": fair.pk, "scans": [queued(badge.serial, "u1", 9)]}
    elif path.endswith("/revoke/"):
        data = {"reason": "test"}
    elif path == "/api/v1/badges/issue/":
        data = {"fair": fair.pk}
    return method, path, data


# (method, path) → expected status for each role, in ROLES order. 401 where the endpoint knows
# the Device scheme and the caller is anonymous (WWW-Authenticate: Device), 403 elsewhere.
SCANNER_OK = {"anonymous": 401, "plain": 403, "artisan": 403, "reviewer": 403, "scanner": 200,
              "staff": 200, "device": 200, "revoked_device": 401}  # fmt: skip
STAFF_ONLY = {"anonymous": 403, "plain": 403, "artisan": 403, "reviewer": 403, "scanner": 403,
              "staff": 200, "device": 403, "revoked_device": 403}  # fmt: skip
MATRIX = [
    ("get", "/api/v1/scanner/fairs/", SCANNER_OK),
    ("get", "/api/v1/scanner/fairs/{fair}/bundle/", SCANNER_OK),
    ("get", "/api/v1/scanner/fairs/{fair}/counters/", SCANNER_OK),
    ("post", CHECK_INS, SCANNER_OK | {"scanner": 201, "staff": 201, "device": 201}),
    ("post", UPLOAD, SCANNER_OK),
    # The check-ins list knows the Device scheme: a device is authenticated, and refused (403).
    ("get", CHECK_INS, STAFF_ONLY | {"anonymous": 401, "revoked_device": 401}),
    ("get", "/api/v1/badges/", STAFF_ONLY),
    ("get", "/api/v1/badges/{badge}/", STAFF_ONLY),
    ("post", "/api/v1/badges/issue/", STAFF_ONLY),
    ("post", "/api/v1/badges/{badge}/revoke/", STAFF_ONLY),
    ("get", "/api/v1/badges/{badge}/pdf/", STAFF_ONLY),
    ("get", "/api/v1/scanner-devices/", STAFF_ONLY),
    ("post", "/api/v1/scanner-devices/", STAFF_ONLY | {"staff": 400}),  # staff: no name sent
]
CASES = [(method, path, role, expected[role]) for method, path, expected in MATRIX for role in ROLES]


@pytest.mark.parametrize(("method", "path", "role", "expected"), CASES)
def test_permission_matrix(world, method, path, role, expected):
    method, path, data = _request(world, method, path)
    response = getattr(world["clients"][role], method)(path, data, format="json")
    assert response.status_code == expected, (role, path, response.content[:200])
    if expected >= 400:
        assert not CheckIn.objects.exists()


DEVICE_REFUSER = "badges.authentication.DeviceTokenRefused"
needs_refuser = pytest.mark.skipif(
    DEVICE_REFUSER not in django_settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"],
    reason="a public list answers a device token as anonymous until DeviceTokenRefused is a default class",
)


@pytest.mark.parametrize("role", ["device", "revoked_device"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/me/"),
        ("get", "/api/v1/me/applications/"),
        ("get", "/api/v1/applications/"),
        ("get", "/api/v1/artisans/"),
        ("post", "/api/v1/fairs/"),
        ("get", "/api/v1/booths/"),
        ("get", "/api/v1/badges/"),
        ("get", CHECK_INS),  # "a device token cannot read reports": reports are not built yet
        pytest.param("get", "/api/v1/fairs/", marks=needs_refuser),
        pytest.param("get", "/api/v1/fairs/{fair}/", marks=needs_refuser),
    ],
)
def test_a_device_token_opens_nothing_but_scanning(world, role, method, path):
    method, path, data = _request(world, method, path)
    response = getattr(world["clients"][role], method)(path, data, format="json")
    assert response.status_code in (401, 403), (path, response.status_code)


@needs_refuser
def test_a_device_token_on_another_endpoint_is_told_why(world):
    response = world["clients"]["device"].get("/api/v1/fairs/")
    assert response.status_code == 403 and response.json()["code"] == "device_token_not_allowed"


def test_the_schema_documents_the_results_and_the_device_scheme(staff):
    response = staff.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["components"]["schemas"]["CheckInResult"]["enum"] == list(R.values)
    assert schema["components"]["securitySchemes"]["deviceToken"]["in"] == "header"
    assert {"deviceToken": []} in schema["paths"]["/api/v1/check-ins/"]["post"]["security"]
    assert {"deviceToken": []} not in schema["paths"]["/api/v1/badges/"]["get"]["security"]


def test_the_scanner_device_list_has_a_query_budget(staff, staff_user):
    def count():
        with CaptureQueriesContext(connection) as queries:
            response = staff.get("/api/v1/scanner-devices/")
        assert response.status_code == 200
        return len(queries), len(response.json()["results"])

    services.device_create(name="Gate A", fair=FairFactory(), actor=staff_user)
    one, listed = count()
    for n in range(3):
        services.device_create(name=f"Gate {n}", fair=FairFactory(), actor=staff_user)
    assert count() == (one, listed + 3)
