"""core.sqlite.writers_queue: on SQLite, write transactions of a hot path take turns — threads
of a process on a lock, processes on a file lock beside the database — instead of sleeping
in SQLite's busy handler."""

import subprocess
import sys
import threading
import time

import pytest
from django.db import connection

from core import sqlite
from core.sqlite import writers_queue

PROBE = "import fcntl, sys; f = open(sys.argv[1], 'a+b'); fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)"


@pytest.fixture
def on_disk(tmp_path, monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: PostgreSQL locks rows")
    name = tmp_path / "souk.sqlite3"
    monkeypatch.setitem(connection.settings_dict, "NAME", str(name))
    return name


def test_another_process_waits_for_its_turn(on_disk):
    lock_file = f"{on_disk}.writers"
    with writers_queue():
        held = subprocess.run([sys.executable, "-c", PROBE, lock_file], capture_output=True)
    free = subprocess.run([sys.executable, "-c", PROBE, lock_file], capture_output=True)
    assert held.returncode != 0 and b"BlockingIOError" in held.stderr
    assert free.returncode == 0, free.stderr


def test_another_thread_waits_for_its_turn(on_disk):
    events = []

    def writer():
        with writers_queue():
            events.append("second in")

    with writers_queue():
        thread = threading.Thread(target=writer)
        thread.start()
        time.sleep(0.2)  # room for the thread to (wrongly) get in
        events.append("first out")
    thread.join(timeout=5)
    assert events == ["first out", "second in"]


def test_a_nested_block_is_already_in_turn(on_disk, monkeypatch):
    """A block inside a block of the same thread does not wait for its own turn (which would
    time out and let go of the turn on its way out): the outer block keeps it."""
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.01)
    with writers_queue():
        with writers_queue():
            pass
        assert sqlite._mine.held and sqlite._threads.locked()  # still this thread's turn
    assert not sqlite._mine.held and not sqlite._threads.locked()  # and given back
