"""Check-in latency: ``POST /api/v1/check-ins/`` against a bare floor endpoint on the same stack.

For each database (SQLite, PostgreSQL) it builds a fresh database (migrated; SQLite in a
temporary ``SOUK_DATA_DIR`` under /tmp, PostgreSQL in ``souk_bench``, dropped and created
again) holding one fair running today with 2,000 confirmed exhibitors (names in both scripts,
a craft and a booth each, a cooperative for one in five, a photo path for 30 %) and their
badges (``badges_issue_for_fair``), a scanner device bound to the fair with its token, and the
day so far: 6,000 check-ins since midnight (``--history``; every badge outside again, its first
entry of the day kept on it).
It counts and prints the SQL queries of one scan (the Django test client, in process), then
starts gunicorn (2 workers × 4 threads, DEBUG off, the settings of ``bench.floor.settings``:
Souk's own plus the floor URLs) and drives it from separate client processes (one per client,
each with its own keep-alive connection, no pause between requests):

- ``checkin``: the real API with ``Authorization: Device <token>`` and the badge's signed
  code (127 characters, as the camera reads it), in then out for each badge, so every answer
  is ``ok``; each client has its own badges; fresh nonces;
- ``floor``: ``POST /bench/floor/`` — a plain Django view reading the badge by serial and
  inserting a ``CheckIn`` row (bench/floor/): what any scan costs on this stack;
- ``floor-drf``: the same two queries in a bare DRF view (how much DRF adds).

Each configuration (database × endpoint × clients) has a warm-up, then the timed requests.
Printed: median, p95, p99, max latency as the client sees it, requests/s, errors, the CPU the
gunicorn workers (and, on PostgreSQL, the database backends) spent per request — the steadier
figure on a shared machine — and the load average before and after.

    .venv/bin/python bench/checkin.py                      # 2,000 requests a configuration
    .venv/bin/python bench/checkin.py --quick              # a smoke run (small, fast)
    .venv/bin/python bench/checkin.py --db sqlite --clients 8 --requests 5000
    .venv/bin/python bench/checkin.py --profile 500 --db sqlite   # cProfile 500 scans, in process

Only loopback traffic; bounded in count. The target (issue 5): p99 under 50 ms, median within
2× of the floor's.
"""

import argparse
import datetime as dt
import http.client
import json
import math
import multiprocessing
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
HOST, PORT = "127.0.0.1", 8766
PG_URL = "postgres://postgres@127.0.0.1:5432/souk_bench"
SETTINGS = "bench.floor.settings"
CHECKIN_PATH = "/api/v1/check-ins/"
PATHS = {"checkin": CHECKIN_PATH, "floor": "/bench/floor/", "floor-drf": "/bench/floor-drf/"}
GATE = "Porte principale"
ACCEPT_LANGUAGE = "fr-MA,fr;q=0.9,ar;q=0.8"
P99_TARGET_MS = 50.0
MEDIAN_RATIO_TARGET = 2.0


# --- Preparing a database (a child process with Django set up on that database) -------------


def prepare(out: Path, exhibitors: int, history: int, profile: int) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()
    fair, device_token, codes = build(exhibitors, history)
    built = time.perf_counter()
    print(
        f"  {connection.vendor}: migrated in {migrated - started:.0f} s, {len(codes)} badges, a device and "
        f"{history} earlier check-ins today in {built - migrated:.1f} s",
        flush=True,
    )
    queries = count_queries(fair, device_token, codes)
    if profile:
        profile_scans(fair, device_token, codes, profile)
    out.write_text(json.dumps({"fair": fair.pk, "token": device_token, "badges": codes, "queries": queries}))


def build(exhibitors: int, history: int, seed: int = 7):
    """One fair running today, ``exhibitors`` confirmed exhibitors with booths and badges, a device,
    and ``history`` check-ins earlier today."""
    import random

    from dataset import fair_with_exhibitors
    from django.utils import timezone

    from badges.models import Badge, CheckIn, CheckInResult
    from badges.services import arrivals, badge_code, device_create, setup_for
    from fairs.models import Fair

    rng = random.Random(seed)
    today = timezone.localdate()
    made = fair_with_exhibitors(
        exhibitors, rng=rng, starts_on=today - dt.timedelta(days=1), ends_on=today + dt.timedelta(days=3),
        status=Fair.Status.RUNNING, cooperatives=True, photo_share=0.3,
    )  # fmt: skip
    fair, badges = made.fair, made.badges
    setup = setup_for(fair)
    device, token = device_create(name="Porte principale — téléphone 1", fair=fair, actor=None)
    # The day so far: ``history`` scans since midnight (entries and exits at two gates, every
    # badge outside again, its first entry of the day kept), so each insert meets a busy day's
    # indexes and the counters endpoint counts a real day.
    now = timezone.now()
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    moments = sorted(start + (now - start) * rng.random() for _ in range(history))
    gates = ["Porte principale", "Porte B"]
    earlier = []
    for n in range(history - history % 2):
        badge = badges[(n // 2) % len(badges)]
        earlier.append(CheckIn(
            fair=fair, badge=badge, raw_code=badge.serial, gate=rng.choice(gates),
            direction="in" if n % 2 == 0 else "out", result=CheckInResult.OK, device=device,
            origin=f"device:{device.pk}", nonce=uuid.uuid4().hex, scanned_at=moments[n],
        ))  # fmt: skip
    CheckIn.objects.bulk_create(earlier, batch_size=2000)
    arrived = arrivals((row.badge_id, row.scanned_at) for row in earlier if row.direction == "in")
    Badge.objects.bulk_update([Badge(pk=pk, arrived_at=at) for pk, at in arrived.items()], ["arrived_at"])
    codes = [[badge.serial, badge_code(badge, setup)] for badge in badges]
    rng.shuffle(codes)
    return fair, token, codes


def _test_client(token: str):
    from django.test import Client

    return Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Device {token}",
                  HTTP_ACCEPT_LANGUAGE=ACCEPT_LANGUAGE)  # fmt: skip


def _scan_body(fair_id: int, code: str, direction: str) -> dict:
    return {"fair": fair_id, "code": code, "gate": GATE, "direction": direction,
            "nonce": uuid.uuid4().hex, "device_time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")}  # fmt: skip


def count_queries(fair, token: str, codes: list) -> dict:
    """The SQL of one entry and one exit through the real view (and of one floor request), printed,
    then the time in process of a few dozen of each, and how much of it is spent executing SQL."""
    import statistics

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _test_client(token)
    # The first request of a process loads the fair's public key and the translations; a
    # device's last_seen_at is written at most once a minute: neither is what a scan costs.
    for direction in ("in", "out"):
        client.post(
            CHECKIN_PATH, _scan_body(fair.pk, codes[-1][1], direction), content_type="application/json"
        )

    def checkin(code, direction):
        response = client.post(
            CHECKIN_PATH, _scan_body(fair.pk, code, direction), content_type="application/json"
        )
        assert response.status_code == 201 and response.json()["result"] == "ok", response.content
        return response

    def floor(serial, direction):
        body = {"serial": serial, "gate": GATE, "direction": direction, "nonce": uuid.uuid4().hex}
        response = client.post(PATHS["floor"], body, content_type="application/json")
        assert response.status_code == 201, response.content
        return response

    serial, code = codes[-2]  # the timed runs reach the last badges last, if at all
    found = {}
    for name, call, value in (
        ("checkin in", checkin, code),
        ("checkin out", checkin, code),
        ("floor", floor, serial),
    ):
        with CaptureQueriesContext(connection) as captured:
            call(value, name.split()[-1] if name != "floor" else "in")
        found[name] = [query["sql"] for query in captured.captured_queries]
    answer = checkin(code, "in").json()
    checkin(code, "out")
    print(f"  one answer: {json.dumps(answer, ensure_ascii=False)[:300]}…")
    for name, queries in found.items():
        print(f"  SQL queries, {name}: {len(queries)}")
        for sql in queries:
            print(f"    {sql[:150]}{'…' if len(sql) > 150 else ''}")

    in_sql = [0.0]

    def timer(execute, sql, params, many, context):
        begin = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            in_sql[0] += time.perf_counter() - begin

    timings = {"checkin": [], "floor": []}
    with connection.execute_wrapper(timer):
        for serial, code in codes[-42:-2]:
            for name, call, value in (("checkin", checkin, code), ("floor", floor, serial)):
                for direction in ("in", "out"):
                    in_sql[0] = 0.0
                    begin = time.perf_counter()
                    call(value, direction)
                    timings[name].append((time.perf_counter() - begin, in_sql[0]))
    for name, pairs in timings.items():
        total = statistics.median(t for t, _sql in pairs) * 1000
        sql = statistics.median(s for _t, s in pairs) * 1000
        print(f"  in process (test client), {name}: median {total:.2f} ms a request, of which {sql:.2f} ms "
              f"in the database driver ({len(pairs)} requests; load {loadavg()})")  # fmt: skip
    return {name: len(queries) for name, queries in found.items()}


def profile_scans(fair, token: str, codes: list, scans: int) -> None:
    """``scans`` check-ins (in/out pairs) through the test client, first timed, then under cProfile."""
    import cProfile
    import pstats

    client = _test_client(token)

    def run(pairs):
        for _serial, code in pairs:
            for direction in ("in", "out"):
                client.post(
                    CHECKIN_PATH, _scan_body(fair.pk, code, direction), content_type="application/json"
                )

    half = max(1, scans // 2)
    run(codes[:20])
    started = time.perf_counter()
    run(codes[20 : 20 + half])
    plain = (time.perf_counter() - started) / (2 * half)
    profiler = cProfile.Profile()
    profiler.enable()
    run(codes[20 + half : 20 + 2 * half])
    profiler.disable()
    print(f"\n  in process, test client, no profiler: {plain * 1000:.2f} ms a scan ({2 * half} scans)")
    stats = pstats.Stats(profiler).strip_dirs()
    print("  cProfile, by cumulative time:")
    stats.sort_stats("cumulative").print_stats(45)
    print("  cProfile, by own time:")
    stats.sort_stats("tottime").print_stats(25)


# --- Driving the server ---------------------------------------------------------------------


def client_process(path, headers, warm, timed, warmed, go, results, think=0.0, seed=0):
    """One client: its own keep-alive connection, latencies recorded. Requests back to back, or
    with ``think`` seconds between an answer and the next scan on average (exponential: a gate
    where people arrive at random), not counted in the latency."""
    pause = random.Random(seed)
    connection = http.client.HTTPConnection(HOST, PORT, timeout=60)
    retried = Counter()

    def attempt(body):
        connection.request("POST", path, body, headers)
        response = connection.getresponse()
        return response.status, response.read()

    def send(body):
        """Like a browser: a kept-alive connection the server closed meanwhile (gunicorn closes one
        that waited longer than its keep-alive while every thread was busy) is retried once on a
        new one — safe, a scan is idempotent by its nonce. Counted apart; anything else is an error."""
        try:
            return attempt(body)
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            connection.close()
            retried["retried"] += 1
        except (OSError, http.client.HTTPException) as exc:
            connection.close()  # the next request connects again
            return f"{type(exc).__name__}", b""
        try:
            return attempt(body)
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            return f"{type(exc).__name__}", b""

    for body in warm:
        send(body)
    warmed.wait(timeout=600)  # every client has warmed up; the parent reads the CPU counters
    go.wait(timeout=600)
    retried.clear()
    latencies, statuses, answers = [], Counter(), Counter()
    started = time.perf_counter()
    for body in timed:
        begin = time.perf_counter()
        status, content = send(body)
        latencies.append(time.perf_counter() - begin)
        if think:
            time.sleep(pause.expovariate(1 / think))
        statuses[status] += 1
        try:
            answers[json.loads(content)["result"]] += 1
        except (ValueError, KeyError, TypeError):
            answers["(no result)"] += 1
    ended = time.perf_counter()
    connection.close()
    results.put((latencies, statuses, answers, started, ended, retried["retried"]))


def _cpu_ticks(pids) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _pg_backends() -> list[int]:
    out = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc",
         "select pid from pg_stat_activity where datname = 'souk_bench' and pid <> pg_backend_pid()"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return [int(line) for line in out.split() if line.strip()]


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def percentile(ordered: list[float], share: float) -> float:
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def run_config(*, endpoint, clients, bodies_warm, bodies_timed, token, between, think=0.0):
    """Start the clients; once all have warmed up, call ``between()`` (CPU counters), then time."""
    headers = {"Content-Type": "application/json", "Accept-Language": ACCEPT_LANGUAGE}
    if endpoint == "checkin":
        headers["Authorization"] = f"Device {token}"
    context = multiprocessing.get_context("fork")
    warmed, go = context.Barrier(clients + 1), context.Barrier(clients + 1)
    results = context.Queue()
    processes = [
        context.Process(
            target=client_process,
            args=(PATHS[endpoint], headers, bodies_warm[i], bodies_timed[i], warmed, go, results, think, i),
        )
        for i in range(clients)
    ]
    for process in processes:
        process.start()
    warmed.wait(timeout=600)
    before = between()
    go.wait(timeout=600)
    collected = [results.get(timeout=900) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    return before, {
        "latencies": sorted(value for item in collected for value in item[0]),
        "statuses": sum((item[1] for item in collected), Counter()),
        "answers": sum((item[2] for item in collected), Counter()),
        "seconds": max(item[4] for item in collected) - min(item[3] for item in collected),
        "retried": sum(item[5] for item in collected),
    }


def drive(*, endpoint, clients, warm, timed, fair, token, codes, cursor, server_pid, postgres, think=0.0):
    """One configuration; ``cursor`` is the index of the next badge (so runs use fresh badges)."""
    expected = 201
    per_client_timed = 2 * math.ceil(timed / clients / 2)
    per_client_warm = 2 * max(1, math.ceil(warm / clients / 2))
    pairs_needed = clients * (per_client_timed + per_client_warm) // 2
    if pairs_needed > len(codes):
        raise SystemExit(f"{pairs_needed} badges needed for {endpoint} × {clients}: raise --exhibitors")
    lists = [[] for _ in range(clients)]
    for k in range(pairs_needed):
        serial, code = codes[(cursor + k) % len(codes)]
        for direction in ("in", "out"):
            if endpoint == "checkin":
                body = _scan_body(fair, code, direction)
            else:
                body = {"serial": serial, "gate": GATE, "direction": direction, "nonce": uuid.uuid4().hex}
            lists[k % clients].append(json.dumps(body).encode())
    warm_bodies = [items[:per_client_warm] for items in lists]
    timed_bodies = [items[per_client_warm : per_client_warm + per_client_timed] for items in lists]

    load_before = loadavg()

    def counters():
        workers = _children(server_pid)
        db_pids = _pg_backends() if postgres else []
        return workers, db_pids, _cpu_ticks(workers), _cpu_ticks(db_pids)

    (workers, db_pids, cpu_before, db_before), outcome = run_config(
        endpoint=endpoint, clients=clients, bodies_warm=warm_bodies, bodies_timed=timed_bodies, token=token,
        between=counters, think=think,
    )  # fmt: skip
    cpu_after = _cpu_ticks(workers)
    # A backend that was replaced during the run (CONN_MAX_AGE) took its CPU time with it.
    db_after = _cpu_ticks(db_pids) if postgres and set(_pg_backends()) == set(db_pids) else None
    ticks = os.sysconf("SC_CLK_TCK")
    total = len(outcome["latencies"])
    latencies = outcome["latencies"]
    ok_status = outcome["statuses"][expected]
    return (
        {
            "endpoint": endpoint, "clients": clients, "think_ms": 1000 * think, "requests": len(latencies),
            "median_ms": 1000 * percentile(latencies, 0.5), "p95_ms": 1000 * percentile(latencies, 0.95),
            "p99_ms": 1000 * percentile(latencies, 0.99), "max_ms": 1000 * latencies[-1],
            "per_second": len(latencies) / outcome["seconds"], "errors": len(latencies) - ok_status,
            "statuses": {str(k): v for k, v in outcome["statuses"].items()},
            "retried": outcome["retried"],
            "answers": dict(outcome["answers"]),
            "app_cpu_ms": 1000 * (cpu_after - cpu_before) / ticks / total,
            "db_cpu_ms": None if db_after is None else 1000 * (db_after - db_before) / ticks / total,
            "load": f"{load_before} → {loadavg()}",
        },
        cursor + pairs_needed,
    )  # fmt: skip


def start_server(env, token, workers=2, threads=4):
    server = subprocess.Popen(
        [PY, "-m", "gunicorn", "config.wsgi", "-b", f"{HOST}:{PORT}", "-w", str(workers), "--threads", str(threads),
         "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    for _ in range(150):
        try:
            connection = http.client.HTTPConnection(HOST, PORT, timeout=2)
            connection.request("GET", "/api/v1/scanner/fairs/", headers={"Authorization": f"Device {token}"})
            connection.getresponse().read()
            connection.close()
            return server
        except OSError:  # refused while gunicorn starts
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True)


def bench_database(db: str, args) -> dict:
    data_dir = tempfile.mkdtemp(prefix=f"souk-bench-checkin-{db}-")
    env = {**os.environ, "SOUK_DATA_DIR": data_dir, "DEBUG": "0", "DJANGO_SETTINGS_MODULE": SETTINGS,
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "WARNING"}  # fmt: skip
    env.pop("MEDIA_ROOT", None)
    env.pop("STATIC_ROOT", None)
    if db == "postgres":
        psql("DROP DATABASE IF EXISTS souk_bench")
        psql("CREATE DATABASE souk_bench")
        env["DATABASE_URL"] = PG_URL
    else:
        env.pop("DATABASE_URL", None)
    print(f"\n== {db}: preparing ({args.exhibitors} exhibitors) in {data_dir}", flush=True)
    out = Path(data_dir) / "prepared.json"
    subprocess.run(
        [PY, __file__, "--prepare", str(out), "--exhibitors", str(args.exhibitors),
         "--history", str(args.history), "--profile", str(args.profile)],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    prepared = json.loads(out.read_text())
    rows = []
    if args.profile:
        print("  (--profile: no server run)")
    else:
        server = start_server(env, prepared["token"], args.workers, args.threads)
        try:
            cursor = 0
            for clients in args.clients:
                for endpoint in args.endpoints:
                    row, cursor = drive(
                        endpoint=endpoint, clients=clients, warm=args.warmup, timed=args.requests,
                        fair=prepared["fair"], token=prepared["token"], codes=prepared["badges"],
                        cursor=cursor, server_pid=server.pid, postgres=db == "postgres", think=args.think / 1000,
                    )  # fmt: skip
                    row["db"] = db
                    rows.append(row)
                    print(f"  {format_row(row)}", flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
    if not args.keep:
        shutil.rmtree(data_dir, ignore_errors=True)
    return {"db": db, "queries": prepared["queries"], "rows": rows}


def format_row(row) -> str:
    db_cpu = f", db CPU {row['db_cpu_ms']:.2f} ms/req" if row.get("db_cpu_ms") is not None else ""
    return (
        f"{row['endpoint']:9} × {row['clients']}{' paced' if row.get('think_ms') else ''}: median {row['median_ms']:6.2f} ms, "
        f"p95 {row['p95_ms']:6.2f}, p99 {row['p99_ms']:6.2f}, max {row['max_ms']:7.2f}, "
        f"{row['per_second']:6.0f} req/s, errors {row['errors']}, retried {row['retried']}, app CPU {row['app_cpu_ms']:.2f} ms/req"
        f"{db_cpu}; answers {row['answers']}; load {row['load']}"
    )


def report(results: list[dict]) -> bool:
    print(
        "\n| database | endpoint | clients | median | p95 | p99 | max | req/s | errors (retried) | app CPU/req |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    met = True
    for result in results:
        for row in result["rows"]:
            db_cpu = f" + {row['db_cpu_ms']:.2f} db" if row.get("db_cpu_ms") is not None else ""
            print(
                f"| {row['db']} | {row['endpoint']} | {row['clients']} | {row['median_ms']:.1f} ms | "
                f"{row['p95_ms']:.1f} | {row['p99_ms']:.1f} | {row['max_ms']:.1f} | {row['per_second']:.0f} | "
                f"{row['errors']} ({row['retried']}) | {row['app_cpu_ms']:.2f} ms{db_cpu} |"
            )
    print()
    for result in results:
        print(f"{result['db']}: SQL queries a scan: {result['queries']}")
        by_key = {(row["endpoint"], row["clients"]): row for row in result["rows"]}
        for (endpoint, clients), row in by_key.items():
            if endpoint != "checkin":
                continue
            floor = by_key.get(("floor", clients))
            ratio = row["median_ms"] / floor["median_ms"] if floor else float("nan")
            ok = row["p99_ms"] < P99_TARGET_MS and ratio <= MEDIAN_RATIO_TARGET and row["errors"] == 0
            met &= ok
            print(
                f"  {clients} client(s): p99 {row['p99_ms']:.1f} ms (target < {P99_TARGET_MS:.0f}), median "
                f"{ratio:.2f}× the floor's (target ≤ {MEDIAN_RATIO_TARGET:.0f}×), errors {row['errors']}: "
                f"{'met' if ok else 'MISSED'}"
            )
    return met


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite,postgres", help="sqlite, postgres or both (comma)")
    parser.add_argument("--clients", default="1,8", help="concurrent clients, e.g. 1,8")
    parser.add_argument("--endpoints", default="floor,floor-drf,checkin")
    parser.add_argument("--requests", type=int, default=2000, help="timed requests a configuration")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument(
        "--think", type=float, default=0, help="mean pause (ms) between a client's scans; 0: back to back"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--exhibitors", type=int, default=2000)
    parser.add_argument("--history", type=int, default=6000, help="check-ins earlier today")
    parser.add_argument("--quick", action="store_true", help="smoke run: 300 exhibitors, 200 requests")
    parser.add_argument("--profile", type=int, default=0, help="profile N scans in process, no server")
    parser.add_argument("--json", type=Path, help="write the figures there")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite data directory")
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare(args.prepare, args.exhibitors, args.history, args.profile)
        return
    if args.quick:
        args.exhibitors, args.requests, args.warmup, args.history = 300, 200, 20, 600
    args.clients = [int(n) for n in args.clients.split(",")]
    args.endpoints = args.endpoints.split(",")
    unknown = set(args.endpoints) - set(PATHS)
    if unknown:
        parser.error(f"unknown endpoints: {', '.join(sorted(unknown))}")

    print(
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {loadavg()}; gunicorn {args.workers} workers × {args.threads} threads; {args.requests} timed requests "
        f"(+{args.warmup} warm-up) a configuration, "
        + (
            f"{args.think:.0f} ms mean pause between a client's scans"
            if args.think
            else "closed loop, no pause"
        )
    )
    results = [bench_database(db, args) for db in args.db.split(",")]
    if args.profile:
        return
    met = report(results)
    print(f"load average at the end: {loadavg()}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
