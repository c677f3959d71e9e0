"""A baseline server of the bench in a process of its own (`python -m MODULE ARGS… PORT`), ready once
its /healthz answers; it dies with the bench."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from deploy.processes import _die_with_parent, free_port


class BareProcess:
    def __init__(self, module: str, *args: str, log: Path) -> None:
        self.module, self.args, self.log, self.port = module, args, log, free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> BareProcess:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", self.module, *self.args, str(self.port)],
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,
            )
        deadline = time.monotonic() + 30
        with httpx.Client(timeout=1) as client:
            while True:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{self.module} exited; see {self.log}")
                try:
                    if client.get(f"http://127.0.0.1:{self.port}/healthz").status_code == 200:
                        return self
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{self.module} not ready; see {self.log}")
                time.sleep(0.05)

    def __exit__(self, *_: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
