"""The push channels: email over SMTP and signed webhook POSTs."""

from __future__ import annotations

import asyncio
import json
import smtplib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

import httpx

from services.notification.domain.messages import Message
from services.notification.domain.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature

NOTIFICATION_HEADER = "X-Talent-Notification-Id"


class DeliveryError(Exception):
    """The channel did not take the message; the delivery is tried again later."""


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
    """POST the notification as JSON, signed with the recipient's secret; any 2xx is success."""

    timeout_s: float

    async def send(self, url: str, secret: str, body: dict[str, Any], now: datetime) -> None:
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = int(now.timestamp())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: signature(secret, timestamp, payload),
            NOTIFICATION_HEADER: str(body["notification_id"]),
        }
        try:
            async with httpx.AsyncClient(timeout=self.timeout_s) as client:
                response = await client.post(url, content=payload, headers=headers)
        except httpx.HTTPError as error:
            raise DeliveryError(f"POST {url}: {error!r}") from error
        if not response.is_success:
            raise DeliveryError(f"POST {url}: HTTP {response.status_code}")
