"""Webhook signatures: HMAC-SHA256 over the timestamp and the exact body."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Talent-Signature"
TIMESTAMP_HEADER = "X-Talent-Timestamp"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(secret: str, timestamp: int, body: bytes, signed: str, now: int, tolerance_s: int = 300) -> bool:
    """What a receiver checks: the signature matches and the timestamp is recent (no replays)."""
    fresh = abs(now - timestamp) <= tolerance_s
    return fresh and hmac.compare_digest(signature(secret, timestamp, body), signed)
