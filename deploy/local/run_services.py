"""Start every service as its own process against the dev infrastructure; stop on Ctrl-C.

Each service is ``uvicorn services.<name>.app:app`` on its own port (its FastAPI app
runs the FastStream broker in its lifespan); they share a token-signing secret that is
generated once per machine and kept in the state folder. The script waits until every
``/readyz`` answers 200, prints where they are, and then waits. Ctrl-C (or SIGTERM)
stops them gracefully: in-flight messages finish and their offsets are committed.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {"employer": 8101, "seeker": 8102, "matching": 8103, "notification": 8104, "fair": 8105}
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


def readiness(port: int) -> dict[str, object] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
            return json.loads(response.read())  # type: ignore[no-any-return]
    except (urllib.error.URLError, OSError, ValueError):
        return None


def start(name: str, port: int) -> subprocess.Popen[bytes]:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = (LOG_DIR / f"{name}.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", f"services.{name}.app:app",
         "--host", "127.0.0.1", "--port", str(port), "--timeout-graceful-shutdown", "35"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "HTTP_PORT": str(port), "AUTH_SECRET": auth_secret()},
    )  # fmt: skip


def stop(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 40
    for name, process in processes.items():
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            print(f"[services] {name} did not stop in time; killing it", flush=True)
            process.kill()
    print("[services] all stopped", flush=True)


def main() -> int:
    processes = {name: start(name, port) for name, port in SERVICES.items()}
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    try:
        pending = dict(SERVICES)
        deadline = time.monotonic() + READY_TIMEOUT_S
        print(f"[services] starting {len(SERVICES)} services; logs in {LOG_DIR}", flush=True)
        while pending:
            for name, process in processes.items():
                if process.poll() is not None:
                    log = LOG_DIR / f"{name}.log"
                    print(f"[services] FAILED: {name} exited with {process.returncode}; see {log}")
                    return 1
            for name, port in list(pending.items()):
                state = readiness(port)
                if state and state.get("ready"):
                    print(f"[services] {name:13} ready  http://127.0.0.1:{port}/readyz", flush=True)
                    del pending[name]
            if time.monotonic() > deadline:
                print(f"[services] FAILED: not ready after {READY_TIMEOUT_S:.0f} s: {', '.join(pending)}; "
                      f"see the logs in {LOG_DIR}")  # fmt: skip
                return 1
            time.sleep(0.2)
        print("[services] every service is healthy. Press Ctrl-C to stop.", flush=True)
        while all(process.poll() is None for process in processes.values()):
            time.sleep(0.5)
        crashed = [name for name, process in processes.items() if process.poll() is not None]
        print(f"[services] FAILED: {', '.join(crashed)} stopped unexpectedly; see the logs in {LOG_DIR}")
        return 1
    except KeyboardInterrupt:
        print("\n[services] stopping", flush=True)
        return 0
    finally:
        stop(processes)


if __name__ == "__main__":
    sys.exit(main())
