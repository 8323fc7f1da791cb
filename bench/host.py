"""What the benchmarks print about the machine they ran on."""

import contextlib
import os
import platform
import sys
from pathlib import Path


def machine() -> str:
    """ "2 CPUs (Intel(R) Xeon(R) Processor), Python 3.11.7, load average 0.4"."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    return f"{os.cpu_count()} CPUs ({cpu}), Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f}"
