"""The test profile's Kafka and store, started as the test suite starts them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def infrastructure() -> tuple[str, str]:
    result = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "local" / "infra.py"), "up", "--profile", "test"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        sys.exit(f"could not start the test infrastructure:\n{result.stdout}{result.stderr}")
    lines = [line for line in result.stdout.splitlines() if "=" in line and "[" not in line]
    values = dict(line.split("=", 1) for line in lines)
    return values["KAFKA_BOOTSTRAP_SERVERS"], values["MONGO_URL"]
