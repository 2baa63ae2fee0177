"""The local profile's settings: what ``make run``, the demo week and the end-to-end tests use."""

from pathlib import Path

import pytest

from deploy.local.processes import DEFAULT_PORTS, ServiceProcesses
from services.notification.core.config import Settings


def _notification_settings(env: dict[str, str]) -> Settings:
    processes = ServiceProcesses(DEFAULT_PORTS, {"AUTH_SECRET": "x" * 32, **env}, Path("/tmp/unused"))
    environment = processes.service_env("notification")
    return Settings(
        auth_secret=environment["AUTH_SECRET"],
        webhook_require_https=environment["WEBHOOK_REQUIRE_HTTPS"],
        webhook_allowed_hosts=environment["WEBHOOK_ALLOWED_HOSTS"],
    )


def test_webhooks_may_reach_this_machine_over_http_locally_and_the_environment_overrides_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("WEBHOOK_REQUIRE_HTTPS", raising=False)
    monkeypatch.delenv("WEBHOOK_ALLOWED_HOSTS", raising=False)
    local = _notification_settings({}).webhook_policy()
    assert local.target("http://localhost:9000/hook").port == 9000
    assert local.target("http://127.0.0.1:9000/hook").host == "127.0.0.1"
    assert local.target("http://[::1]:9000/hook").host == "::1"
    strict = _notification_settings({"WEBHOOK_REQUIRE_HTTPS": "true", "WEBHOOK_ALLOWED_HOSTS": ""})
    assert strict.webhook_require_https
    assert strict.webhook_allowed_hosts == ()
