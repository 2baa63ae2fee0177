"""Webhooks cannot be aimed at the service's own network: internal URLs are refused when saved
and again when delivered (after resolving the name, at the address actually connected to),
redirects are not followed, and an allow-listed internal receiver still gets its deliveries."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.services.notification.conftest import Rig

pytestmark = pytest.mark.integration

# Each probe from issue 16, and the words the refusal must say.
PROBES: list[tuple[str, str]] = [
    ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
    ("http://localhost:22", "local network"),
    ("http://[::1]:22/", "loopback"),
    ("http://0.0.0.0:22/", "unspecified"),
    ("http://2130706433/", "loopback"),
    ("http://0x7f000001/", "loopback"),
    ("http://0177.0.0.1/", "loopback"),
    ("http://10.0.0.1/", "private"),
    ("http://192.168.0.1/", "private"),
    ("http://100.100.100.200/latest/meta-data/", "cloud metadata"),
    ("http://[::ffff:127.0.0.1]/", "loopback"),
    ("http://[fd00:ec2::254]/", "cloud metadata"),
    ("http://[fe80::1]/", "link-local"),
    ("http://224.0.0.1/", "multicast"),
    ("http://metadata.google.internal/computeMetadata/v1/", "cloud metadata"),
    ("http://metadata/", "full domain name"),
    ("https://user:pw@127.0.0.1:8104/", "user name or password"),
    ("https://user:pw@hooks.example.cn/", "user name or password"),
]


async def test_every_probe_is_refused_when_saved_and_nothing_is_stored(public_rig: Rig) -> None:
    rig = public_rig
    seeker_id, me = await rig.seeker()
    before = (await rig.client.get("/me/preferences", headers=me)).json()
    for url, reason in PROBES:
        body: dict[str, Any] = {"channels": ["inbox", "webhook"], "webhook_url": url}
        response = await rig.client.put("/me/preferences", json=body, headers=me)
        assert response.status_code == 422, (url, response.text)
        [error] = response.json()["detail"]
        assert error["loc"] == ["body", "webhook_url"], url
        assert reason in error["msg"], (url, error["msg"])
    scheme = await rig.client.put(
        "/me/preferences",
        json={"channels": ["webhook"], "webhook_url": "gopher://hooks.example.cn/"},
        headers=me,
    )
    assert scheme.status_code == 422
    assert (await rig.client.get("/me/preferences", headers=me)).json() == before
    stored = await rig.db["recipients"].find_one({"_id": str(seeker_id)})
    assert stored is not None
    assert "preferences" not in stored, "the seeker is known, and chose nothing"
