"""Webhooks cannot be aimed at the service's own network: internal URLs are refused when saved
and again when delivered (after resolving the name, at the address actually connected to),
redirects are not followed, and an allow-listed internal receiver still gets its deliveries."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
import trustme

from services.notification.domain.webhook_policy import WebhookPolicy
from shared.events import Topic
from tests import factories
from tests.conftest import Namespace
from tests.helpers import events_of, free_port, publish, wait_for
from tests.integration.services.notification.conftest import (
    Rig,
    WebhookReceiver,
    rigged,
    run_server,
    stop_server,
)

pytestmark = [pytest.mark.integration, pytest.mark.security]

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


async def _a_match_for_a_webhook(rig: Rig, url: str, then: Callable[[], None] = lambda: None) -> str:
    """A seeker whose webhook is ``url`` (accepted when saved), ``then`` something changes, and
    the seeker is told of a match; the notification's id."""
    employer_id, _ = await rig.employer()
    vacancy_id = await rig.vacancy(employer_id, "运维工程师 SRE")
    seeker_id, me = await rig.seeker()
    await rig.prefer(me, channels=["webhook"], webhook_url=url)
    then()
    await publish(rig.namespace, factories.match_found(seeker_id, vacancy_id, employer_id, score=0.8, rank=1))

    async def notification() -> dict[str, Any] | None:
        return await rig.db["notifications"].find_one({"recipient_id": str(seeker_id)})

    stored = await wait_for(notification, until=lambda found: found is not None, what="the notification")
    assert stored is not None
    return str(stored["_id"])


async def _dead(rig: Rig, notification_id: str) -> dict[str, Any]:
    return await wait_for(
        lambda: rig.delivery(notification_id, "webhook"),
        until=lambda delivery: delivery["status"] == "dead",
        what="the webhook delivery to be dead",
    )


async def test_a_name_resolving_to_loopback_when_delivered_is_refused_and_never_reaches_the_listener(
    public_rig: Rig,
) -> None:
    rig = public_rig
    rig.send_webhooks(dns={"hooks.example.cn": "127.0.0.1"})
    notification_id = await _a_match_for_a_webhook(rig, f"http://hooks.example.cn:{rig.webhook.port}/hook")
    dead = await _dead(rig, notification_id)
    assert dead["attempts"] == 1, "a refused delivery is not tried again"
    [attempt] = dead["history"]
    assert "host resolves to 127.0.0.1, which is a loopback address" in attempt["error"]
    [failed] = await events_of(rig.namespace, Topic.NOTIFICATION, "notification.failed")
    assert "loopback" in failed["payload"]["error"]
    assert "hooks.example.cn" not in str(failed), "the address stays in this service"
    rig.clock.advance(days=1)
    assert await rig.notifications.deliver_due() == 0
    assert rig.webhook.requests == [], "the listener on 127.0.0.1 was never reached"


async def test_an_address_taken_off_the_allow_list_is_refused_when_delivered_until_allowed_again(
    rig: Rig,
) -> None:
    allowed = rig.notifications.webhook.policy
    notification_id = await _a_match_for_a_webhook(
        rig, rig.webhook.url, then=lambda: rig.send_webhooks(WebhookPolicy(require_https=False))
    )
    dead = await _dead(rig, notification_id)
    assert "127.0.0.1 is a loopback address" in dead["history"][0]["error"]
    assert rig.webhook.requests == []

    rig.send_webhooks(allowed)
    retry = f"/staff/deliveries/{notification_id}/webhook/retry"
    assert (await rig.client.post(retry, headers=rig.staff())).status_code == 200
    [hook] = await rig.webhook.delivered(1)
    assert hook["valid"]


async def test_a_redirect_to_a_private_address_is_not_followed(rig: Rig) -> None:
    private = WebhookReceiver(rig.clock, host="127.0.0.2")
    server = await run_server(private.app(), private.port, host=private.host)
    try:
        rig.webhook.redirect_to = private.url
        notification_id = await _a_match_for_a_webhook(rig, rig.webhook.url)
        delivery = await wait_for(
            lambda: rig.delivery(notification_id, "webhook"),
            until=lambda d: d["attempts"] >= 1,
            what="a webhook attempt",
        )
        assert delivery["history"][0]["error"].endswith("HTTP 307; redirects are not followed")
        assert len(rig.webhook.requests) == 1
        assert private.requests == [], "the redirect to 127.0.0.2 was not followed"
    finally:
        await stop_server(*server)


async def test_an_allow_listed_name_gets_its_deliveries_over_https_at_the_vetted_address(
    namespace: Namespace,
) -> None:
    """The POST goes to the address the name was vetted at, and TLS still checks the name."""
    authority = trustme.CA()
    trusted = ssl.create_default_context()
    authority.configure_trust(trusted)
    certificate = authority.issue_cert("hooks.example.cn")
    async with rigged(namespace, webhook_allowed_hosts="127.0.0.1") as rig:
        assert rig.settings.webhook_require_https, "https only by default"
        receiver = WebhookReceiver(rig.clock, port=free_port())
        with certificate.private_key_and_cert_chain_pem.tempfile() as pem:
            server = await run_server(receiver.app(), receiver.port, tls_pem=pem)
        try:
            rig.send_webhooks(dns={"hooks.example.cn": "127.0.0.1"})
            rig.notifications.webhook = replace(rig.notifications.webhook, tls=trusted)
            plain = await rig.client.put(
                "/me/preferences",
                json={
                    "channels": ["webhook"],
                    "webhook_url": f"http://hooks.example.cn:{receiver.port}/hook",
                },
                headers=(await rig.seeker())[1],
            )
            assert plain.status_code == 422
            assert "https only" in plain.json()["detail"][0]["msg"]
            url = f"https://hooks.example.cn:{receiver.port}/hook"
            notification_id = await _a_match_for_a_webhook(
                rig, url, then=lambda: setattr(receiver, "secret", rig.webhook.secret)
            )
            [hook] = await receiver.delivered(1)
            assert hook["valid"]
            assert hook["host"] == f"hooks.example.cn:{receiver.port}"
            sent = await wait_for(
                lambda: rig.delivery(notification_id, "webhook"),
                until=lambda d: d["status"] == "sent",
                what="the delivery to be sent",
            )
            assert sent["attempts"] == 1
        finally:
            await stop_server(*server)
