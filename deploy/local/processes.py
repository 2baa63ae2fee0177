"""The platform's services as separate processes: start, wait until ready, watch, stop.

Used by ``make run`` (``run_services``), by the demo week, and by the end-to-end and
browser tests, which start the same processes on ports and namespaces of their own.
Each service is ``uvicorn services.<name>.app:app`` (its FastAPI app runs the FastStream
broker in its lifespan), logging to ``<log_dir>/<name>.log``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PORTS: Mapping[str, int] = {
    "employer": 8101,
    "seeker": 8102,
    "matching": 8103,
    "notification": 8104,
    "fair": 8105,
    "web": 8100,  # the web front end; calls the five APIs above
}
HOST = "127.0.0.1"
# The local profile's settings (the environment overrides them): webhooks may go to receivers
# on this machine, over plain http, and the pages are served over plain http (no Secure cookies).
LOCAL_SETTINGS: Mapping[str, str] = {
    "WEBHOOK_REQUIRE_HTTPS": "false",
    "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1,::1,localhost",
    "SECURE_COOKIES": "false",
}
# In-flight messages finish and commit within this (see the services' graceful shutdown).
GRACEFUL_STOP_S = 40.0


class ServiceFailed(RuntimeError):
    """A service exited or never became ready; the message says which and where its log is."""

    def __init__(self, name: str, reason: str, log: Path) -> None:
        super().__init__(f"{name} {reason}; see its log: {log}")
        self.name = name
        self.log = log


def readiness(url: str) -> dict[str, object] | None:
    """The body of ``url``/readyz, or None while it does not answer."""
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=2) as response:
            return json.loads(response.read())  # type: ignore[no-any-return]
    except urllib.error.HTTPError as error:  # 503: up, not ready yet
        try:
            return json.loads(error.read())  # type: ignore[no-any-return]
        except ValueError:
            return None
    except (urllib.error.URLError, OSError, ValueError):
        return None


class ServiceProcesses:
    """Some of the platform's services, one process each, sharing one environment."""

    def __init__(
        self,
        ports: Mapping[str, int],
        env: Mapping[str, str],
        log_dir: Path,
        database_prefix: str | None = None,
    ) -> None:
        """``database_prefix``: each service keeps its store in ``<prefix>_<name>`` (a test's own
        databases); without it, in its default ``talent_<name>``."""
        self.ports = dict(ports)
        self.env = dict(env)
        self.log_dir = log_dir
        self.database_prefix = database_prefix
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def url(self, name: str) -> str:
        return f"http://{HOST}:{self.ports[name]}"

    def log(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def service_env(self, name: str) -> dict[str, str]:
        """Its environment: the local profile's settings, where it listens, its database, and
        where the others answer (``<NAME>_URL``, which the web front end reads)."""
        database = {"MONGO_DATABASE": f"{self.database_prefix}_{name}"} if self.database_prefix else {}
        urls = {f"{other.upper()}_URL": self.url(other) for other in self.ports if other != name}
        port = {"HTTP_PORT": str(self.ports[name])}
        return {**LOCAL_SETTINGS, **os.environ, **self.env, **urls, **database, **port}

    def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for name, port in self.ports.items():
            with self.log(name).open("ab") as log:
                self.processes[name] = subprocess.Popen(
                    [sys.executable, "-m", "uvicorn", f"services.{name}.app:app", "--host", HOST,
                     "--port", str(port), "--timeout-graceful-shutdown", str(int(GRACEFUL_STOP_S - 5))],
                    cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                    env=self.service_env(name),
                )  # fmt: skip

    def check_alive(self) -> None:
        """Raise ``ServiceFailed`` for the first service whose process has exited."""
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise ServiceFailed(name, f"exited with code {process.returncode}", self.log(name))

    def wait_ready(self, timeout_s: float, on_ready: Callable[[str], None] | None = None) -> None:
        """Wait until every service's /readyz says ready; ``on_ready(name)`` as each one is."""
        pending = set(self.ports)
        deadline = time.monotonic() + timeout_s
        while pending:
            self.check_alive()
            for name in sorted(pending):
                state = readiness(self.url(name))
                if state and state.get("ready"):
                    pending.discard(name)
                    if on_ready is not None:
                        on_ready(name)
            if pending and time.monotonic() > deadline:
                name = sorted(pending)[0]
                raise ServiceFailed(name, f"was not ready after {timeout_s:.0f} s", self.log(name))
            time.sleep(0.2)

    def stop(self) -> list[str]:
        """Stop every service gracefully (SIGTERM), killing those that overrun; their names."""
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + GRACEFUL_STOP_S
        killed = []
        for name, process in self.processes.items():
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                killed.append(name)
        return killed


@contextmanager
def running_services(
    ports: Mapping[str, int],
    env: Mapping[str, str],
    log_dir: Path,
    ready_timeout_s: float = 90.0,
    database_prefix: str | None = None,
) -> Iterator[ServiceProcesses]:
    """Services started and ready for the block, stopped after it whatever happens."""
    services = ServiceProcesses(ports, env, log_dir, database_prefix)
    try:
        services.start()
        services.wait_ready(ready_timeout_s)
        yield services
    finally:
        services.stop()
