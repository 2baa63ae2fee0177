"""Response headers every answer gets unless it set them itself (pure ASGI middleware)."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Every API answer is per caller or live: never sniffed as another type, never cached.
API_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}


class SecurityHeaders:
    def __init__(self, app: ASGIApp, headers: Mapping[str, str], cacheable: tuple[str, ...] = ()) -> None:
        """``cacheable``: path prefixes (static files) that keep their own ``Cache-Control``."""
        self.app = app
        self.headers = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
        self.cacheable = cacheable

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = str(scope["path"]).startswith(self.cacheable) if self.cacheable else False

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [
                    (name, value)
                    for name, value in self.headers
                    if name not in present and not (cacheable and name == b"cache-control")
                ]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)
