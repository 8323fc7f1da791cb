"""Several writers on SQLite: do concurrent write requests ever fail with "database is locked"?

Starts gunicorn (2 workers × 4 threads) on a fresh SQLite database with Souk's settings
(WAL, immediate transactions, busy timeout), then has 8 client threads create fairs through
the API — each request writes a fair, its crafts and an audit entry — and counts answers.

    .venv/bin/python bench/sqlite_writers.py [--requests 2000] [--clients 8]

Only loopback traffic; bounded in count and time.
"""

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PORT = 8765


def manage(env, *args):
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="souk-bench-")
    env = {**os.environ, "SOUK_DATA_DIR": data_dir, "DEBUG": "0"}
    env.pop("DATABASE_URL", None)
    manage(env, "migrate", "--noinput", "-v0")
    setup = (
        "from django.contrib.auth.models import Group; from core.models import User;"
        "from rest_framework.authtoken.models import Token; from fairs.models import Venue;"
        "from core.models import Province;"
        "u=User.objects.create_user('bench', password='x'); u.groups.add(Group.objects.get(name='staff'));"
        "Venue.objects.create(name='Bench hall', kind='hall', province=Province.objects.get(code='settat'));"
        "print(Token.objects.create(user=u).key)"
    )
    token = (
        subprocess.run(
            [PY, "manage.py", "shell", "-c", setup],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )

    server = subprocess.Popen(
        [PY, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", "2", "--threads", "4",
         "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/api/v1/fairs/", timeout=1)
                break
            except OSError:  # refused or timed out while gunicorn starts
                time.sleep(0.2)
        venue_id = 1
        results: Counter = Counter()
        lock = threading.Lock()
        counter = iter(range(args.requests))
        today = dt.date.today()

        def worker():
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                body = json.dumps(
                    {
                        "name": f"Foire {n}", "slug": f"foire-{n}", "scope": "local", "role": "organizer",
                        "venue": venue_id, "starts_on": str(today + dt.timedelta(days=60)),
                        "ends_on": str(today + dt.timedelta(days=65)), "capacity": 50,
                        "craft_categories": ["pottery", "zellige"],
                    }
                ).encode()  # fmt: skip
                request = urllib.request.Request(
                    f"http://127.0.0.1:{PORT}/api/v1/fairs/",
                    data=body,
                    headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
                )
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        code = response.status
                except urllib.error.HTTPError as exc:
                    code = exc.code
                except OSError as exc:
                    code = f"connection error: {exc}"
                with lock:
                    results[code] += 1

        started = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=10)

    print(
        f"{args.requests} fair creations, {args.clients} concurrent clients, gunicorn 2 workers x 4 threads"
    )
    print(f"answers: {dict(results)}")
    print(f"elapsed {elapsed:.1f} s, {args.requests / elapsed:.0f} writes/s")
    failed = args.requests - results[201]
    print("FAILED requests:", failed)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
