"""Start every service as its own process against the dev infrastructure; stop on Ctrl-C.

The services share a token-signing secret that is generated once per machine and kept in
the state folder. The script waits until every ``/readyz`` answers ready, prints where
they are, and then waits. Ctrl-C (or SIGTERM) stops them gracefully: in-flight messages
finish and their offsets are committed.
"""

from __future__ import annotations

import os
import secrets
import signal
import sys
import time
from pathlib import Path

from deploy.local.processes import DEFAULT_PORTS, ServiceFailed, ServiceProcesses

READY_TIMEOUT_S = 90.0
STATE_DIR = Path(os.environ.get("TALENT_STATE_DIR", Path.home() / ".local" / "state" / "talentfair")) / "dev"
LOG_DIR = STATE_DIR / "services"
SECRET_FILE = STATE_DIR / "auth_secret"


def auth_secret() -> str:
    """The token-signing secret: AUTH_SECRET if set, else one generated for this machine."""
    if secret := os.environ.get("AUTH_SECRET"):
        return secret
    if not SECRET_FILE.exists():
        SECRET_FILE.parent.mkdir(parents=True, exist_ok=True)
        SECRET_FILE.touch(mode=0o600)
        SECRET_FILE.write_text(secrets.token_urlsafe(48))
    return SECRET_FILE.read_text().strip()


def main() -> int:
    services = ServiceProcesses(DEFAULT_PORTS, {"AUTH_SECRET": auth_secret()}, LOG_DIR)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    try:
        print(f"[services] starting {len(DEFAULT_PORTS)} services; logs in {LOG_DIR}", flush=True)
        services.start()
        services.wait_ready(
            READY_TIMEOUT_S,
            lambda name: print(f"[services] {name:13} ready  {services.url(name)}/readyz", flush=True),
        )
        print("[services] every service is healthy. Press Ctrl-C to stop.", flush=True)
        while True:
            services.check_alive()
            time.sleep(0.5)
    except ServiceFailed as failure:
        print(f"[services] FAILED: {failure}", flush=True)
        return 1
    except KeyboardInterrupt:
        print("\n[services] stopping", flush=True)
        return 0
    finally:
        for name in services.stop():
            print(f"[services] {name} did not stop in time; killed it", flush=True)
        print("[services] all stopped", flush=True)


if __name__ == "__main__":
    sys.exit(main())
