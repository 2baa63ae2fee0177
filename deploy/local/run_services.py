"""Start every service as its own process against the dev infrastructure; stop on Ctrl-C.

    python -m deploy.local.run_services     # the services alone (``make run`` also plays the demo week)

The services share a token-signing secret that is generated once per machine and kept in
the state folder. Each start waits until every ``/readyz`` answers ready and prints where
they are. Ctrl-C (or SIGTERM) stops them gracefully: in-flight messages finish and their
offsets are committed.
"""

from __future__ import annotations

import os
import secrets
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from deploy.local.processes import DEFAULT_PORTS, ServiceFailed, ServiceProcesses

READY_TIMEOUT_S = 90.0
STATE_DIR = Path(os.environ.get("TALENT_STATE_DIR", Path.home() / ".local" / "state" / "talentfair")) / "dev"
LOG_DIR = STATE_DIR / "services"
SECRET_FILE = STATE_DIR / "auth_secret"


def say(message: str) -> None:
    print(f"[services] {message}", flush=True)


def auth_secret() -> str:
    """The token-signing secret: AUTH_SECRET if set, else one generated for this machine."""
    if secret := os.environ.get("AUTH_SECRET"):
        return secret
    if not SECRET_FILE.exists():
        SECRET_FILE.parent.mkdir(parents=True, exist_ok=True)
        SECRET_FILE.touch(mode=0o600)
        SECRET_FILE.write_text(secrets.token_urlsafe(48))
    return SECRET_FILE.read_text().strip()


def start(services: ServiceProcesses) -> None:
    """Start the services and wait until each is ready; SIGTERM from now on acts as Ctrl-C, and
    Ctrl-C stops even when started in the background (which starts with SIGINT ignored)."""
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    say(f"starting {len(services.ports)} services; logs in {services.log_dir}")
    services.start()
    services.wait_ready(READY_TIMEOUT_S, lambda name: say(f"{name:13} ready  {services.url(name)}/readyz"))


def keep_running(services: ServiceProcesses) -> NoReturn:
    """Until Ctrl-C; raises ``ServiceFailed`` when a service exits meanwhile."""
    say("Press Ctrl-C to stop.")
    while True:
        services.check_alive()
        time.sleep(0.5)


def stop(services: ServiceProcesses) -> None:
    for name in services.stop():
        say(f"{name} did not stop in time; killed it")
    say("all stopped")


def serve(services: ServiceProcesses, between: Callable[[], None] = lambda: None) -> int:
    """Start the services, run ``between``, keep them running until Ctrl-C, stop them; the exit code."""
    try:
        start(services)
        between()
        keep_running(services)
    except ServiceFailed as failure:
        say(f"FAILED: {failure}")
        return 1
    except KeyboardInterrupt:
        print(flush=True)
        say("stopping")
        return 0
    finally:
        stop(services)


def main() -> int:
    return serve(ServiceProcesses(DEFAULT_PORTS, {"AUTH_SECRET": auth_secret()}, LOG_DIR))


if __name__ == "__main__":
    sys.exit(main())
