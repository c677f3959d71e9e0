"""The whole system: time to ready (what `make run` does once the venv exists) and idle memory."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from deploy import demo
from deploy.processes import SERVICES, LocalSystem, free_port

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Memory:
    rss: dict[str, float] = field(default_factory=dict)  # MB per process (with its children)
    pss: dict[str, float] = field(default_factory=dict)  # MB, shared pages split between processes

    @property
    def total_rss(self) -> float:
        return sum(self.rss.values())

    @property
    def total_pss(self) -> float:
        return sum(self.pss.values())


def measure_memory(system: LocalSystem) -> Memory:
    memory = Memory()
    for name in ("nats", *SERVICES):
        root = psutil.Process(system.processes[name].pid)
        processes = [root, *root.children(recursive=True)]
        memory.rss[name] = sum(p.memory_info().rss for p in processes) / 2**20
        with contextlib.suppress(psutil.AccessDenied, AttributeError):
            memory.pss[name] = sum(p.memory_full_info().pss for p in processes) / 2**20
    return memory


def start_and_seed(var_dir: Path) -> tuple[LocalSystem, float]:
    """LocalSystem.start() + demo.seed() on free ports with an empty var dir, timed like
    deploy.local times it (from constructing the LocalSystem to the seed's return)."""
    started = time.monotonic()
    system = LocalSystem(var_dir=var_dir, nats_port=free_port(), ports={s: free_port() for s in SERVICES})
    try:
        system.start()
        asyncio.run(demo.seed(system.url("gateway"), system.log_path("gateway")))
    except BaseException:
        system.stop()
        raise
    return system, time.monotonic() - started


def import_time() -> float:
    """Interpreter start-up and `import deploy.local` in a fresh process (the part of `make run`
    before LocalSystem.start() that the in-process timing cannot see)."""
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", "import deploy.local"], cwd=ROOT, check=True)
    return time.monotonic() - started


def run(runs: int, idle: float, progress: Callable[[str], None] = print) -> tuple[list[float], Memory, float]:
    """`runs` cold starts (each with a fresh var dir); idle memory is read on the first one after
    `idle` seconds of doing nothing."""
    times: list[float] = []
    memory = Memory()
    for i in range(runs):
        with tempfile.TemporaryDirectory(prefix="linli-bench-system-") as tmp:
            system, elapsed = start_and_seed(Path(tmp))
            try:
                times.append(elapsed)
                progress(f"  start {i + 1}/{runs}: ready + demo seeded in {elapsed:.1f} s")
                if i == 0:
                    time.sleep(idle)
                    memory = measure_memory(system)
            finally:
                system.stop()
    return times, memory, import_time()
