"""Allocate 1,000 booths to 3,000 confirmed applications with booths/engine.py, and time it.

Generates a realistic fair plan and set of requests (seeded, so every run sees the same data):

* a main hall split into craft zones — pottery and zellige, carpets, embroidery and clothing,
  leather, woodwork, metal and jewellery, basketry and carving, an open "design" zone that
  takes every craft —, a mezzanine (not step-free), and an outdoor area; traffic tier by
  distance from the entrance (1 near the doors, 3 at the back); rows of one booth size, mostly
  9 m² standard booths, corners at row ends, 18 m² islands, outdoor pitches; electricity in
  most indoor booths; about 3 % held or blocked;
* artisans with a main craft (weighted like the registry) and sometimes others, a booth kind
  and size mostly matching the plan, a preferred zone for about two thirds, a few needing
  step-free access, a third needing electricity, cooperatives of 2–6 members of whom most ask
  to be near each other, ~30 % first-timers, and for the others the tier they had last time;
  a submission order where returning artisans — above all those who had a busy booth — apply
  earlier than first-timers, as they do in real life.

Then times ``allocate`` (median of several runs, one seed each; wall clock, and CPU time,
which a busy shared machine disturbs less) and prints the quality of its
allocation beside a first-come-first-served baseline (``allocate_fcfs``) on the same data:

    .venv/bin/python bench/allocation.py [--booths 1000] [--requests 3000] [--runs 5] [--seed 7] [--survey 12]

A second table does the same with fewer requests than booths (the usual case, where the
question is not who gets a booth but which one). ``--survey N`` adds the gap between
first-timers' and returning artisans' mean tier over N more generated data sets.
"""

import argparse
import os
import platform
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from booths.engine import BoothSpec, Request, allocate, allocate_fcfs

# craft ids and how common they are among the region's artisans
CRAFTS = {
    1: ("pottery and ceramics", 12),
    2: ("zellige", 5),
    3: ("carpets and weaving", 16),
    4: ("embroidery", 14),
    5: ("leather", 10),
    6: ("woodwork and marquetry", 9),
    7: ("copper and metal", 6),
    8: ("jewellery", 8),
    9: ("basketry", 5),
    10: ("plaster and stone carving", 4),
    11: ("traditional clothing", 11),
}
# zone id → (letter, crafts accepted (empty = any), step-free, share of the hall's rows)
ZONES = {
    1: ("A", {1, 2}, True, 0.13),
    2: ("B", {3}, True, 0.14),
    3: ("C", {4, 11}, True, 0.18),
    4: ("D", {5}, True, 0.09),
    5: ("E", {6}, True, 0.08),
    6: ("F", {7, 8}, True, 0.10),
    7: ("G", {9, 10}, True, 0.07),
    8: ("H", set(), True, 0.09),  # design and innovation: every craft
    9: ("M", {4, 8, 11}, False, 0.06),  # mezzanine, stairs only
    10: ("P", set(), True, 0.06),  # outdoor pitches
}
PITCH = 3.0  # metres between booth centres along a row
AISLE = 6.0  # metres between rows


def make_booths(n: int, rng: random.Random) -> list[BoothSpec]:
    """Zones side by side along the entrance wall, rows going back; tier by distance."""
    per_row = 12
    booths: list[BoothSpec] = []
    x0 = 0.0
    drafts = []
    for zone_id, (letter, crafts, step_free, share) in ZONES.items():
        last = zone_id == max(ZONES)
        count = n - len(drafts) if last else max(per_row, round(n * share))
        outdoor = letter == "P"
        made, row = 0, 0
        while made < count:
            if outdoor:
                row_kind, size = "outdoor", rng.choice([9, 9, 12])
            else:
                size = rng.choices([9, 6, 12], weights=[75, 10, 15])[0]
                row_kind = "standard"
            island_row = not outdoor and row % 4 == 3
            for col in range(per_row):
                if made >= count:
                    break
                kind, booth_size = row_kind, size
                if island_row:
                    if col % 3:
                        continue  # an island takes the room of three booths
                    kind, booth_size = "island", 18
                elif not outdoor and col in (0, per_row - 1):
                    kind = "corner"
                    booth_size = 9 if size == 6 else size
                x = x0 + col * PITCH
                y = row * AISLE
                drafts.append((zone_id, letter, crafts, step_free, kind, booth_size, x, y))
                made += 1
            row += 1
        x0 += per_row * PITCH + AISLE
    middle = x0 / 2  # the main doors, in the middle of the front wall

    def distance(d):
        """Walking distance from the front wall, the doors counting a little."""
        return d[7] + 0.15 * abs(d[6] - middle)

    ranked = sorted(distance(d) for d in drafts)
    cut1, cut2 = ranked[int(len(ranked) * 0.3)], ranked[int(len(ranked) * 0.7)]
    numbers: Counter = Counter()
    for booth_id, d in enumerate(sorted(drafts, key=lambda d: (d[1], distance(d))), start=1):
        zone_id, letter, crafts, step_free, kind, size, x, y = d
        numbers[letter] += 1
        dist = distance(d)
        tier = 1 if dist <= cut1 else 2 if dist <= cut2 else 3
        outdoor = kind == "outdoor"
        booths.append(
            BoothSpec(
                id=booth_id,
                code=f"{letter}-{numbers[letter]:03d}",
                zone=zone_id,
                zone_crafts=frozenset(crafts),
                kind=kind,
                size=size,
                tier=tier,
                accessible=step_free,
                has_electricity=rng.random() < (0.2 if outdoor else 0.75),
                x=x,
                y=y,
                available=rng.random() >= 0.03,
            )
        )
    return booths


def make_requests(n: int, booths: list[BoothSpec], rng: random.Random) -> list[Request]:
    """Requests in submission order (the order first-come-first-served uses)."""
    craft_ids = list(CRAFTS)
    craft_weights = [w for _name, w in CRAFTS.values()]
    shapes = [(b.kind, b.size) for b in booths]
    shapes_in = {z: {(b.kind, b.size) for b in booths if b.zone == z} for z in ZONES}
    zones_for = {c: [z for z, (_l, cr, _s, _sh) in ZONES.items() if not cr or c in cr] for c in craft_ids}
    cooperatives: list[tuple[int, int]] = []  # (cooperative id, its members' main craft)
    coop_sizes: Counter = Counter()
    next_coop = 1
    drafts = []
    for application_id in range(1, n + 1):
        main = rng.choices(craft_ids, weights=craft_weights)[0]
        crafts = {main}
        if rng.random() < 0.3:
            crafts.update(rng.sample(craft_ids, rng.choice([1, 2])))
        if rng.random() < 0.9:
            kind, size = rng.choice(shapes)
        else:
            kind, size = rng.choice(["standard", "corner", "island", "outdoor"]), rng.choice([6, 9, 12, 18])
        preferred = None
        if rng.random() < 0.65:
            # the form offers the zones that have booths of the kind and size asked for
            offered = [z for z in zones_for[main] if (kind, size) in shapes_in[z]]
            preferred = rng.choice(offered) if offered and rng.random() < 0.9 else rng.choice(list(ZONES))
        cooperative, near = None, False
        if rng.random() < 0.2:
            same_craft = [c for c, m in cooperatives if m == main and coop_sizes[c] < 6]
            if same_craft and rng.random() < 0.7:
                cooperative = rng.choice(same_craft)
            else:
                cooperative = next_coop
                next_coop += 1
                cooperatives.append((cooperative, main))
            coop_sizes[cooperative] += 1
            near = rng.random() < 0.7
        first_timer = rng.random() < 0.3
        last_tier = None
        if not first_timer and rng.random() < 0.95:
            last_tier = rng.choices([1, 2, 3], weights=[30, 40, 30])[0]
        # returning artisans apply early, above all those used to a busy booth
        eagerness = rng.random() + (0.35 if first_timer else 0.0) - (0.25 if last_tier == 1 else 0.0)
        drafts.append(
            (
                eagerness,
                Request(
                    application_id=application_id,
                    artisan_id=100_000 + application_id,
                    crafts=frozenset(crafts),
                    kind=kind,
                    size=size,
                    preferred_zone=preferred,
                    needs_accessibility=rng.random() < 0.03,
                    needs_electricity=rng.random() < 0.35,
                    cooperative=cooperative,
                    wants_near_cooperative=near,
                    first_timer=first_timer,
                    last_tier=last_tier,
                    priority=1 if rng.random() < 0.01 else 0,
                ),
            )
        )
    drafts.sort(key=lambda d: d[0])
    return [r for _e, r in drafts]


def fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def scenario(title: str, booths, requests, runs: int) -> None:
    times, cpu_times, allocations = [], [], []
    for seed in range(1, runs + 1):
        start, cpu_start = time.perf_counter(), time.process_time()
        allocations.append(allocate(booths, requests, seed=seed))
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
    start = time.perf_counter()
    fcfs = allocate_fcfs(booths, requests)
    fcfs_time = time.perf_counter() - start
    engine = allocations[0]
    available = sum(b.available for b in booths)
    print(f"\n## {title}: {len(booths)} booths ({available} available), {len(requests)} requests")
    print(
        f"allocate: median {statistics.median(times):.2f} s over {runs} runs, one seed each "
        f"(min {min(times):.2f}, max {max(times):.2f}); CPU time median {statistics.median(cpu_times):.2f} s; "
        f"FCFS {fcfs_time:.2f} s"
    )
    firsts = {r.application_id for r in requests if r.first_timer}

    def first_timer_share(allocation):
        placed = [p.application_id for p in allocation.assignments]
        return share(sum(a in firsts for a in placed), len(placed))

    rows = [
        ("hard-constraint violations", "hard_violations"),
        ("placed", "placed"),
        ("unplaced", "unplaced"),
        ("placed in their preferred zone (share)", "preferred_zone_share"),
        ("mean tier, first-timers", "mean_tier_first_timers"),
        ("mean tier, returning artisans", "mean_tier_returning"),
        ("mean tier, had tier 3 last time", "mean_tier_after_low_tier"),
        ("cooperative members near a fellow (share)", "near_cooperative_share"),
    ]
    table = [(label, getattr(engine.metrics, a), getattr(fcfs.metrics, a)) for label, a in rows]
    table.insert(
        3,
        (
            f"first-timers among the placed ({share(len(firsts), len(requests)):.0%} of requests)",
            first_timer_share(engine),
            first_timer_share(fcfs),
        ),
    )
    print(f"\n| {'metric (tier 1 = busiest, 3 = back)':<49} | {'engine':>8} | {'FCFS':>8} |")
    print(f"|{'-' * 51}|{'-' * 10}|{'-' * 10}|")
    for label, ours, theirs in table:
        print(f"| {label:<49} | {fmt(ours):>8} | {fmt(theirs):>8} |")
    spread = [a.metrics for a in allocations]
    print(
        f"\nseeds 1–{runs}: preferred zone share "
        f"{min(m.preferred_zone_share for m in spread):.3f}–{max(m.preferred_zone_share for m in spread):.3f}, "
        f"first-timers' mean tier {min(m.mean_tier_first_timers for m in spread):.3f}–"
        f"{max(m.mean_tier_first_timers for m in spread):.3f}, "
        f"returning {min(m.mean_tier_returning for m in spread):.3f}–"
        f"{max(m.mean_tier_returning for m in spread):.3f}, "
        f"violations {max(m.hard_violations for m in spread)}"
    )
    reasons = Counter(reason for _a, reason in engine.unplaced)
    print("unplaced by reason (engine):", ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())))


def survey(first_seed: int, count: int, n_booths: int, n_requests: int) -> None:
    """First-timers' minus returning artisans' mean tier over many generated data sets: one
    data set can favour either group by chance; the mean over many shows the method's bias."""
    gaps: dict[str, list[float]] = {}
    for data_seed in range(first_seed, first_seed + count):
        rng = random.Random(data_seed)
        booths = make_booths(n_booths, rng)
        requests = make_requests(n_requests, booths, rng)
        fewer = [r for r in requests if r.application_id <= round(n_booths * 0.9)]
        for name, subset in (("more requests", requests), ("fewer requests", fewer)):
            for method, allocation in (
                ("engine", allocate(booths, subset, seed=1)),
                ("FCFS", allocate_fcfs(booths, subset)),
            ):
                m = allocation.metrics
                gaps.setdefault(f"{name}, {method}", []).append(
                    m.mean_tier_first_timers - m.mean_tier_returning
                )
    last = first_seed + count - 1
    print(f"\n## First-timers' mean tier minus returning artisans', data seeds {first_seed}–{last}")
    for label, values in gaps.items():
        print(
            f"{label:<24} mean {statistics.mean(values):+.3f}  (min {min(values):+.3f}, max {max(values):+.3f})"
        )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--booths", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--survey", type=int, default=0, help="also compare fairness over this many data sets"
    )
    args = parser.parse_args()

    rng = random.Random(args.seed)
    booths = make_booths(args.booths, rng)
    requests = make_requests(args.requests, booths, rng)
    print(
        f"# Booth allocation — Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}, data seed {args.seed}"
    )
    scenario("More requests than booths", booths, requests, args.runs)
    fewer = round(len(booths) * 0.9)
    scenario(
        "Fewer requests than booths", booths, [r for r in requests if r.application_id <= fewer], args.runs
    )
    if args.survey:
        survey(args.seed + 1, args.survey, args.booths, args.requests)


if __name__ == "__main__":
    main()
