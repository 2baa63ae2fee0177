"""The push channels: email over SMTP and signed webhook POSTs."""

from __future__ import annotations

import asyncio
import json
import smtplib
import socket
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from ipaddress import ip_address
from typing import Any

import httpx

from services.notification.domain.messages import Message
from services.notification.domain.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature
from services.notification.domain.webhook_policy import IPAddress, RefusedURL, Resolver, WebhookPolicy

NOTIFICATION_HEADER = "X-Talent-Notification-Id"


class DeliveryError(Exception):
    """The channel did not take the message; the delivery is tried again later."""


class Undeliverable(DeliveryError):
    """The message may not be sent there at all; the delivery is not tried again."""


async def system_resolver(host: str, port: int) -> list[IPAddress]:
    """Every address the system resolver gives for ``host``, without blocking the event loop."""
    found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(ip_address(str(info[4][0]).partition("%")[0]) for info in found))


@dataclass(frozen=True)
class EmailSender:
    """Plain SMTP to the configured relay; smtplib runs in a worker thread, off the event loop."""

    host: str
    port: int
    sender: str
    timeout_s: float

    async def send(self, to: str, message: Message, notification_id: str) -> None:
        email = EmailMessage()
        email["Subject"] = message.subject
        email["From"] = self.sender
        email["To"] = to
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        email[NOTIFICATION_HEADER] = notification_id
        email.set_content(message.text)
        email.add_alternative(message.html, subtype="html")
        try:
            await asyncio.to_thread(self._send, email)
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(f"SMTP {self.host}:{self.port}: {error!r}") from error

    def _send(self, email: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
            smtp.send_message(email)


@dataclass(frozen=True)
class WebhookSender:
    """POST the notification as JSON, signed with the recipient's secret; any 2xx is success.
    Errors do not repeat the URL: they are shown to staff and put on the bus.

    The URL is checked against ``policy`` and its name resolved before each POST, which goes to
    the vetted address (with the URL's name as Host and for TLS); redirects are not followed."""

    timeout_s: float
    policy: WebhookPolicy
    resolve: Resolver = system_resolver
    tls: ssl.SSLContext | None = None  # the CAs trusted; None: certifi's

    async def send(self, url: str, secret: str, body: dict[str, Any], now: datetime) -> None:
        try:
            async with asyncio.timeout(self.timeout_s):
                target, address = await self.policy.destination(url, self.resolve)
        except RefusedURL as refused:
            raise Undeliverable(f"webhook refused: {refused.message}") from refused
        except (OSError, TimeoutError) as error:
            raise DeliveryError(f"webhook POST: cannot resolve the host: {error!r}") from error
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = int(now.timestamp())
        headers = {
            "Host": target.host_header,
            "Content-Type": "application/json; charset=utf-8",
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: signature(secret, timestamp, payload),
            NOTIFICATION_HEADER: str(body["notification_id"]),
        }
        pinned = httpx.URL(
            scheme=target.scheme, host=str(address), port=target.port, raw_path=target.path.encode()
        )
        extensions = (
            {"sni_hostname": target.host} if target.scheme == "https" and target.address is None else {}
        )
        try:
            async with httpx.AsyncClient(
                timeout=self.timeout_s, follow_redirects=False, trust_env=False, verify=self.tls or True
            ) as client:
                response = await client.post(pinned, content=payload, headers=headers, extensions=extensions)
        except httpx.HTTPError as error:
            raise DeliveryError(f"webhook POST to {address}: {error!r}") from error
        if response.is_redirect:
            raise DeliveryError(f"webhook POST: HTTP {response.status_code}; redirects are not followed")
        if not response.is_success:
            raise DeliveryError(f"webhook POST: HTTP {response.status_code}")
