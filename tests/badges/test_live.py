"""The staff live view of entry (/staff/fairs/<pk>/entry/) and the reads behind it (badges.live).

The scans are made through the real ``check_in`` service at known times of the day, so every
figure below is counted by hand from the story in ``entry``.
"""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from badges import live, services
from badges.models import Badge, BadgeKind, CheckInResult, Direction
from badges.selectors import fair_counters
from booths.models import Assignment
from core.demo import at
from fairs.models import Fair
from registrations.models import ApplicationStatus
from tests.factories import ApplicationFactory, ArtisanFactory, BoothFactory, FairFactory, ZoneFactory


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read English wording (users made here get English as their language)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _forget_public_keys():
    """services caches each fair's public key by fair id, and a rolled-back test gives the next
    one the same ids: a stale key would make every code "invalid"."""
    services._public_keys.clear()


class Gate:
    """A scanner at a gate: scans through the service, each with a fresh nonce."""

    def __init__(self, fair, name, device):
        self.fair, self.name, self.device, self.count = fair, name, device, 0

    def scan(self, badge_or_code, direction, when, *, offline=False, local_result=""):
        self.count += 1
        code = badge_or_code if isinstance(badge_or_code, str) else services.badge_code(badge_or_code)
        return services.check_in(
            fair=self.fair, code=code, gate=self.name, direction=direction, device=self.device,
            nonce=f"{self.name}-{self.count}", now=when, device_time=when if offline else None,
            offline=offline, local_result=local_result,
        )  # fmt: skip


def make_fair(staff_user, *, exhibitors_per_zone=(2, 2), unplaced=1):
    """A fair running yesterday, today and tomorrow, with two zones, exhibitors placed in them
    (``exhibitors_per_zone``) and ``unplaced`` without a booth, all with badges."""
    today = timezone.localdate()
    fair = FairFactory(
        status=Fair.Status.RUNNING,
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=1),
    )
    zones = [
        ZoneFactory(fair=fair, name="Hall A", position=1),
        ZoneFactory(fair=fair, name="Hall B", position=2),
    ]
    applications = {}
    for zone, count in zip(zones, exhibitors_per_zone, strict=True):
        for n in range(count):
            code = f"{zone.name[-1]}{n + 1:02d}"
            booth = BoothFactory(zone=zone, code=code)
            application = ApplicationFactory(fair=fair, status=ApplicationStatus.CONFIRMED)
            Assignment.objects.create(booth=booth, application=application, fair=fair, method="manual")
            applications[code] = application
    for n in range(unplaced):
        applications[f"none{n}"] = ApplicationFactory(
            fair=fair, status=ApplicationStatus.CONFIRMED, artisan=ArtisanFactory(phone="+212612345678")
        )
    services.badges_issue_for_fair(fair=fair, actor=staff_user)
    badges = {key: Badge.objects.get(application=application) for key, application in applications.items()}
    device_a, _token = services.device_create(name="Tablette porte A", fair=fair, actor=staff_user)
    device_b, _token = services.device_create(name="Téléphone porte B", fair=fair, actor=staff_user)
    return fair, badges, Gate(fair, "Porte A", device_a), Gate(fair, "Porte B", device_b)


@pytest.fixture
def entry(staff_user):
    """The story of two days at the gates (times are local, today and yesterday)."""
    fair, badges, gate_a, gate_b = make_fair(staff_user)
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    staff_badge = services.badge_create(
        fair=fair, actor=staff_user, kind=BadgeKind.STAFF, name="Naïma El Fassi"
    )
    # Yesterday: A01 came at 9:00 and never scanned out.
    gate_a.scan(badges["A01"], Direction.IN, at(yesterday, 9, 0))
    # Today.
    gate_a.scan(staff_badge, Direction.IN, at(today, 7, 30))
    gate_a.scan(badges["A01"], Direction.IN, at(today, 8, 40))
    gate_a.scan(badges["A02"], Direction.IN, at(today, 9, 10))
    refused = gate_a.scan(badges["A02"], Direction.IN, at(today, 9, 12))  # scanned twice
    gate_a.scan(badges["B01"], Direction.IN, at(today, 9, 50))
    # Gate B was offline and let B01 in again: the server says already inside — a conflict.
    conflict = gate_b.scan(
        badges["B01"], Direction.IN, at(today, 9, 55), offline=True, local_result=CheckInResult.OK
    )
    gate_b.scan("NOT-A-BADGE-CODE", Direction.IN, at(today, 10, 5))
    gate_a.scan(badges["A02"], Direction.OUT, at(today, 12, 0))
    gate_a.scan(badges["A01"], Direction.OUT, at(today, 12, 30))
    gate_b.scan(badges["A01"], Direction.IN, at(today, 13, 45))
    assert refused.result == CheckInResult.ALREADY_INSIDE
    assert conflict.result == CheckInResult.ALREADY_INSIDE and conflict.conflict
    return {
        "fair": fair,
        "badges": badges,
        "staff_badge": staff_badge,
        "today": today,
        "yesterday": yesterday,
    }


def noon(day):
    return at(day, 14, 0)


# --- The reads --------------------------------------------------------------------------


def test_the_default_day_is_today_while_the_fair_runs_else_its_last_or_first_day():
    fair = Fair(starts_on=dt.date(2024, 6, 13), ends_on=dt.date(2024, 6, 22))
    assert live.default_day(fair, dt.date(2024, 6, 15)) == dt.date(2024, 6, 15)
    assert live.default_day(fair, dt.date(2025, 1, 1)) == dt.date(2024, 6, 22)
    assert live.default_day(fair, dt.date(2024, 5, 1)) == dt.date(2024, 6, 13)
    assert live.parse_day(fair, "2024-06-14", dt.date(2025, 1, 1)) == dt.date(2024, 6, 14)
    assert live.parse_day(fair, "2024-06-30", dt.date(2025, 1, 1)) == dt.date(2024, 6, 22)  # not a fair day
    assert live.parse_day(fair, "yesterday", dt.date(2024, 6, 15)) == dt.date(2024, 6, 15)
    assert len(live.fair_days(fair)) == 10


@pytest.mark.django_db
def test_arrivals_per_hour_count_each_person_once_at_their_first_entry(entry):
    hours = live.arrivals_by_hour(entry["fair"], entry["today"])
    assert [h.hour for h in hours] == list(range(7, 20))  # 7:00 (the staff badge) to the usual 19:00
    counted = {h.hour: (h.exhibitors, h.others) for h in hours if h.total}
    # A01 at 8:40 (its 13:45 return is not an arrival), A02 9:10, B01 9:50; staff 7:30.
    assert counted == {7: (0, 1), 8: (1, 0), 9: (2, 0)}
    yesterday = live.arrivals_by_hour(entry["fair"], entry["yesterday"])
    assert {h.hour: h.exhibitors for h in yesterday if h.total} == {9: 1}


@pytest.mark.django_db
def test_figures_inside_now_arrived_attendance_refusals_and_conflicts(entry):
    fair, today = entry["fair"], entry["today"]
    snapshot = live.live_day(fair, today, now=noon(today))
    f = snapshot.figures
    assert (f.inside_people, f.inside_exhibitors) == (3, 2)  # A01 and B01, and the staff badge
    assert (f.arrived, f.expected, f.rate) == (3, 5, 60)
    assert (f.scans, f.refused, f.conflicts, f.offline) == (10, 3, 1, 1)
    # People inside is what the scanners show.
    assert f.inside_people == fair_counters(fair, now=noon(today))["inside_now"]


@pytest.mark.django_db
def test_by_zone_counts_expected_arrived_and_inside_per_zone(entry):
    with translation.override("en"):
        zones = live.by_zone(entry["fair"], entry["today"], noon(entry["today"]))
    rows = [(z.name, z.expected, z.arrived, z.inside, z.rate) for z in zones]
    assert rows == [
        ("Hall A", 2, 2, 1, 100),  # A01 inside, A02 went out at noon
        ("Hall B", 2, 1, 1, 50),  # B01 inside, B02 missing
        ("no booth or zone", 1, 0, 0, 0),
    ]


@pytest.mark.django_db
def test_not_arrived_lists_the_missing_exhibitors_by_booth_with_their_phone(entry):
    missing = list(live.not_arrived(entry["fair"], entry["today"]))
    assert [b.pk for b in missing] == [entry["badges"]["B02"].pk, entry["badges"]["none0"].pk]
    assert missing[0].application.assignment.booth.code == "B02"
    assert missing[1].application.artisan.phone == "+212612345678"
    # Yesterday, everyone but A01 stayed away.
    assert len(live.not_arrived(entry["fair"], entry["yesterday"])) == 4


@pytest.mark.django_db
def test_a_past_day_counts_who_was_still_inside_at_the_close(entry):
    with translation.override("en"):
        snapshot = live.live_day(entry["fair"], entry["yesterday"], now=noon(entry["today"]))
    assert snapshot.when == "past"
    assert (snapshot.figures.inside_people, snapshot.figures.inside_exhibitors) == (1, 1)
    assert (snapshot.figures.arrived, snapshot.figures.expected) == (1, 5)
    assert [(z.name, z.inside) for z in snapshot.zones] == [
        ("Hall A", 1),
        ("Hall B", 0),
        ("no booth or zone", 0),
    ]
    tomorrow = live.live_day(entry["fair"], entry["today"] + dt.timedelta(days=1), now=noon(entry["today"]))
    assert tomorrow.when == "future" and tomorrow.figures.inside_people is None
    assert (tomorrow.figures.arrived, tomorrow.figures.expected, len(tomorrow.missing)) == (0, 5, 5)


@pytest.mark.django_db
def test_conflicts_name_the_gate_and_time_the_badge_entered_first(entry):
    found = live.conflicts(entry["fair"], entry["today"])
    assert len(found) == 1
    conflict = found[0]
    assert conflict.check_in.badge_id == entry["badges"]["B01"].pk
    assert conflict.check_in.gate == "Porte B"
    assert conflict.earlier_gate == "Porte A"
    assert timezone.localtime(conflict.earlier_at).time() == dt.time(9, 50)


@pytest.mark.django_db
def test_a_reissued_badge_is_still_the_same_exhibitor(entry, staff_user):
    """A02 entered with the old badge, then got a new one: still arrived, still five expected."""
    services.badge_reissue(badge=entry["badges"]["A02"], actor=staff_user, reason="perdu")
    f = live.live_day(entry["fair"], entry["today"], now=noon(entry["today"])).figures
    assert (f.arrived, f.expected) == (3, 5)
    assert entry["badges"]["A02"].pk not in {b.pk for b in live.not_arrived(entry["fair"], entry["today"])}


def test_the_chart_is_inline_svg_with_escaped_text():
    hours = [live.HourBar(8, 3, 1), live.HourBar(9, 0, 0), live.HourBar(10, 6, 0)]
    svg = live.arrivals_svg(hours, title="<Arrivées>")
    assert svg.startswith("<svg") and "<script" not in svg
    assert "&lt;Arrivées&gt;" in svg and "<Arrivées>" not in svg
    assert svg.count("<rect") == 3  # 8h exhibitors + others, 10h exhibitors
    assert re.findall(r">(\d+)</text>", svg) == ["4", "6"]  # totals above the bars
    assert ">08h<" in svg and ">10h<" in svg


# --- The page ---------------------------------------------------------------------------


def url(fair, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("badges:live_entry", kwargs={"fair_pk": fair.pk}) + (f"?{query}" if query else "")


@pytest.mark.django_db
def test_the_page_shows_the_day_to_staff(entry, staff_client):
    staff_client.cookies["django_language"] = "en"
    response = staff_client.get(url(entry["fair"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["live"].day == entry["today"]
    assert "inside now" in page
    assert re.search(r">\s*3 / 5\s*<", page)
    assert "60 %" in page
    assert "<svg" in page and 'http-equiv="refresh"' in page and "fragment=1" in page
    # The missing exhibitors, with their booth and a phone to call.
    assert "B02" in page and 'href="tel:+212612345678"' in page
    # Latest scans and the conflict link to the badge page.
    serial = entry["badges"]["B01"].serial
    assert f"/staff/badges/{serial}/" in page
    assert "Porte B" in page and "NOT-A-BADGE-C" in page
    # The day picker offers the fair's three days.
    assert len(re.findall(r'href="\?day=\d{4}-\d\d-\d\d"', page)) == 3


@pytest.mark.django_db
def test_the_fragment_is_the_figures_without_the_layout(entry, staff_client):
    response = staff_client.get(url(entry["fair"], fragment=1))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page and "<nav" not in page
    assert "<svg" in page and "B02" in page


@pytest.mark.django_db
def test_a_past_day_does_not_refresh_itself(entry, staff_client):
    staff_client.cookies["django_language"] = "en"
    response = staff_client.get(url(entry["fair"], day=entry["yesterday"].isoformat()))
    page = response.content.decode()
    assert response.context["live"].day == entry["yesterday"]
    assert "still inside at the close" in page
    assert 'http-equiv="refresh"' not in page and "fragment=1" not in page
    # A day outside the fair falls back to today.
    response = staff_client.get(url(entry["fair"], day="2001-01-01"))
    assert response.context["live"].day == entry["today"]


@pytest.mark.django_db
def test_only_staff_see_the_live_view(entry, client, scanner_user, plain_user, staff_user):
    page = url(entry["fair"])
    response = client.get(page)
    assert response.status_code == 302 and "/login" in response["Location"]
    missing = reverse("badges:live_entry", kwargs={"fair_pk": 999999})
    assert client.get(missing).status_code == 302  # the login first, not a 404
    for user in (scanner_user, plain_user):  # phone numbers are for staff only
        client.force_login(user)
        assert client.get(page).status_code == 403
        assert client.get(url(entry["fair"], fragment=1)).status_code == 403
    client.force_login(staff_user)
    assert client.get(page).status_code == 200
    assert client.get(missing).status_code == 404


def queries_for(client, fair) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(fair))
    assert response.status_code == 200
    return len(queries)


def busy_day(staff_user, exhibitors: int):
    """A fair today with ``exhibitors`` per zone: all but one arrive, a third go out, one conflict."""
    fair, badges, gate_a, gate_b = make_fair(staff_user, exhibitors_per_zone=(exhibitors, exhibitors))
    today = timezone.localdate()
    placed = [badge for key, badge in sorted(badges.items()) if not key.startswith("none")]
    for n, badge in enumerate(placed[1:]):
        gate_a.scan(badge, Direction.IN, at(today, 8 + n % 4, n % 60))
        if n % 3 == 0:
            gate_a.scan(badge, Direction.OUT, at(today, 12, n % 60))
    gate_b.scan(placed[1], Direction.IN, at(today, 11, 59), offline=True, local_result=CheckInResult.OK)
    gate_b.scan("garbage", Direction.IN, at(today, 10, 0))
    return fair


@pytest.mark.django_db
def test_the_page_reads_a_fixed_number_of_queries(staff_user, client):
    client.force_login(staff_user)
    small, large = busy_day(staff_user, 3), busy_day(staff_user, 30)
    assert Badge.objects.filter(fair=large).count() == 61
    few, many = queries_for(client, small), queries_for(client, large)
    assert few == many
    assert many <= 16


@pytest.mark.django_db
def test_a_long_missing_list_shows_the_first_and_links_to_all(entry, staff_client, monkeypatch):
    monkeypatch.setattr(live, "MISSING_SHOWN", 1)
    staff_client.cookies["django_language"] = "en"
    response = staff_client.get(url(entry["fair"]))
    snapshot = response.context["live"]
    assert [b.pk for b in snapshot.missing] == [entry["badges"]["B02"].pk] and snapshot.missing_count == 2
    page = response.content.decode()
    assert "Show all 2" in page and "missing=all" in page
    response = staff_client.get(url(entry["fair"], day=entry["today"].isoformat(), missing="all"))
    assert len(response.context["live"].missing) == 2
    # The refresh keeps asking for all of them (the query sits in a script, escaped for it).
    assert r'var url = "?day\u003D' in response.content.decode()
    assert r"\u0026missing\u003Dall&fragment=1" in response.content.decode()
