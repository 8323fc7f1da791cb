"""The booth allocation engine: plain data, no database.

Property tests draw small random plans and requests — small domains, so that requests compete
for the same booths and every constraint bites — and check the result against rules written
here, apart from the engine.
"""

import random
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booths.engine import (
    ALL_SUITABLE_BOOTHS_TAKEN,
    COOPERATIVE_APART,
    FIRST_COME_FIRST_SERVED,
    LOTTERY,
    NEAR_COOPERATIVE,
    NO_ACCESSIBLE_BOOTH,
    NO_BOOTH_OF_KIND_AND_SIZE,
    NO_BOOTH_WITH_ELECTRICITY,
    NO_ZONE_FOR_CRAFT,
    PREFERRED_ZONE,
    PREFERRED_ZONE_UNAVAILABLE,
    ROTATION_UPGRADE,
    STAFF_PRIORITY,
    SUITABLE_BOOTHS_UNAVAILABLE,
    UNPLACED_REASONS,
    Allocation,
    BoothSpec,
    Placement,
    Request,
    Unplaced,
    allocate,
    allocate_fcfs,
    check,
    measure,
)

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- strategies --------------------------------------------------------------------------


def digits(number, *bases):
    """Split a number into mixed-radix digits: one draw describes a whole booth or request,
    which keeps generation fast and still shrinks towards simple cases (digit 0)."""
    for base in bases:
        number, digit = divmod(number, base)
        yield digit


@st.composite
def plans(draw):
    """A small plan: up to 3 zones with overlapping craft lists, 2 kinds, 2 sizes, 3 tiers."""
    crafts = [frozenset(), frozenset({1}), frozenset({2}), frozenset({1, 3}), frozenset({2, 4})]
    zone_crafts = dict(
        zip((1, 2, 3), draw(st.lists(st.sampled_from(crafts), min_size=3, max_size=3)), strict=True)
    )
    rows = draw(
        st.lists(
            st.tuples(st.integers(1, 10_000), st.integers(0, 2**20)), max_size=14, unique_by=lambda t: t[0]
        )
    )
    booths = []
    for number, (booth_id, code) in enumerate(rows, start=1):
        zone, kind, size, tier, accessible, electricity, x, y, held = digits(code, 4, 2, 2, 3, 2, 2, 13, 5, 4)
        booths.append(
            BoothSpec(
                id=booth_id,
                code=f"B-{number:02d}",
                zone=zone or None,
                zone_crafts=zone_crafts[zone] if zone else frozenset(),
                kind=("standard", "corner")[kind],
                size=(9, 12)[size],
                tier=tier + 1,
                accessible=not accessible,
                has_electricity=not electricity,
                x=x * 3.0,
                y=y * 6.0,
                available=held != 3,
            )
        )
    return booths


@st.composite
def request_lists(draw):
    rows = draw(
        st.lists(
            st.tuples(st.integers(1, 10_000), st.integers(0, 2**26)), max_size=18, unique_by=lambda t: t[0]
        )
    )
    requests = []
    for application_id, code in rows:
        craft_a, craft_b, kind, size, zone, access, power, coop, near, first, last, priority = digits(
            code, 4, 5, 3, 3, 4, 3, 2, 4, 2, 2, 4, 4
        )
        cooperative = (None, None, 1, 2)[coop]
        requests.append(
            Request(
                application_id=application_id,
                artisan_id=application_id + 50_000,
                crafts=frozenset({craft_a + 1, craft_b} - {0}),
                kind=("standard", "standard", "corner")[kind],
                size=(9, 9, 12)[size],
                preferred_zone=zone or None,
                needs_accessibility=access == 2,
                needs_electricity=bool(power),
                cooperative=cooperative,
                wants_near_cooperative=cooperative is not None and bool(near),
                first_timer=bool(first),
                last_tier=last or None,
                priority=int(priority == 3),
            )
        )
    return requests


seeds = st.one_of(st.integers(0, 2**32), st.text(max_size=8))


# --- independent rules ---------------------------------------------------------------------


def fits(booth, request):
    """The hard constraints, restated for the tests."""
    return (
        booth.available
        and booth.kind == request.kind
        and booth.size == request.size
        and (not booth.zone_crafts or bool(booth.zone_crafts & request.crafts))
        and (booth.accessible or not request.needs_accessibility)
        and (booth.has_electricity or not request.needs_electricity)
    )


def maximum_placeable(booths, requests):
    """Size of a maximum matching of requests to booths they fit (Kuhn's augmenting paths)."""
    holder = {}

    def place(r, seen):
        for b in booths:
            if b.id not in seen and fits(b, r):
                seen.add(b.id)
                if b.id not in holder or place(holder[b.id], seen):
                    holder[b.id] = r
                    return True
        return False

    return sum(place(r, set()) for r in requests)


def by_id(items, attr):
    return {getattr(item, attr): item for item in items}


# --- properties ----------------------------------------------------------------------------
# One random case is checked against every rule at once: generating cases is what costs.


def assert_no_hard_constraint_is_broken(booths, requests, allocation):
    assert check(booths, requests, allocation) == []
    assert allocation.metrics.hard_violations == 0
    booth_ids = [p.booth_id for p in allocation.assignments]
    application_ids = [p.application_id for p in allocation.assignments]
    assert len(booth_ids) == len(set(booth_ids)), "a booth was given twice"
    assert len(application_ids) == len(set(application_ids)), "a request got two booths"
    booth, request = by_id(booths, "id"), by_id(requests, "application_id")
    for placement in allocation.assignments:
        assert fits(booth[placement.booth_id], request[placement.application_id]), placement


def assert_every_request_is_placed_or_told_why_not(requests, allocation):
    placed = {p.application_id for p in allocation.assignments}
    unplaced = {u.application_id for u in allocation.unplaced}
    assert placed | unplaced == {r.application_id for r in requests}
    assert not placed & unplaced
    assert len(unplaced) == len(allocation.unplaced)
    assert all(u.reason in UNPLACED_REASONS for u in allocation.unplaced)
    assert (allocation.metrics.placed, allocation.metrics.unplaced) == (len(placed), len(unplaced))


def assert_the_reasons_are_true(booths, requests, allocation):
    taken = {p.booth_id for p in allocation.assignments}
    request = by_id(requests, "application_id")
    for application_id, reason in allocation.unplaced:
        r = request[application_id]
        fitting = [b for b in booths if fits(b, r)]
        if reason == ALL_SUITABLE_BOOTHS_TAKEN:
            assert fitting, application_id
            assert all(b.id in taken for b in fitting), application_id
        else:
            assert not fitting, application_id
        if reason == SUITABLE_BOOTHS_UNAVAILABLE:
            assert any(fits(replace(b, available=True), r) for b in booths), application_id


def assert_no_lower_priority_holds_a_booth_a_left_out_higher_priority_fits(booths, requests, allocation):
    booth, request = by_id(booths, "id"), by_id(requests, "application_id")
    for application_id, _reason in allocation.unplaced:
        left_out = request[application_id]
        for placement in allocation.assignments:
            if request[placement.application_id].priority < left_out.priority:
                assert not fits(booth[placement.booth_id], left_out), (application_id, placement)


def assert_the_explanation_says_what_happened(booths, requests, allocation):
    booth, request = by_id(booths, "id"), by_id(requests, "application_id")
    for application_id, booth_id, explanation in allocation.assignments:
        b, r = booth[booth_id], request[application_id]
        named = r.preferred_zone is not None
        assert (PREFERRED_ZONE in explanation) == (named and b.zone == r.preferred_zone)
        assert (PREFERRED_ZONE_UNAVAILABLE in explanation) == (named and b.zone != r.preferred_zone)
        assert (ROTATION_UPGRADE in explanation) == (r.last_tier is not None and b.tier < r.last_tier)
        assert (STAFF_PRIORITY in explanation) == (r.priority > 0)


@PROPERTY
@given(booths=plans(), requests=request_lists(), seed=seeds)
def test_random_allocations_keep_every_rule(booths, requests, seed):
    allocation = allocate(booths, requests, seed=seed)
    assert_no_hard_constraint_is_broken(booths, requests, allocation)
    assert_every_request_is_placed_or_told_why_not(requests, allocation)
    assert_the_reasons_are_true(booths, requests, allocation)
    # as many placed as any allocation could place: the most constrained are not crowded out
    assert allocation.metrics.placed == maximum_placeable(booths, requests)
    assert_no_lower_priority_holds_a_booth_a_left_out_higher_priority_fits(booths, requests, allocation)
    assert_the_explanation_says_what_happened(booths, requests, allocation)


@settings(PROPERTY, max_examples=100)
@given(booths=plans(), requests=request_lists(), seed=seeds, data=st.data())
def test_same_input_and_seed_give_the_same_result_in_any_input_order(booths, requests, seed, data):
    first = allocate(booths, requests, seed=seed)
    assert allocate(booths, requests, seed=seed) == first
    shuffled = allocate(data.draw(st.permutations(booths)), data.draw(st.permutations(requests)), seed=seed)
    assert shuffled == first


@settings(PROPERTY, max_examples=100)
@given(booths=plans(), requests=request_lists())
def test_the_first_come_first_served_baseline_keeps_the_hard_constraints_too(booths, requests):
    allocation = allocate_fcfs(booths, requests)
    assert_no_hard_constraint_is_broken(booths, requests, allocation)
    assert_every_request_is_placed_or_told_why_not(requests, allocation)
    assert_the_reasons_are_true(booths, requests, allocation)


# --- examples: who gets what -------------------------------------------------------------


def booth(booth_id, **kwargs):
    values = {
        "code": f"B-{booth_id:03d}",
        "zone": 1,
        "zone_crafts": frozenset({1}),
        "kind": "standard",
        "size": 9,
        "tier": 2,
        "accessible": True,
        "has_electricity": True,
        "x": booth_id * 3.0,
        "y": 0.0,
    }
    return BoothSpec(id=booth_id, **(values | kwargs))


def request(application_id, **kwargs):
    values = {"artisan_id": application_id + 1000, "crafts": frozenset({1})}
    return Request(application_id=application_id, **(values | kwargs))


def reasons(allocation):
    return dict(allocation.unplaced)


def seat(allocation):
    return {p.application_id: p.booth_id for p in allocation.assignments}


def explanation(allocation, application_id):
    return next(p.explanation for p in allocation.assignments if p.application_id == application_id)


def test_each_reason_for_being_left_out():
    booths = [
        booth(1, zone_crafts=frozenset({1}), accessible=False, has_electricity=False),
        booth(2, zone_crafts=frozenset({1}), accessible=True, has_electricity=False),
        booth(3, kind="corner", zone_crafts=frozenset({1}), available=False),
        booth(4, zone_crafts=frozenset({1}), accessible=False, has_electricity=True),
    ]
    requests = [
        request(10, size=18),
        request(11, crafts=frozenset({7})),
        request(12, needs_accessibility=True, needs_electricity=True),
        request(13, kind="corner"),
        request(14, priority=2),
        request(15, priority=1),
        request(16),
        request(17),  # four plain requests for the three booths 1, 2 and 4
    ]
    allocation = allocate(booths, requests, seed=1)
    why = reasons(allocation)
    assert why[10] == NO_BOOTH_OF_KIND_AND_SIZE
    assert why[11] == NO_ZONE_FOR_CRAFT
    assert why[12] == NO_BOOTH_WITH_ELECTRICITY  # step-free booth 2 has none
    assert why[13] == SUITABLE_BOOTHS_UNAVAILABLE
    assert sorted(why.values()).count(ALL_SUITABLE_BOOTHS_TAKEN) == 1
    assert {14, 15} <= set(seat(allocation))  # staff priority goes first


def test_no_step_free_booth_is_the_reason_when_none_is_step_free():
    allocation = allocate([booth(1, accessible=False)], [request(1, needs_accessibility=True)], seed=1)
    assert reasons(allocation) == {1: NO_ACCESSIBLE_BOOTH}


def test_a_zone_without_a_craft_list_takes_every_craft():
    allocation = allocate([booth(1, zone=None, zone_crafts=frozenset())], [request(1, crafts={9})], seed=1)
    assert seat(allocation) == {1: 1}


def test_size_must_match_exactly():
    allocation = allocate([booth(1, size=18)], [request(1, size=9)], seed=1)
    assert reasons(allocation) == {1: NO_BOOTH_OF_KIND_AND_SIZE}


def test_rotation_gives_the_busy_booth_to_whoever_had_a_low_traffic_booth_last_time():
    booths = [booth(1, tier=1), booth(2, tier=3)]
    for seed in range(20):
        allocation = allocate(booths, [request(1, last_tier=1), request(2, last_tier=3)], seed=seed)
        assert seat(allocation) == {1: 2, 2: 1}
        assert ROTATION_UPGRADE in explanation(allocation, 2)
        assert ROTATION_UPGRADE not in explanation(allocation, 1)


def test_the_preferred_zone_is_honoured_when_possible():
    booths = [booth(1, zone=1, tier=1), booth(2, zone=2, tier=3), booth(3, zone=3, tier=2)]
    requests = [request(1, preferred_zone=2, last_tier=3), request(2, preferred_zone=3), request(3)]
    for seed in range(20):
        allocation = allocate(booths, requests, seed=seed)
        assert seat(allocation)[1] == 2  # even though a busier booth was free
        assert seat(allocation)[2] == 3
        assert PREFERRED_ZONE in explanation(allocation, 1)
        assert PREFERRED_ZONE not in explanation(allocation, 3)


def test_a_preferred_zone_that_is_full_is_said_so():
    booths = [booth(1, zone=1), booth(2, zone=2)]
    requests = [request(1, preferred_zone=1, priority=1), request(2, preferred_zone=1)]
    allocation = allocate(booths, requests, seed=3)
    assert seat(allocation) == {1: 1, 2: 2}
    assert PREFERRED_ZONE_UNAVAILABLE in explanation(allocation, 2)


def test_cooperative_members_who_ask_are_placed_near_each_other():
    # two blocks far apart, each with a busy and a quiet booth; two members who ask to be
    # together and two strangers, all with the same claim
    booths = [
        booth(1, x=0, tier=1),
        booth(2, x=3, tier=3),
        booth(3, x=300, tier=1),
        booth(4, x=303, tier=3),
    ]
    requests = [
        request(1, cooperative=7, wants_near_cooperative=True),
        request(2, cooperative=7, wants_near_cooperative=True),
        request(3),
        request(4),
    ]
    position = {b.id: b.x for b in booths}
    for seed in range(20):
        allocation = allocate(booths, requests, seed=seed)
        where = seat(allocation)
        assert abs(position[where[1]] - position[where[2]]) == 3
        assert NEAR_COOPERATIVE in explanation(allocation, 1)
        assert NEAR_COOPERATIVE in explanation(allocation, 2)
        assert allocation.metrics.near_cooperative_share == 1.0


def test_members_who_do_not_ask_are_not_pulled_together():
    booths = [booth(1, x=0, tier=1), booth(2, x=3, tier=3), booth(3, x=300, tier=1), booth(4, x=303, tier=3)]
    requests = [
        request(1, cooperative=7, last_tier=3),
        request(2, cooperative=7, last_tier=3),
        request(3, last_tier=1),
        request(4, last_tier=1),
    ]
    allocation = allocate(booths, requests, seed=1)
    assert {seat(allocation)[1], seat(allocation)[2]} == {1, 3}  # both take a busy booth instead


def test_a_member_with_no_fellow_placed_near_is_told():
    # the corner booths only set the scale of the plan (3 m apart = near); nobody fits them
    booths = [booth(1, x=0, zone=1), booth(2, x=3, kind="corner"), booth(3, x=300, zone=2)]
    booths.append(booth(4, x=303, kind="corner"))
    requests = [
        request(1, cooperative=7, wants_near_cooperative=True, preferred_zone=1),
        request(2, cooperative=7, wants_near_cooperative=True, preferred_zone=2),
    ]
    allocation = allocate(booths, requests, seed=1)
    assert COOPERATIVE_APART in explanation(allocation, 1)


def test_staff_priority_wins_the_last_booth_whatever_the_seed():
    for seed in range(20):
        allocation = allocate([booth(1)], [request(1), request(2, priority=1), request(3)], seed=seed)
        assert seat(allocation) == {2: 1}
        assert STAFF_PRIORITY in explanation(allocation, 2)


def test_the_most_constrained_request_is_not_crowded_out():
    # request 2 fits only booth 1; request 1 fits both: both are placed, whatever the lottery
    booths = [booth(1, has_electricity=True), booth(2, has_electricity=False)]
    requests = [request(1), request(2, needs_electricity=True)]
    for seed in range(20):
        assert seat(allocate(booths, requests, seed=seed)) == {1: 2, 2: 1}


def test_unavailable_booths_are_left_alone():
    allocation = allocate([booth(1, available=False), booth(2)], [request(1), request(2)], seed=1)
    assert seat(allocation) == {1: 2} or seat(allocation) == {2: 2}
    assert ALL_SUITABLE_BOOTHS_TAKEN in reasons(allocation).values()


def test_the_lottery_decides_between_equals_and_the_seed_changes_the_draw():
    booths = [booth(i, tier=1 + i % 3) for i in range(1, 7)]
    requests = [request(i) for i in range(1, 7)]
    results = {tuple(sorted(seat(allocate(booths, requests, seed=seed)).items())) for seed in range(10)}
    assert len(results) > 1
    assert LOTTERY in explanation(allocate(booths, requests, seed=1), 1)


def test_an_integer_seed_and_its_text_draw_the_same_lottery():
    booths = [booth(i, tier=1 + i % 3) for i in range(1, 7)]
    requests = [request(i) for i in range(1, 7)]
    assert allocate(booths, requests, seed=42) == allocate(booths, requests, seed="42")


def test_first_timers_are_not_put_at_the_back():
    rng = random.Random(5)
    booths = [
        booth(i, tier=rng.choice([1, 2, 2, 3]), x=(i % 10) * 3.0, y=(i // 10) * 6.0) for i in range(1, 81)
    ]
    requests = [
        request(i, first_timer=i % 3 == 0, last_tier=None if i % 3 == 0 else rng.choice([1, 2, 3]))
        for i in range(1, 81)
    ]
    for seed in range(3):
        metrics = allocate(booths, requests, seed=seed).metrics
        assert metrics.placed == 80
        assert abs(metrics.mean_tier_first_timers - metrics.mean_tier_returning) < 0.25
        assert metrics.mean_tier_after_low_tier < metrics.mean_tier_returning


def test_first_come_first_served_takes_the_first_booth_by_code_in_request_order():
    booths = [booth(1, code="A-02"), booth(2, code="A-01"), booth(3, code="A-03", has_electricity=False)]
    requests = [request(9), request(3, needs_electricity=True), request(5)]
    allocation = allocate_fcfs(booths, requests)
    assert seat(allocation) == {9: 2, 3: 1, 5: 3}
    assert explanation(allocation, 9) == (FIRST_COME_FIRST_SERVED,)


def test_duplicate_ids_are_refused():
    with pytest.raises(ValueError, match="booths share an id"):
        allocate([booth(1), booth(1)], [], seed=1)
    with pytest.raises(ValueError, match="requests share an application id"):
        allocate([booth(1)], [request(1), request(1)], seed=1)


def test_positions_and_crafts_may_come_as_decimals_and_sets():
    from decimal import Decimal

    b = booth(1, x=Decimal("4.50"), zone_crafts={1, 2})
    assert (b.x, b.zone_crafts) == (4.5, frozenset({1, 2}))
    assert request(1, crafts=[1, 1]).crafts == frozenset({1})


def test_empty_input_gives_an_empty_allocation():
    allocation = allocate([], [], seed=0)
    assert (allocation.assignments, allocation.unplaced, allocation.metrics.placed) == ((), (), 0)
    assert allocation.metrics.mean_tier_first_timers is None


# --- the checker catches what it should ----------------------------------------------------


def test_check_reports_every_broken_rule():
    booths = [booth(1, available=False), booth(2, kind="corner"), booth(3, zone_crafts=frozenset({5}))]
    requests = [request(1), request(2), request(3), request(4), request(5)]
    allocation = Allocation(
        assignments=(
            Placement(1, 1, ()),
            Placement(2, 2, ()),
            Placement(3, 3, ("made_up",)),
            Placement(4, 3, ()),
            Placement(4, 99, ()),
        ),
        unplaced=(Unplaced(4, "because"),),
        metrics=measure(booths, requests, [], []),
    )
    problems = "\n".join(check(booths, requests, allocation))
    for expected in (
        "not available",
        "kind corner instead of standard",
        "accepts none of the artisan's crafts",
        "unknown explanation",
        "booth 3 is given to applications 3 and 4",
        "unknown booth 99",
        "has more than one booth",
        "both placed and unplaced",
        "unknown reason",
        "application 5 is neither placed nor given a reason",
    ):
        assert expected in problems


def test_measure_reads_a_hand_made_allocation():
    booths = [booth(1, zone=1, tier=1), booth(2, zone=2, tier=3)]
    requests = [request(1, preferred_zone=1, first_timer=True), request(2, preferred_zone=1, last_tier=3)]
    metrics = measure(booths, requests, [Placement(1, 1, ()), Placement(2, 2, ())], [])
    assert metrics.preferred_zone_share == 0.5
    assert (metrics.mean_tier_first_timers, metrics.mean_tier_returning) == (1, 3)
    assert metrics.mean_tier_after_low_tier == 3
    assert metrics.hard_violations == 0
