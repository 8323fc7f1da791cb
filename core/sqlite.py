"""Writers that queue instead of sleeping, on SQLite.

SQLite lets one writer in at a time. Another writer that finds the database locked waits in
SQLite's busy handler, which sleeps 1, 2, 5, 10 … up to 100 ms between tries rather than
queueing: under a steady stream of short writes (eight gates scanning) a writer can miss its
turn again and again, and the slowest scans took 125–200 ms where the work is 2 ms
(bench/checkin.py, 2 gunicorn workers × 4 threads).

``writers_queue()`` puts a hot path's write transactions in a queue instead: a lock between
the threads of a process, and a ``flock`` on a file beside the database between processes —
the kernel wakes the next waiter the moment the lock is let go, and frees it if its holder
dies. On PostgreSQL (row locks) and for in-memory databases it does nothing.
"""

import contextlib
import os
import threading

from django.db import connection

try:
    import fcntl
except ImportError:  # not POSIX: threads still queue, processes meet in SQLite's busy handler
    fcntl = None

_threads = threading.Lock()
_mine = threading.local()
_lock_files: dict[tuple[str, int], object] = {}


def _lock_file(database: str):
    """This process's open lock file for ``database``. One per process — flock locks an open
    file, so a file opened before a fork (gunicorn --preload) would be shared by the workers
    and exclude none of them: the key has the process id."""
    key = (database, os.getpid())
    handle = _lock_files.get(key)
    if handle is None:
        handle = _lock_files[key] = open(f"{database}.writers", "a+b")  # noqa: SIM115 -- kept open
    return handle


def _on_disk(name) -> bool:
    name = str(name)
    return (
        bool(name)
        and name != ":memory:"
        and "mode=memory" not in name
        and not name.startswith("file:memorydb")
    )


@contextlib.contextmanager
def writers_queue():
    """Around a write transaction on SQLite: wait in turn, then write (see the module)."""
    if connection.vendor != "sqlite" or getattr(_mine, "held", False):
        yield  # PostgreSQL; or this thread's turn already (a nested block)
        return
    # Never wait longer than SQLite itself would (its busy timeout): past that, go on anyway.
    held = _threads.acquire(timeout=connection.settings_dict["OPTIONS"].get("timeout", 5))
    handle = None
    try:
        name = connection.settings_dict["NAME"]
        if held and fcntl is not None and _on_disk(name):
            handle = _lock_file(str(name))
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        _mine.held = held
        yield
    finally:
        _mine.held = False
        if handle is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        if held:
            _threads.release()
