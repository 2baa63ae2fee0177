"""A thin client of the five services' public REST APIs, as the demo's people use them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

Headers = dict[str, str]
TIMEOUT_S = 120.0


class ApiError(RuntimeError):
    """A call answered otherwise than expected; the message names the service, call and answer."""


def bearer(token: str) -> Headers:
    return {"Authorization": f"Bearer {token}"}


class Platform:
    """One HTTP client per service; ``call`` checks the status and returns the JSON body."""

    def __init__(self, urls: Mapping[str, str]) -> None:
        self.urls = dict(urls)
        limits = httpx.Limits(max_connections=16)
        self._clients = {
            name: httpx.AsyncClient(base_url=url, timeout=TIMEOUT_S, limits=limits)
            for name, url in urls.items()
        }

    async def close(self) -> None:
        for client in self._clients.values():
            await client.aclose()

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        headers: Headers | None = None,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        expect: tuple[int, ...] = (200, 201),
    ) -> Any:
        response = await self._clients[service].request(
            method, path, headers=headers, json=json, params=params
        )
        if response.status_code not in expect:
            raise ApiError(
                f"{service} service: {method} {path} answered {response.status_code}: {response.text[:500]}"
            )
        return response.json() if response.content else None

    async def sign_in(self, service: str, email: str, password: str) -> Headers:
        body = await self.call(service, "POST", "/auth/login", json={"email": email, "password": password})
        return bearer(body["access_token"])

    async def every(
        self, service: str, path: str, *, headers: Headers, params: Mapping[str, Any] | None = None
    ) -> list[Any]:
        """Every item of a paged list."""
        items: list[Any] = []
        while True:
            page = await self.call(
                service, "GET", path, headers=headers, params={**(params or {}), "offset": len(items)}
            )
            items.extend(page["items"])
            if not page["items"] or len(items) >= page["total"]:
                return items
