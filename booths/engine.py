"""The booth allocation engine: plain data in, plain data out, no Django.

``allocate(booths, requests, seed=…)`` places confirmed applications into available booths.
The service around it (booths/services.py) builds the inputs from the database, locks, writes
and audits; this module only thinks, so it is tested with hypothesis and benchmarked alone.

Hard constraints — never broken, and re-checked by the independent :func:`check`:

* the booth is available (not held, not blocked, not already taken by a locked assignment);
* the booth's zone accepts at least one of the request's crafts (a zone with no craft list,
  or a booth with no zone, accepts every craft);
* the booth's kind is the kind asked for, and its size is **exactly** the size asked for.
  Exact rather than "at least": a booth's price follows its size, so a bigger booth would
  change what the artisan pays, and handing a scarce 18 m² booth to someone who asked for
  9 m² takes it from whoever needs it. Staff can still give a bigger booth by hand;
* a step-free booth for whoever needs one, a booth with electricity for whoever needs it;
* one booth per request, one request per booth.

How it works (well under a second for 1,000 booths and 3,000 requests; bench/allocation.py):

1. **Who gets a booth.** Booths are grouped into *types* — the attributes the constraints
   and the scores look at (zone, accepted crafts, kind, size, step-free, electricity, tier);
   requests with the same feasible types form one *group*. Requests are taken by staff
   priority, then by a seeded lottery, and each is admitted when the admitted set still
   fits (an augmenting path on the small type graph). This is the greedy algorithm on a
   transversal matroid, so it places as many requests as any allocation can — the most
   constrained are never crowded out — and when booths are short the ones left out are the
   lowest in priority-then-lottery order, never because they applied late or are new.
   Admitted requests hold a *reservation* on a booth type, not on a booth.
2. **Who gets which booth.** Admitted requests pick in turn — staff priority first, then
   rotation *claim*, then the lottery — the free booth with the best score. A pick that
   would take the slot another admitted request relies on is allowed only when the
   reservations can be re-routed (again an augmenting path over types), so nobody admitted
   in step 1 ever ends without a booth.
3. **Improvement.** Passes of moves to free booths and pairwise swaps that raise the total
   score without breaking a constraint; a swap never makes the higher-priority party worse.

Score of request r in booth b::

    preferred_zone × [b.zone == r.preferred_zone]
    + tier × claim(r) × (worst tier − b.tier)
    + near_cooperative × min(1, radius / distance to the nearest fellow member)   (if asked)

``claim`` is the rotation: the tier the artisan had last time (3 = low traffic → strongest
claim on a busy booth, 1 = had a busy booth → weakest; unknown → the middle). A linear score
hands busy booths to the strongest claims (rearrangement inequality), so whoever was at the
back last time comes forward. First-timers have no last tier: once step 1 has admitted them,
they are given, by lottery, the claims of the admitted returning artisans, spread evenly over
that distribution — as a group they pick like returning artisans, so their mean tier matches
theirs: not systematically at the back, nor ahead of those owed a better spot.

``radius`` — what "near" means — is twice the median distance between a booth and its nearest
neighbour on the plan: side by side, or across one aisle.

Determinism: inputs are sorted by id first, and every tie is broken by a lottery number drawn
from a hash of ``(seed, id)``, so the same input and seed give the same result whatever the
input order, and another seed draws another lottery.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

# --- reason codes ----------------------------------------------------------------------------

#: Why a request got no booth. Checked in this order; the first that holds is reported.
NO_BOOTH_OF_KIND_AND_SIZE = "no_booth_of_kind_and_size"  # the plan has no booth of that kind and size
NO_ZONE_FOR_CRAFT = "no_zone_for_craft"  # …none of them in a zone accepting the artisan's crafts
NO_ACCESSIBLE_BOOTH = "no_accessible_booth"  # …none of those step-free, and step-free is needed
NO_BOOTH_WITH_ELECTRICITY = "no_booth_with_electricity"  # …none with electricity, and it is needed
SUITABLE_BOOTHS_UNAVAILABLE = "suitable_booths_unavailable"  # suitable booths exist, all held/blocked/locked
ALL_SUITABLE_BOOTHS_TAKEN = "all_suitable_booths_taken"  # suitable booths went to others (priority, lottery)
UNPLACED_REASONS = (
    NO_BOOTH_OF_KIND_AND_SIZE,
    NO_ZONE_FOR_CRAFT,
    NO_ACCESSIBLE_BOOTH,
    NO_BOOTH_WITH_ELECTRICITY,
    SUITABLE_BOOTHS_UNAVAILABLE,
    ALL_SUITABLE_BOOTHS_TAKEN,
)

#: What an assignment's explanation may say (a tuple of these, in this order).
STAFF_PRIORITY = "staff_priority"  # the request had a staff priority above 0
PREFERRED_ZONE = "preferred_zone"  # placed in the zone asked for
PREFERRED_ZONE_UNAVAILABLE = "preferred_zone_unavailable"  # asked for a zone, placed elsewhere
ROTATION_UPGRADE = "rotation_upgrade"  # a busier tier than last time
NEAR_COOPERATIVE = "near_cooperative"  # asked, and a fellow member is within the radius
COOPERATIVE_APART = "cooperative_apart"  # asked, but no fellow member could be placed near
LOTTERY = "lottery"  # others had the same standing (priority, claim, kind, size): the lottery ordered them
FIRST_COME_FIRST_SERVED = "first_come_first_served"  # the baseline's only explanation
EXPLANATIONS = (
    STAFF_PRIORITY,
    PREFERRED_ZONE,
    PREFERRED_ZONE_UNAVAILABLE,
    ROTATION_UPGRADE,
    NEAR_COOPERATIVE,
    COOPERATIVE_APART,
    LOTTERY,
    FIRST_COME_FIRST_SERVED,
)

LOW_TIER = 3  # tiers run from 1 (busiest) to 3 (low traffic)
MAX_IMPROVEMENT_PASSES = 6
_EPS = 1e-9
_NO_ZONE = object()  # a preferred zone that matches no booth, for requests without one


# --- plain data ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BoothSpec:
    """A booth as the engine sees it. ``tier`` 1 is the busiest; ``x``/``y`` in plan metres."""

    id: int
    code: str
    zone: int | None
    zone_crafts: frozenset[int]  # crafts the zone accepts; empty = any craft
    kind: str
    size: int  # m²
    tier: int
    accessible: bool = True  # step-free
    has_electricity: bool = False
    x: float = 0.0
    y: float = 0.0
    available: bool = True  # False when held, blocked or taken by a locked manual assignment

    def __post_init__(self):  # accept Decimal positions and any iterable of crafts from callers
        object.__setattr__(self, "x", float(self.x))
        object.__setattr__(self, "y", float(self.y))
        object.__setattr__(self, "zone_crafts", frozenset(self.zone_crafts))


@dataclass(frozen=True, slots=True)
class Request:
    """A confirmed application asking for a booth."""

    application_id: int
    artisan_id: int
    crafts: frozenset[int]  # main craft and the others; the zone must accept one of them
    kind: str = "standard"
    size: int = 9
    preferred_zone: int | None = None
    needs_accessibility: bool = False
    needs_electricity: bool = False
    cooperative: int | None = None
    wants_near_cooperative: bool = False
    first_timer: bool = False
    last_tier: int | None = None  # tier of the booth they had at their previous fair
    priority: int = 0  # staff priority: higher is admitted and picks first

    def __post_init__(self):
        object.__setattr__(self, "crafts", frozenset(self.crafts))


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each soft goal counts in a booth's score (see the module docstring)."""

    preferred_zone: float = 10.0
    near_cooperative: float = 6.0
    tier: float = 1.0


class Placement(NamedTuple):
    application_id: int
    booth_id: int
    explanation: tuple[str, ...]


class Unplaced(NamedTuple):
    application_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class Metrics:
    """Quality figures of an allocation; ``None`` where the group is empty.

    - ``preferred_zone_share``: of the placed requests that named a zone, the share in it;
    - ``mean_tier_first_timers`` / ``mean_tier_returning``: mean tier of the placed
      first-timers and of the placed returning artisans;
    - ``mean_tier_after_low_tier``: mean tier of the placed returning artisans whose last
      tier was :data:`LOW_TIER` (a low-traffic booth);
    - ``near_cooperative_share``: of the placed members who asked to be near their
      cooperative and have a placed fellow who asked too, the share with such a fellow
      within the plan's near radius;
    - ``hard_violations``: ``len(check(…))`` — must be 0.
    """

    placed: int
    unplaced: int
    preferred_zone_share: float | None
    mean_tier_first_timers: float | None
    mean_tier_returning: float | None
    mean_tier_after_low_tier: float | None
    near_cooperative_share: float | None
    hard_violations: int


@dataclass(frozen=True, slots=True)
class Allocation:
    """What ``allocate`` returns: every request is either in ``assignments`` or in ``unplaced``."""

    assignments: tuple[Placement, ...]  # sorted by application id
    unplaced: tuple[Unplaced, ...]  # sorted by application id
    metrics: Metrics

    def booth_of(self, application_id: int) -> int | None:
        return next((p.booth_id for p in self.assignments if p.application_id == application_id), None)


# --- helpers shared by the engine and the baseline -----------------------------------------


def _lottery(seed: str, tag: str, ident: object) -> int:
    digest = hashlib.blake2b(f"{seed}\x1f{tag}\x1f{ident}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _validate(booths: Sequence[BoothSpec], requests: Sequence[Request]) -> None:
    if len({b.id for b in booths}) != len(booths):
        raise ValueError("two booths share an id")
    if len({r.application_id for r in requests}) != len(requests):
        raise ValueError("two requests share an application id")


def _fits(booth: BoothSpec, request: Request) -> bool:
    return (
        booth.kind == request.kind
        and booth.size == request.size
        and (not booth.zone_crafts or not booth.zone_crafts.isdisjoint(request.crafts))
        and (booth.accessible or not request.needs_accessibility)
        and (booth.has_electricity or not request.needs_electricity)
    )


class _Reasons:
    """Why a request has no booth, from the cascade of :data:`UNPLACED_REASONS`."""

    def __init__(self, booths: Sequence[BoothSpec]):
        # (zone crafts, kind, size, accessible, electricity) → booths available among them
        kinds: dict[tuple, int] = defaultdict(int)
        for b in booths:
            kinds[(b.zone_crafts, b.kind, b.size, b.accessible, b.has_electricity)] += b.available
        self._kinds = list(kinds.items())
        self._cache: dict[tuple, str] = {}

    def infeasible(self, r: Request) -> str:
        """The first step of the cascade that leaves no booth for the request, or
        ALL_SUITABLE_BOOTHS_TAKEN when available booths fit it (they went to others)."""
        key = (r.crafts, r.kind, r.size, r.needs_accessibility, r.needs_electricity)
        if key not in self._cache:
            rows = [(k, n) for k, n in self._kinds if k[1] == r.kind and k[2] == r.size]
            steps = (
                (NO_BOOTH_OF_KIND_AND_SIZE, lambda k: True),
                (NO_ZONE_FOR_CRAFT, lambda k: not k[0] or not k[0].isdisjoint(r.crafts)),
                (NO_ACCESSIBLE_BOOTH, lambda k: k[3] or not r.needs_accessibility),
                (NO_BOOTH_WITH_ELECTRICITY, lambda k: k[4] or not r.needs_electricity),
            )
            reason = SUITABLE_BOOTHS_UNAVAILABLE
            for code, keep in steps:
                rows = [(k, n) for k, n in rows if keep(k)]
                if not rows:
                    reason = code
                    break
            else:
                if any(n for _k, n in rows):
                    reason = ALL_SUITABLE_BOOTHS_TAKEN
            self._cache[key] = reason
        return self._cache[key]


def near_radius(booths: Iterable[BoothSpec]) -> float:
    """What "near" means on this plan: twice the median nearest-neighbour distance."""
    points = sorted((b.x, b.y) for b in booths)
    if len(points) < 2:
        return 1.0
    nearest = []
    for i, (x, y) in enumerate(points):
        best = math.inf
        for step in (-1, 1):  # sweep outwards in x order until the x gap alone is too large
            j = i + step
            while 0 <= j < len(points) and abs(points[j][0] - x) < best:
                best = min(best, math.hypot(points[j][0] - x, points[j][1] - y))
                j += step
        nearest.append(best)
    nearest.sort()
    return max(2.0 * nearest[len(nearest) // 2], 1e-6)


def _proximity(distance: float, radius: float) -> float:
    return 1.0 if distance <= radius else radius / distance


# --- the engine ------------------------------------------------------------------------------


def allocate(
    booths: Sequence[BoothSpec],
    requests: Sequence[Request],
    *,
    seed: int | str,
    weights: Weights = Weights(),
) -> Allocation:
    """Place requests into available booths; see the module docstring for the method.

    Raises ``ValueError`` when two booths share an id or two requests an application id.
    """
    _validate(booths, requests)
    booths = sorted(booths, key=lambda b: b.id)
    requests = sorted(requests, key=lambda r: r.application_id)
    seed = str(seed)
    run = _Run(booths, requests, seed, weights)
    run.admit()
    run.share_claims()
    run.pick()
    run.improve()
    return run.result()


class _Run:
    """One allocation: indices into the sorted booths and requests, and the state of the search."""

    def __init__(self, booths: list[BoothSpec], requests: list[Request], seed: str, weights: Weights):
        self.booths, self.requests, self.weights = booths, requests, weights
        self.reasons = _Reasons(booths)
        self.radius = near_radius(b for b in booths if b.available)
        self.blot = [_lottery(seed, "booth", b.id) for b in booths]
        self.rlot = [_lottery(seed, "request", r.application_id) for r in requests]

        # Booth types: every attribute the constraints or the scores read, except the position.
        type_index: dict[tuple, int] = {}
        self.type_booths: list[list[int]] = []
        self.booth_type = [-1] * len(booths)
        for bi, b in enumerate(booths):
            if not b.available:
                continue
            key = (b.zone, b.zone_crafts, b.kind, b.size, b.accessible, b.has_electricity, b.tier)
            if key not in type_index:
                type_index[key] = len(self.type_booths)
                self.type_booths.append([])
            t = type_index[key]
            self.type_booths[t].append(bi)
            self.booth_type[bi] = t
        self.type_keys = list(type_index)
        for members in self.type_booths:
            members.sort(key=lambda bi: self.blot[bi])
        self.type_zone = [k[0] for k in self.type_keys]
        tiers = [b.tier for b in booths if b.available]
        worst, best = (max(tiers), min(tiers)) if tiers else (1, 1)
        self.type_goodness = [worst - k[6] for k in self.type_keys]

        # Request groups: requests with the same feasible booth types.
        by_kind_size: dict[tuple, list[int]] = defaultdict(list)
        for t, k in enumerate(self.type_keys):
            by_kind_size[(k[2], k[3])].append(t)
        sig_of_key: dict[tuple, tuple[int, ...]] = {}
        group_index: dict[tuple[int, ...], int] = {}
        self.sig: list[tuple[int, ...]] = []
        self.group = [-1] * len(requests)
        for ri, r in enumerate(requests):
            key = (r.crafts, r.kind, r.size, r.needs_accessibility, r.needs_electricity)
            if key not in sig_of_key:
                sig_of_key[key] = tuple(
                    t
                    for t in by_kind_size.get((r.kind, r.size), ())
                    if (not self.type_keys[t][1] or not self.type_keys[t][1].isdisjoint(r.crafts))
                    and (self.type_keys[t][4] or not r.needs_accessibility)
                    and (self.type_keys[t][5] or not r.needs_electricity)
                )
            sig = sig_of_key[key]
            if not sig:
                continue
            if sig not in group_index:
                group_index[sig] = len(self.sig)
                self.sig.append(sig)
            self.group[ri] = group_index[sig]
        self.sigset = [frozenset(s) for s in self.sig]

        # Rotation claims; first-timers get theirs by lottery once we know who is admitted.
        self.middle_claim = (worst + best) / 2 * weights.tier
        self.drawn = [r.first_timer and r.last_tier is None for r in requests]
        self.claim = [
            self.middle_claim if r.last_tier is None else r.last_tier * weights.tier for r in requests
        ]
        self.pref = [_NO_ZONE if r.preferred_zone is None else r.preferred_zone for r in requests]
        self.coop_members: dict[int, list[int]] = defaultdict(list)
        for ri, r in enumerate(requests):
            if r.cooperative is not None and r.wants_near_cooperative and self.group[ri] >= 0:
                self.coop_members[r.cooperative].append(ri)
        self.asks_near = [
            r.cooperative is not None
            and r.wants_near_cooperative
            and len(self.coop_members[r.cooperative]) > 1
            for r in requests
        ]

        self.booth_of = [-1] * len(requests)  # request → booth index
        self.occupant = [-1] * len(booths)  # booth → request index
        self.admitted: list[int] = []
        self.coop_now: dict[int, float] = {}  # cooperative term of each coop, as seated now

    # scores

    def base(self, ri: int, t: int) -> float:
        zone = self.weights.preferred_zone if self.type_zone[t] == self.pref[ri] else 0.0
        return zone + self.claim[ri] * self.type_goodness[t]

    def coop_value(self, coop: int, moved: dict[int, int] | None = None) -> float:
        """Cooperative term of the score, summed over the coop's placed members who asked,
        as seated now or with the members in ``moved`` in the booths it gives them."""
        if moved:
            return self._coop_term(coop, moved)
        if coop not in self.coop_now:
            self.coop_now[coop] = self._coop_term(coop, {})
        return self.coop_now[coop]

    def _coop_term(self, coop: int, moved: dict[int, int]) -> float:
        points = []
        for m in self.coop_members[coop]:
            bi = moved.get(m, self.booth_of[m])
            if bi >= 0:
                points.append((self.booths[bi].x, self.booths[bi].y))
        if len(points) < 2:
            return 0.0
        total = 0.0
        for i, (x, y) in enumerate(points):
            d = min(math.hypot(x - ox, y - oy) for j, (ox, oy) in enumerate(points) if j != i)
            total += _proximity(d, self.radius)
        return total * self.weights.near_cooperative

    def gain(self, moved: dict[int, int], gains: dict[int, float], floor: float) -> float | None:
        """Total gain if the requests in ``moved`` took those booths, given their own base-score
        ``gains``; None when a higher priority would lose or the gain cannot beat ``floor``."""
        if len(gains) == 2:
            (ri, gi), (rj, gj) = gains.items()
            pi, pj = self.requests[ri].priority, self.requests[rj].priority
            if (pi > pj and gi < -_EPS) or (pj > pi and gj < -_EPS):
                return None
        total = sum(gains.values())
        coops = {self.requests[ri].cooperative for ri in moved if self.asks_near[ri]}
        if not coops:
            return total if total > floor else None
        # the cooperative term can at most reach its ceiling: skip the exact sum when even that loses
        ceiling = sum(
            len(self.coop_members[c]) * self.weights.near_cooperative - self.coop_value(c) for c in coops
        )
        if total + ceiling <= floor:
            return None
        total += sum(self.coop_value(c, moved) - self.coop_value(c) for c in coops)
        return total if total > floor else None

    # step 1: admission

    def admit(self) -> None:
        cap = [len(m) for m in self.type_booths]
        load = [0] * len(cap)
        self.reserved: list[dict[int, int]] = [{} for _ in cap]  # type → {group: requests}
        failed: set[int] = set()
        order = sorted(
            (ri for ri in range(len(self.requests)) if self.group[ri] >= 0),
            key=lambda ri: (-self.requests[ri].priority, self.rlot[ri], ri),
        )
        for ri in order:
            g = self.group[ri]
            if g in failed:
                continue
            if self._admit_group(g, cap, load):
                self.admitted.append(ri)
            else:  # same feasible types ⇒ no later request of this group fits either
                failed.add(g)

    def _admit_group(self, g: int, cap: list[int], load: list[int]) -> bool:
        reserved = self.reserved
        parent: dict[int, tuple[int, int] | None] = {}
        queue: deque[int] = deque()
        end = -1
        for t in self.sig[g]:
            parent[t] = None
            if load[t] < cap[t]:
                end = t
                break
            queue.append(t)
        while end < 0 and queue:
            x = queue.popleft()
            for h in reserved[x]:
                for y in self.sig[h]:
                    if y in parent:
                        continue
                    parent[y] = (x, h)
                    if load[y] < cap[y]:
                        end = y
                        break
                    queue.append(y)
                if end >= 0:
                    break
        if end < 0:
            return False
        load[end] += 1
        cur = end
        while (step := parent[cur]) is not None:  # shift one reservation along the path
            x, h = step
            _take(reserved[x], h)
            reserved[cur][h] = reserved[cur].get(h, 0) + 1
            cur = x
        reserved[cur][g] = reserved[cur].get(g, 0) + 1
        return True

    def share_claims(self) -> None:
        """Give the admitted first-timers the rotation claims of the admitted returning artisans,
        spread evenly by lottery: as a group they then pick like returning artisans do, so
        their mean tier matches — neither at the back nor ahead of those owed a turn."""
        drawn = sorted((ri for ri in self.admitted if self.drawn[ri]), key=lambda ri: (self.rlot[ri], ri))
        known = sorted(self.claim[ri] for ri in self.admitted if not self.drawn[ri])
        for k, ri in enumerate(drawn):
            quantile = (k + 0.5) / len(drawn)
            self.claim[ri] = known[int(quantile * len(known))] if known else self.middle_claim

    # step 2: picking

    def pick_order(self) -> list[int]:
        return sorted(
            self.admitted,
            key=lambda ri: (-self.requests[ri].priority, -self.claim[ri], self.rlot[ri], ri),
        )

    def pick(self) -> None:
        reserved = self.reserved
        self.spare = [len(m) - sum(reserved[t].values()) for t, m in enumerate(self.type_booths)]
        self.cursor = [0] * len(self.type_booths)
        coop_points: dict[int, list[tuple[float, float]]] = defaultdict(list)
        for ri in self.pick_order():
            g = self.group[ri]
            coop = self.requests[ri].cooperative if self.asks_near[ri] else None
            fellows = coop_points[coop] if coop is not None else []
            candidates = []  # (score, booth lottery, booth, type)
            for t in self.sig[g]:
                first = self._first_free(t)
                if first < 0:
                    continue
                base = self.base(ri, t)
                if not fellows:
                    candidates.append((-base, self.blot[first], first, t))
                    continue
                for bi in self.type_booths[t][self.cursor[t] :]:
                    if self.occupant[bi] >= 0:
                        continue
                    b = self.booths[bi]
                    d = min(math.hypot(b.x - x, b.y - y) for x, y in fellows)
                    score = base + self.weights.near_cooperative * _proximity(d, self.radius)
                    candidates.append((-score, self.blot[bi], bi, t))
            candidates.sort()
            refused: set[int] = set()
            for _score, _lot, bi, t in candidates:
                if t in refused:
                    continue
                if self._claim_slot(g, t):
                    self._seat(ri, bi)
                    if coop is not None:
                        fellows.append((self.booths[bi].x, self.booths[bi].y))
                    break
                refused.add(t)
            else:  # pragma: no cover — step 1 guarantees a slot; a bug if we get here
                raise AssertionError("admitted request left without a booth")

    def _first_free(self, t: int) -> int:
        members = self.type_booths[t]
        c = self.cursor[t]
        while c < len(members) and self.occupant[members[c]] >= 0:
            c += 1
        self.cursor[t] = c
        return members[c] if c < len(members) else -1

    def _claim_slot(self, g: int, t: int) -> bool:
        """Take a free booth of type ``t`` for a request of group ``g`` if the reservations of
        the requests still to pick can be re-routed; update them and return True if so."""
        reserved, spare = self.reserved, self.spare
        if reserved[t].get(g):
            _take(reserved[t], g)
            return True
        if spare[t] > 0:
            spare[t] -= 1
            self._release(g)
            return True
        parent: dict[int, tuple[int, int] | None] = {t: None}
        queue = deque([t])
        end = -1
        while end < 0 and queue:
            x = queue.popleft()
            for h in reserved[x]:
                for y in self.sig[h]:
                    if y in parent:
                        continue
                    parent[y] = (x, h)
                    if spare[y] > 0 or reserved[y].get(g):
                        end = y
                        break
                    queue.append(y)
                if end >= 0:
                    break
        if end < 0:
            return False
        cur = end
        while (step := parent[cur]) is not None:
            x, h = step
            _take(reserved[x], h)
            reserved[cur][h] = reserved[cur].get(h, 0) + 1
            cur = x
        if reserved[end].get(g):
            _take(reserved[end], g)
        else:
            spare[end] -= 1
            self._release(g)
        return True

    def _release(self, g: int) -> None:
        for u in self.sig[g]:
            if self.reserved[u].get(g):
                _take(self.reserved[u], g)
                self.spare[u] += 1
                return
        raise AssertionError("group without a reservation")  # pragma: no cover

    def _seat(self, ri: int, bi: int) -> None:
        old = self.booth_of[ri]
        if old >= 0:
            self.occupant[old] = -1
        self.booth_of[ri] = bi
        self.occupant[bi] = ri

    # step 3: improvement

    def improve(self) -> None:
        order = self.pick_order()
        self.free = [{bi for bi in m if self.occupant[bi] < 0} for m in self.type_booths]
        self.seated: list[set[int]] = [set() for _ in self.type_booths]
        for ri in order:
            self.seated[self.booth_type[self.booth_of[ri]]].add(ri)
        self.neighbours = self._neighbours() if any(self.asks_near) else []
        self.moved: set[int] = set()
        self.touched: set[int] = set()  # types whose seats changed
        for n in range(MAX_IMPROVEMENT_PASSES):
            # after the first pass, only requests whose options changed are worth a look
            moved, touched = self.moved, self.touched
            self.moved, self.touched = set(), set()
            for ri in order:
                if n == 0 or ri in moved or self._options_changed(ri, touched):
                    self._better_type(ri)
            for ri in order:
                if self.asks_near[ri] and (n == 0 or ri in moved or touched):
                    self._closer(ri)
            if not self.moved:
                break

    def _options_changed(self, ri: int, touched: set[int]) -> bool:
        if not touched:
            return False
        s1 = self.base(ri, self.booth_type[self.booth_of[ri]])
        return any(t in touched and self.base(ri, t) > s1 + _EPS for t in self.sig[self.group[ri]])

    def _better_type(self, ri: int) -> bool:
        """Move or swap the request into a type with a better base score, if the total rises."""
        b1 = self.booth_of[ri]
        t1 = self.booth_type[b1]
        s1 = self.base(ri, t1)
        better = sorted(
            ((self.base(ri, t), t) for t in self.sig[self.group[ri]] if t != t1),
            key=lambda st: (-st[0], st[1]),
        )
        for s2, t2 in better:
            if s2 <= s1 + _EPS:
                break
            if self.free[t2]:
                b2 = min(self.free[t2], key=lambda bi: self.blot[bi])
                if self.gain({ri: b2}, {ri: s2 - s1}, _EPS) is not None:
                    self._move(ri, b2)
                    return True
                continue
            best, best_gain = -1, _EPS
            gain_i = s2 - s1
            # the other party's base-score change, inlined: this loop is the hot spot
            z1, z2 = self.type_zone[t1], self.type_zone[t2]
            drop = self.type_goodness[t1] - self.type_goodness[t2]
            zone_weight, pref, claim = self.weights.preferred_zone, self.pref, self.claim
            simple = not self.asks_near[ri]
            priority = self.requests[ri].priority
            for rj in sorted(self.seated[t2]):
                if t1 not in self.sigset[self.group[rj]]:
                    continue
                pj = pref[rj]
                gain_j = claim[rj] * drop + zone_weight * ((pj == z1) - (pj == z2))
                if simple and not self.asks_near[rj] and self.requests[rj].priority == priority:
                    if gain_i + gain_j > best_gain:
                        best, best_gain = rj, gain_i + gain_j
                    continue
                gain = self.gain({ri: self.booth_of[rj], rj: b1}, {ri: gain_i, rj: gain_j}, best_gain)
                if gain is not None:
                    best, best_gain = rj, gain
            if best >= 0:
                self._swap(ri, best)
                return True
        return False

    def _closer(self, ri: int) -> bool:
        """Move or swap a member who asked for it next to a fellow member, if the total rises."""
        b1 = self.booth_of[ri]
        t1 = self.booth_type[b1]
        s1 = self.base(ri, t1)
        fellows = [
            self.booth_of[m]
            for m in self.coop_members[self.requests[ri].cooperative]
            if m != ri and self.booth_of[m] >= 0
        ]
        b = self.booths[b1]
        if not fellows or any(
            math.hypot(self.booths[f].x - b.x, self.booths[f].y - b.y) <= self.radius for f in fellows
        ):
            return False
        sigset = self.sigset[self.group[ri]]
        candidates = sorted({n for f in fellows for n in self.neighbours[f] if n != b1})
        best, best_gain = None, _EPS
        for bc in candidates:
            tc = self.booth_type[bc]
            if tc not in sigset:
                continue
            gain_i = self.base(ri, tc) - s1
            rj = self.occupant[bc]
            if rj < 0:
                gain = self.gain({ri: bc}, {ri: gain_i}, best_gain)
            elif t1 in self.sigset[self.group[rj]]:
                gain_j = self.base(rj, t1) - self.base(rj, tc)
                gain = self.gain({ri: bc, rj: b1}, {ri: gain_i, rj: gain_j}, best_gain)
            else:
                continue
            if gain is not None:
                best, best_gain = (bc, rj), gain
        if best is None:
            return False
        bc, rj = best
        if rj < 0:
            self._move(ri, bc)
        else:
            self._swap(ri, rj)
        return True

    def _move(self, ri: int, b2: int) -> None:
        b1 = self.booth_of[ri]
        t1, t2 = self.booth_type[b1], self.booth_type[b2]
        self._note(ri, t1, t2)
        self.free[t2].discard(b2)
        self.free[t1].add(b1)
        self.seated[t1].discard(ri)
        self.seated[t2].add(ri)
        self._seat(ri, b2)
        self._forget_coop(ri)

    def _swap(self, ri: int, rj: int) -> None:
        b1, b2 = self.booth_of[ri], self.booth_of[rj]
        t1, t2 = self.booth_type[b1], self.booth_type[b2]
        self._note(ri, t1, t2)
        self._note(rj, t1, t2)
        self.seated[t1].discard(ri)
        self.seated[t2].discard(rj)
        self.seated[t2].add(ri)
        self.seated[t1].add(rj)
        self.booth_of[ri], self.booth_of[rj] = b2, b1
        self.occupant[b2], self.occupant[b1] = ri, rj
        self._forget_coop(ri)
        self._forget_coop(rj)

    def _note(self, ri: int, *types: int) -> None:
        self.moved.add(ri)
        self.touched.update(types)
        if self.asks_near[ri]:  # fellow members' options change with them
            self.moved.update(self.coop_members[self.requests[ri].cooperative])

    def _forget_coop(self, ri: int) -> None:
        if self.asks_near[ri]:
            self.coop_now.pop(self.requests[ri].cooperative, None)

    def _neighbours(self) -> list[list[int]]:
        """Available booths within the radius of each booth (grid buckets of radius size)."""
        r = self.radius
        cells: dict[tuple[int, int], list[int]] = defaultdict(list)
        for bi, b in enumerate(self.booths):
            if b.available:
                cells[(math.floor(b.x / r), math.floor(b.y / r))].append(bi)
        result: list[list[int]] = [[] for _ in self.booths]
        for (cx, cy), members in cells.items():
            around = [
                bj for dx in (-1, 0, 1) for dy in (-1, 0, 1) for bj in cells.get((cx + dx, cy + dy), ())
            ]
            for bi in members:
                b = self.booths[bi]
                result[bi] = [
                    bj
                    for bj in around
                    if bj != bi and math.hypot(self.booths[bj].x - b.x, self.booths[bj].y - b.y) <= r
                ]
        return result

    # result

    def result(self) -> Allocation:
        standing = defaultdict(int)
        for ri, r in enumerate(self.requests):
            if self.group[ri] >= 0:
                standing[(r.priority, self.claim[ri], r.kind, r.size)] += 1
        placements, unplaced = [], []
        for ri, r in enumerate(self.requests):
            bi = self.booth_of[ri]
            if bi < 0:
                reason = ALL_SUITABLE_BOOTHS_TAKEN if self.group[ri] >= 0 else self.reasons.infeasible(r)
                unplaced.append(Unplaced(r.application_id, reason))
                continue
            b = self.booths[bi]
            why = []
            if r.priority > 0:
                why.append(STAFF_PRIORITY)
            if r.preferred_zone is not None:
                why.append(PREFERRED_ZONE if b.zone == r.preferred_zone else PREFERRED_ZONE_UNAVAILABLE)
            if r.last_tier is not None and b.tier < r.last_tier:
                why.append(ROTATION_UPGRADE)
            if self.asks_near[ri]:
                near = any(
                    math.hypot(self.booths[self.booth_of[m]].x - b.x, self.booths[self.booth_of[m]].y - b.y)
                    <= self.radius
                    for m in self.coop_members[r.cooperative]
                    if m != ri and self.booth_of[m] >= 0
                )
                why.append(NEAR_COOPERATIVE if near else COOPERATIVE_APART)
            if self.drawn[ri] or standing[(r.priority, self.claim[ri], r.kind, r.size)] > 1:
                why.append(LOTTERY)
            placements.append(Placement(r.application_id, b.id, tuple(why)))
        return _finish(self.booths, self.requests, placements, unplaced, self.radius)


def _take(counts: dict[int, int], key: int) -> None:
    if counts[key] == 1:
        del counts[key]
    else:
        counts[key] -= 1


# --- the baseline ----------------------------------------------------------------------------


def allocate_fcfs(booths: Sequence[BoothSpec], requests: Sequence[Request]) -> Allocation:
    """First come, first served: requests in the order given, each takes the first available
    booth that fits, in booth code order. The same hard constraints; the benchmark's baseline."""
    _validate(booths, requests)
    reasons = _Reasons(booths)
    by_kind_size: dict[tuple[str, int], list[BoothSpec]] = defaultdict(list)
    for b in sorted(booths, key=lambda b: (b.code, b.id)):
        if b.available:
            by_kind_size[(b.kind, b.size)].append(b)
    taken: set[int] = set()
    placements, unplaced = [], []
    for r in requests:
        booth = next(
            (b for b in by_kind_size.get((r.kind, r.size), ()) if b.id not in taken and _fits(b, r)), None
        )
        if booth is None:
            unplaced.append(Unplaced(r.application_id, reasons.infeasible(r)))
        else:
            taken.add(booth.id)
            placements.append(Placement(r.application_id, booth.id, (FIRST_COME_FIRST_SERVED,)))
    placements.sort()
    unplaced.sort()
    radius = near_radius(b for b in booths if b.available)
    return _finish(booths, requests, placements, unplaced, radius)


# --- checking and measuring ------------------------------------------------------------------


def check(booths: Sequence[BoothSpec], requests: Sequence[Request], allocation: Allocation) -> list[str]:
    """Every hard-constraint violation in ``allocation``, as readable sentences; [] when none.

    Written apart from the engine on purpose: it shares no code with it, so a bug in the
    engine's bookkeeping cannot hide itself here.
    """
    problems: list[str] = []
    booth_by_id = {b.id: b for b in booths}
    request_by_id = {r.application_id: r for r in requests}
    booths_used: dict[int, int] = {}
    placed: set[int] = set()
    for application_id, booth_id, explanation in allocation.assignments:
        r = request_by_id.get(application_id)
        b = booth_by_id.get(booth_id)
        if r is None:
            problems.append(f"application {application_id} was placed but did not ask for a booth")
        if b is None:
            problems.append(f"application {application_id} was placed in unknown booth {booth_id}")
        if application_id in placed:
            problems.append(f"application {application_id} has more than one booth")
        placed.add(application_id)
        if booth_id in booths_used:
            problems.append(
                f"booth {booth_id} is given to applications {booths_used[booth_id]} and {application_id}"
            )
        booths_used.setdefault(booth_id, application_id)
        if any(reason not in EXPLANATIONS for reason in explanation):
            problems.append(f"application {application_id} has an unknown explanation {explanation!r}")
        if r is None or b is None:
            continue
        where = f"application {application_id} in booth {b.code}"
        if not b.available:
            problems.append(f"{where}: the booth is not available")
        if b.kind != r.kind:
            problems.append(f"{where}: kind {b.kind} instead of {r.kind}")
        if b.size != r.size:
            problems.append(f"{where}: {b.size} m² instead of {r.size} m²")
        if b.zone_crafts and not (b.zone_crafts & r.crafts):
            problems.append(f"{where}: the zone accepts none of the artisan's crafts")
        if r.needs_accessibility and not b.accessible:
            problems.append(f"{where}: not step-free")
        if r.needs_electricity and not b.has_electricity:
            problems.append(f"{where}: no electricity")
    left_out: set[int] = set()
    for application_id, reason in allocation.unplaced:
        if application_id in placed:
            problems.append(f"application {application_id} is both placed and unplaced")
        if application_id in left_out:
            problems.append(f"application {application_id} is unplaced twice")
        left_out.add(application_id)
        if application_id not in request_by_id:
            problems.append(f"application {application_id} is unplaced but did not ask for a booth")
        if reason not in UNPLACED_REASONS:
            problems.append(f"application {application_id} is unplaced for an unknown reason {reason!r}")
    for application_id in request_by_id.keys() - placed - left_out:
        problems.append(f"application {application_id} is neither placed nor given a reason")
    return problems


def measure(
    booths: Sequence[BoothSpec],
    requests: Sequence[Request],
    assignments: Sequence[Placement],
    unplaced: Sequence[Unplaced],
    *,
    radius: float | None = None,
) -> Metrics:
    """The quality figures of an allocation (see :class:`Metrics`); works for any allocation,
    the engine's, the baseline's or one staff made by hand."""
    if radius is None:
        radius = near_radius(b for b in booths if b.available)
    booth_by_id = {b.id: b for b in booths}
    request_by_id = {r.application_id: r for r in requests}
    preferred, first, returning, after_low = [], [], [], []
    coop_seats: dict[int, list[BoothSpec]] = defaultdict(list)
    for application_id, booth_id, _why in assignments:
        b, r = booth_by_id.get(booth_id), request_by_id.get(application_id)
        if b is None or r is None:
            continue
        if r.preferred_zone is not None:
            preferred.append(float(b.zone == r.preferred_zone))
        (first if r.first_timer else returning).append(b.tier)
        if not r.first_timer and r.last_tier is not None and r.last_tier >= LOW_TIER:
            after_low.append(b.tier)
        if r.cooperative is not None and r.wants_near_cooperative:
            coop_seats[r.cooperative].append(b)
    near = []
    for members in coop_seats.values():
        if len(members) < 2:
            continue
        for i, b in enumerate(members):
            d = min(math.hypot(o.x - b.x, o.y - b.y) for j, o in enumerate(members) if j != i)
            near.append(float(d <= radius))
    provisional = Allocation(tuple(assignments), tuple(unplaced), _NO_METRICS)
    return Metrics(
        placed=len(assignments),
        unplaced=len(unplaced),
        preferred_zone_share=_mean(preferred),
        mean_tier_first_timers=_mean(first),
        mean_tier_returning=_mean(returning),
        mean_tier_after_low_tier=_mean(after_low),
        near_cooperative_share=_mean(near),
        hard_violations=len(check(booths, requests, provisional)),
    )


_NO_METRICS = Metrics(0, 0, None, None, None, None, None, 0)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _finish(booths, requests, assignments, unplaced, radius) -> Allocation:
    metrics = measure(booths, requests, assignments, unplaced, radius=radius)
    return Allocation(tuple(assignments), tuple(unplaced), metrics)
