"""The demo floor plans and assignments ``seed_demo`` loads (booths/demo.py).

The whole demo seed takes several seconds, so this module seeds once: a module-scoped
fixture runs ``seed_demo`` inside a transaction it rolls back at the end, and each test
(in its own savepoint, rolled back after it) reads the same data.
"""

import hashlib
import random
import re
from collections import Counter, defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booths import engine
from booths.allocation import allocation_preview, build_inputs
from booths.demo import Need, PlannedBooth, demo_fairs, extend, layout, seed_assignments, seed_plans
from booths.models import AllocationRun, Assignment, Booth, Zone
from core.demo import DemoContext
from core.models import AuditEntry, CraftCategory
from fairs.models import Fair
from registrations.demo import DEMO_ARTISAN
from registrations.models import Application, BoothKind
from tests.seeding import seeded_demo

S = Application.Status
ARABIC = re.compile(r"[\u0600-\u06FF]")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo region, seeded once for the module and rolled back after it."""
    with seeded_demo(django_db_blocker, None) as output:
        yield output


def organized(*statuses):
    return Fair.objects.filter(role=Fair.Role.ORGANIZER, status__in=statuses).order_by("starts_on")


def overlapping(booths) -> list[tuple[str, str]]:
    """Pairs of booths whose rectangles overlap (a sweep along x)."""
    found = []
    ordered = sorted(booths, key=lambda b: b.x)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b.x >= a.x + a.width:
                break
            if a.y < b.y + b.depth and b.y < a.y + a.depth:
                found.append((a.code, b.code))
    return found


def sectors(craft_ids, parent_of) -> set[int]:
    return {parent_of.get(pk) or pk for pk in craft_ids}


@pytest.mark.django_db
def test_every_confirmed_exhibitor_of_a_closed_fair_has_one_booth_that_fits(seeded):
    closed = list(organized(Fair.Status.CLOSED))
    assert len(closed) == 23  # the local fairs of 2021–2024 (the exhibitions are not ours to plan)
    parent_of = dict(CraftCategory.objects.values_list("pk", "parent_id"))
    zone_crafts = defaultdict(set)
    for zone_id, craft_id in Zone.craft_categories.through.objects.values_list("zone_id", "craftcategory_id"):
        zone_crafts[zone_id].add(craft_id)
    runs = {run.fair_id: run for run in AllocationRun.objects.all()}
    # The closed fairs and the one running today were allocated.
    allocated = closed + list(organized(Fair.Status.RUNNING))
    assert len(allocated) == 24
    assert set(runs) == {fair.pk for fair in allocated}

    for fair in allocated:
        confirmed = {
            a.pk: a
            for a in Application.objects.filter(fair=fair, status=S.CONFIRMED)
            .select_related("artisan")
            .prefetch_related("artisan__other_crafts")
        }
        assignments = list(Assignment.objects.filter(application__fair=fair).select_related("booth"))
        placed = Counter(a.application_id for a in assignments)
        assert set(placed) == set(confirmed), fair.slug
        assert set(placed.values()) == {1}, fair.slug
        for assignment in assignments:
            application, booth = confirmed[assignment.application_id], assignment.booth
            where = f"{fair.slug} {booth.code}"
            assert assignment.fair_id == booth.fair_id == fair.pk, where
            assert assignment.method == Assignment.Method.AUTO and not assignment.locked, where
            assert booth.status == Booth.Status.AVAILABLE, where
            assert (booth.kind, booth.size) == (application.booth_kind, application.booth_size), where
            assert booth.has_electricity or not application.needs_electricity, where
            assert booth.accessible or not application.needs_accessibility, where
            crafts = {
                application.artisan.main_craft_id,
                *(c.pk for c in application.artisan.other_crafts.all()),
            }
            assert sectors(zone_crafts[booth.zone_id], parent_of) & sectors(crafts, parent_of), where
            assert set(assignment.explanation) <= set(engine.EXPLANATIONS), where
        # The engine's own checker agrees, on the inputs the allocation service reads.
        booths, requests = build_inputs(fair)
        written = engine.Allocation(
            tuple(engine.Placement(a.application_id, a.booth_id, tuple(a.explanation)) for a in assignments),
            (),
            engine.Metrics(len(assignments), 0, None, None, None, None, None, 0),
        )
        assert engine.check(booths, requests, written) == [], fair.slug
        run = runs[fair.pk]
        assert run.placed == len(confirmed) and run.unplaced == [], fair.slug
        assert run.metrics["hard_violations"] == 0
        assert run.created_at.date() < fair.starts_on  # allocated before the fair, as it was


@pytest.mark.django_db
def test_the_plans_are_laid_out_like_halls(seeded):
    planned = organized(*Fair.Status.values).filter(booths__isnull=False).distinct()
    assert planned.count() == 26  # 23 closed, the regional and carpet fairs open now, one running
    fair_crafts = defaultdict(set)
    for fair_id, craft_id in Fair.craft_categories.through.objects.values_list("fair_id", "craftcategory_id"):
        fair_crafts[fair_id].add(craft_id)
    for fair in planned:
        zones = list(Zone.objects.filter(fair=fair).prefetch_related("craft_categories"))
        assert 2 <= len(zones) <= 4, fair.slug
        for zone in zones:
            assert ARABIC.search(zone.name_ar) and zone.name != zone.name_ar, zone.name
            assert re.fullmatch(r"#[0-9a-f]{6}", zone.colour)
            crafts = {c.pk for c in zone.craft_categories.all()}
            assert crafts and crafts <= fair_crafts[fair.pk], zone.name
        booths = list(Booth.objects.filter(fair=fair))
        assert {b.zone_id for b in booths} == {z.pk for z in zones}, fair.slug
        assert len({b.code for b in booths}) == len(booths), fair.slug
        assert overlapping(booths) == [], fair.slug
        for booth in booths:
            booth.full_clean(exclude=["fair", "zone"], validate_unique=False, validate_constraints=False)
            assert Decimal(0) <= booth.price <= Decimal(1500)
            if fair.fee == 0:
                assert booth.price == 0
        # Tiers by distance from the entrance (y = 0): front rows 1, middle 2, back 3.
        depth = {tier: [b.y for b in booths if b.tier == tier] for tier in (1, 2, 3)}
        assert all(depth.values()), fair.slug
        assert max(depth[1]) <= min(depth[2]) and max(depth[2]) <= min(depth[3]), fair.slug

    everything = Booth.objects.filter(fair__in=planned)
    total = everything.count()
    kinds = Counter(everything.values_list("kind", "size"))
    assert kinds.most_common(1)[0][0] == (BoothKind.STANDARD, 9)
    assert sum(n for (kind, _size), n in kinds.items() if kind == BoothKind.STANDARD) > 0.6 * total
    assert 0 < kinds[BoothKind.ISLAND, 18] < 0.02 * total  # a few 18 m² islands
    assert kinds[BoothKind.CORNER, 9] > 0
    assert 0.75 < everything.filter(has_electricity=True).count() / total < 1
    assert 0.85 < everything.filter(accessible=True).count() / total < 1
    assert set(everything.values_list("tier", flat=True)) == {1, 2, 3}


@pytest.mark.django_db
def test_the_open_calls_have_a_plan_to_allocate_and_no_assignment_yet(seeded):
    open_fairs = list(organized(Fair.Status.OPEN))
    assert {f.slug for f in open_fairs} == {"foire-regionale-casablanca-settat", "salon-tapis-tissage-settat"}
    for fair in open_fairs:
        assert not Assignment.objects.filter(fair=fair).exists()
        assert not AllocationRun.objects.filter(fair=fair).exists()
        kept = Booth.objects.filter(fair=fair).exclude(status=Booth.Status.AVAILABLE)
        assert set(kept.values_list("status", flat=True)) == {Booth.Status.HELD, Booth.Status.BLOCKED}
        assert all(reason for reason in kept.values_list("status_reason", flat=True))
        # Ready for the allocation: a dry run places every confirmed exhibitor.
        confirmed = Application.objects.filter(fair=fair, status=S.CONFIRMED).count()
        assert confirmed > 0
        preview = allocation_preview(fair=fair, seed="demo")
        assert len(preview.assignments) == confirmed and not preview.unplaced, fair.slug
        assert preview.metrics.hard_violations == 0
        assert not Assignment.objects.filter(fair=fair).exists()  # a preview writes nothing

    # The carpet fair copies the 2024 edition's plan (same zones, same booths where they
    # were) and adds what its call needs beyond it.
    upcoming, last = (
        Fair.objects.get(slug=s) for s in ("salon-tapis-tissage-settat", "salon-tapis-tissage-2024")
    )
    assert list(upcoming.zones.values_list("name", "colour")) == list(
        last.zones.values_list("name", "colour")
    )
    fields = ("code", "kind", "size", "x", "y", "width", "depth", "tier", "accessible", "has_electricity")
    before = set(last.booths.values_list(*fields))
    assert before <= set(upcoming.booths.values_list(*fields))

    # The draft is left for staff to plan; the exhibitions are laid out by their organizers.
    assert not Booth.objects.filter(fair__status=Fair.Status.DRAFT).exists()
    assert not Zone.objects.filter(fair__role=Fair.Role.PARTICIPANT).exists()


@pytest.mark.django_db
def test_the_demo_artisan_has_a_booth_at_each_past_fair_and_rotation_shows(seeded):
    hers = Application.objects.filter(
        artisan__cin=DEMO_ARTISAN["cin"], status=S.CONFIRMED, fair__status=Fair.Status.CLOSED
    )
    assert hers.count() == 2
    booths = dict(Assignment.objects.filter(application__in=hers).values_list("fair__slug", "booth__code"))
    assert set(booths) == set(hers.values_list("fair__slug", flat=True))
    assert all(re.fullmatch(r"[A-D]\d{2}", code) for code in booths.values())
    # Returning artisans who had a quiet booth come forward at later fairs.
    assert any(engine.ROTATION_UPGRADE in e for e in Assignment.objects.values_list("explanation", flat=True))
    # The command prints the booths' figures.
    assert re.search(r"\n  zones\s+\d+\n", seeded)
    assert re.search(rf"\n  assignments\s+{Assignment.objects.count()}\n", seeded)
    assert re.search(r"\n  fairs with a plan\s+26 \(2 open, 1 running, 23 closed\)\n", seeded)


def fingerprint() -> dict[str, tuple[int, str]]:
    result = {}
    for model in (Zone, Zone.craft_categories.through, Booth, Assignment, AllocationRun, AuditEntry):
        rows = list(model.objects.order_by("pk").values_list())
        result[model._meta.label] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return result


@pytest.mark.django_db
def test_a_second_run_creates_and_changes_nothing_and_reads_little(seeded, settings):
    settings.DEBUG = True
    before = fingerprint()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "nothing to create" in out.getvalue()
    assert fingerprint() == before
    ctx = DemoContext.start()
    with CaptureQueriesContext(connection) as queries:
        seed_plans(ctx)
        seed_assignments(ctx)
    assert len(queries) <= 8
    assert not ctx.created


# --- The layout alone (no database) -----------------------------------------------------


def random_needs(rng: random.Random, zones: int) -> dict:
    needs = {}
    for zone in range(zones):
        for kind in BoothKind.values:
            for size in (6, 9, 12, 18):
                if rng.random() < 0.5:
                    booths = rng.randint(1, 12)
                    needs[(zone, kind, size)] = Need(booths, rng.randint(0, booths))
    return needs


@pytest.mark.parametrize("seed", range(20))
def test_a_layout_holds_what_was_asked_without_overlaps(seed):
    rng = random.Random(seed)
    zones = rng.randint(2, 4)
    needs = random_needs(rng, zones)
    plan = layout(needs, zones, random.Random(seed))
    groups = Counter((b.zone, b.kind, b.size) for b in plan)
    assert groups == Counter({key: need.booths for key, need in needs.items()})
    equipped = Counter((b.zone, b.kind, b.size) for b in plan if b.accessible and b.has_electricity)
    assert all(equipped[key] >= need.equipped for key, need in needs.items())
    assert len({b.code for b in plan}) == len(plan)
    assert overlapping(plan) == []
    assert layout(needs, zones, random.Random(seed)) == plan  # deterministic

    # Rows added to a copied plan go behind it, with new codes, and overlap nothing.
    extra = {key: rng.randint(0, 3) for key in needs}
    added = extend(plan, extra)
    assert Counter((b.zone, b.kind, b.size) for b in added) == +Counter(extra)
    assert all(isinstance(b, PlannedBooth) and b.tier == 3 for b in added)
    assert len({b.code for b in plan + added}) == len(plan) + len(added)
    assert overlapping(plan + added) == []


def test_every_demo_fair_has_halls_and_areas_covering_its_crafts():
    from booths.demo import VENUE_HALLS, theme_areas
    from fairs.demo import ALL_CRAFTS, THEMES
    from registrations.demo import SECTOR_OF

    for spec in demo_fairs():
        areas = theme_areas(spec.theme)
        assert 2 <= len(areas) <= 4 and len(VENUE_HALLS[spec.venue]) >= len(areas)
        crafts = [c for area in areas for c in area.crafts]
        assert len(crafts) == len(set(crafts)), spec.theme  # each craft in one zone
        wanted = set(SECTOR_OF) if THEMES[spec.theme][0] == ALL_CRAFTS else set(THEMES[spec.theme][0])
        assert set(crafts) == wanted, spec.theme
