"""Start and stop the whole system as local processes: a nats-server with JetStream and the six
services. `make run` uses it with the embedded defaults; the tests use it with free ports and
temporary databases (SQLite files, or PostgreSQL databases when a URL is given)."""

from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from shared.serve import SERVICES as ALL_SERVICES

# The gateway starts last and stops first: it is the one the apps reach.
SERVICES = (*(s for s in ALL_SERVICES if s != "gateway"), "gateway")
DEFAULT_PORTS = {
    "gateway": 8000,
    "catalog": 8001,
    "orders": 8002,
    "livestream": 8003,
    "community": 8004,
    "matching": 8005,
}
DEFAULT_NATS_PORT = 4302
DEMO_OPERATOR_PHONE = "+8613800000000"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    # Linux: children get SIGTERM if the launcher dies, so no process is ever left behind.
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class LocalSystem:
    var_dir: Path
    nats_port: int = DEFAULT_NATS_PORT
    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    database_urls: dict[str, str] = field(default_factory=dict)  # service → URL; default SQLite in var_dir
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def nats_url(self) -> str:
        return f"nats://127.0.0.1:{self.nats_port}"

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def log_path(self, name: str) -> Path:
        return self.var_dir / "log" / f"{name}.log"

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "LINLI_NATS_URL": self.nats_url,
            "LINLI_GATEWAY_OPERATOR_PHONES": json.dumps([DEMO_OPERATOR_PHONE]),
            # Partners' webhooks may go to receivers on this machine (plain http), for trying them out.
            "LINLI_GATEWAY_WEBHOOK_ALLOWED_HOSTS": json.dumps(["127.0.0.1", "localhost"]),
            **self.extra_env,
        }
        for service in SERVICES:
            prefix = f"LINLI_{service.upper()}_"
            env[prefix + "PORT"] = str(self.ports[service])
            env[prefix + "DATABASE_URL"] = self.database_urls.get(
                service, f"sqlite+aiosqlite:///{self.var_dir / (service + '.db')}"
            )
            if service != "gateway":
                env[f"LINLI_GATEWAY_{service.upper()}_URL"] = self.url(service)
        env["LINLI_ORDERS_PAYMENT_WEBHOOK_URL"] = self.url("gateway") + "/webhooks/payments"
        return env

    def _spawn(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> None:
        self.log_path(name).parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path(name).open("ab")
        self.processes[name] = subprocess.Popen(
            argv, stdout=log, stderr=subprocess.STDOUT, env={**self.env(), **(env or {})}, preexec_fn=_die_with_parent
        )
        log.close()

    def start_nats(self) -> None:
        store = self.var_dir / "nats"
        store.mkdir(parents=True, exist_ok=True)
        argv = [str(BIN / "nats-server"), "-a", "127.0.0.1", "-p", str(self.nats_port), "-js", "-sd", str(store)]
        self._spawn("nats", argv)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.nats_port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"nats-server did not start; see {self.log_path('nats')}")

    def start_service(self, service: str) -> None:
        self._spawn(service, [sys.executable, "-m", "shared.serve", service])

    def start_instance(self, service: str, name: str, port: int, **env: str) -> None:
        """Another instance of `service` (same database and NATS) on `port`, known as `name`: a
        scaled-out service. Extra settings as `LINLI_<SERVICE>_<FIELD>` values in `env`."""
        self.ports[name] = port
        self._spawn(
            name, [sys.executable, "-m", "shared.serve", service], {f"LINLI_{service.upper()}_PORT": str(port), **env}
        )

    def check_ports_free(self) -> None:
        taken = []
        for name, port in [("nats", self.nats_port), *self.ports.items()]:
            with socket.socket() as s:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do: TIME_WAIT is no conflict
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    taken.append(f"{name} :{port}")
        if taken:
            raise RuntimeError(f"ports in use ({', '.join(taken)}): is Linli (or something else) already running?")

    def start(self, timeout: float = 60) -> None:
        self.check_ports_free()
        self.start_nats()
        for service in SERVICES:
            self.start_service(service)
        self.wait_ready(SERVICES, timeout)

    def wait_ready(self, services: tuple[str, ...] | list[str], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        pending = set(services)
        with httpx.Client(timeout=1) as client:
            while pending:
                for service in list(pending):
                    proc = self.processes.get(service)
                    if proc is not None and proc.poll() is not None:
                        raise RuntimeError(f"{service} exited with {proc.returncode}; see {self.log_path(service)}")
                    try:
                        if client.get(self.url(service) + "/readyz").status_code == 200:
                            pending.discard(service)
                    except httpx.HTTPError:
                        pass
                if pending and time.monotonic() > deadline:
                    raise RuntimeError(f"not ready after {timeout} s: {', '.join(sorted(pending))}")
                if pending:
                    time.sleep(0.1)

    def stop_process(self, name: str, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
        proc = self.processes.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def stop(self) -> None:
        for name in [n for n in self.processes if n not in SERVICES and n != "nats"]:  # extra instances
            self.stop_process(name)
        for name in [s for s in reversed(SERVICES) if s in self.processes]:
            self.processes[name].send_signal(signal.SIGTERM)
        for name in [s for s in SERVICES if s in self.processes]:
            self.stop_process(name)
        self.stop_process("nats")
