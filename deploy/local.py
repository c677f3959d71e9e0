"""`make run`: the whole system on one machine with its embedded defaults.

A nats-server with JetStream under var/nats, the six services on SQLite under var/, a demo
community seeded through the API. Ctrl-C stops everything; nothing is left running.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
import time
from pathlib import Path

from deploy import demo
from deploy.processes import LocalSystem

VAR = Path("var")


def _echo_sms(log: Path, stop: threading.Event) -> None:
    """Show the SMS port's messages in the terminal, so demo logins need no log digging."""
    with log.open("r", encoding="utf-8", errors="replace") as f:
        f.seek(0, 2)
        while not stop.is_set():
            line = f.readline()
            if not line:
                time.sleep(0.2)
            elif "验证码" in line:
                print(f"  📱 {line.strip()}", flush=True)


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    started = time.monotonic()
    system = LocalSystem(var_dir=VAR.resolve())
    stop = threading.Event()
    # Ctrl-C and `kill` stop cleanly, also when started from a script that ignores SIGINT.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        print("Starting NATS (JetStream) and six services…", flush=True)
        system.start()
        seeded = asyncio.run(demo.seed(system.url("gateway"), system.log_path("gateway")))
        ready = time.monotonic() - started
        gateway = system.url("gateway")
        print(
            f"""
Linli is running (ready in {ready:.1f} s).

  gateway      {gateway}          client API under {gateway}/api/v1
  API docs     {gateway}/docs
  live room    {gateway}/room     the room's page (viewer and host console)
  services     catalog :8001  orders :8002  livestream :8003  community :8004  matching :8005
  NATS         {system.nats_url} (JetStream data in var/nats)
  logs         var/log/<service>.log

Demo community 阳光花园 (invite code {seeded["invite_code"]}):
  leader    {demo.LEADER_PHONE}
  resident  {demo.RESIDENT_PHONE}
  operator  {demo.OPERATOR_PHONE}
  Log in: POST /api/v1/auth/otp {{"phone": …}}; the code is printed here (the SMS port writes to the log),
  then POST /api/v1/auth/token {{"phone": …, "code": …}}.

Press Ctrl-C to stop.
""",
            flush=True,
        )
        threading.Thread(target=_echo_sms, args=(system.log_path("gateway"), stop), daemon=True).start()
        while True:
            for name, proc in system.processes.items():
                if proc.poll() is not None:
                    print(f"{name} exited ({proc.returncode}); see {system.log_path(name)}", file=sys.stderr)
                    raise SystemExit(1)
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping…", flush=True)
    except RuntimeError as exc:  # a port taken, a service that would not start
        print(f"Could not start Linli: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(1) from None
    finally:
        stop.set()
        system.stop()
        print("Stopped.", flush=True)


if __name__ == "__main__":
    main()
