"""The five services' REST APIs, called server-side with the signed-in person's token."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal, TypedDict, Unpack

import httpx

from services.web.idempotency import key_headers

ServiceName = Literal["employer", "seeker", "matching", "notification", "fair"]
SERVICES: tuple[ServiceName, ...] = ("employer", "seeker", "matching", "notification", "fair")
FIRST_PAGE = {"limit": 100}  # the APIs' largest page; the pages show the first one


class Options(TypedDict, total=False):
    json: object
    params: Mapping[str, Any]
    headers: Mapping[str, str]


@dataclass(frozen=True)
class Problem:
    """One thing an API refused: the field it names (if any, e.g. ``skills.1``) and why."""

    text: str
    field: str = ""

    def __str__(self) -> str:
        return f"{self.field}: {self.text}" if self.field else self.text


class ApiError(Exception):
    """An API answered 4xx/5xx, or did not answer; ``messages`` are fit to show a person."""

    def __init__(self, status: int, messages: list[Problem], retry_after: str | None = None) -> None:
        super().__init__(f"{status}: {'; '.join(map(str, messages))}")
        self.status = status
        self.messages = messages
        self.retry_after_s = int(retry_after) if retry_after and retry_after.isdigit() else None


def messages_of(body: object) -> list[Problem]:
    """An API error body as problems: FastAPI's 422 list names each field."""
    detail = body.get("detail", body) if isinstance(body, dict) else body
    if not isinstance(detail, list):
        return [Problem(str(detail))]
    return [
        Problem(
            str(item.get("msg", "")), ".".join(str(part) for part in item.get("loc", []) if part != "body")
        )
        if isinstance(item, dict)
        else Problem(str(item))
        for item in detail
    ]


class Backend:
    """One pooled HTTP client for all five APIs."""

    def __init__(self, urls: Mapping[str, str], timeout_s: float) -> None:
        self.urls = dict(urls)
        self.client = httpx.AsyncClient(timeout=timeout_s)

    async def close(self) -> None:
        await self.client.aclose()

    def _url(self, service: ServiceName, path: str) -> str:
        return f"{self.urls[service]}{path}"

    @staticmethod
    def _headers(token: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"} if token else {}

    async def raw(
        self,
        method: str,
        service: ServiceName,
        path: str,
        token: str | None = None,
        **options: Unpack[Options],
    ) -> httpx.Response:
        """The answer as it came; ``ApiError`` for an error status or no answer."""
        url = self._url(service, path)
        headers = {**self._headers(token), **key_headers(method), **options.pop("headers", {})}
        try:
            response = await self.client.request(
                method, url, headers=headers, json=options.get("json"), params=options.get("params")
            )
        except httpx.HTTPError as error:
            raise ApiError(
                503, [Problem(f"{service} service unavailable ({type(error).__name__})")]
            ) from error
        if response.status_code >= 400:
            try:
                body: object = response.json()
            except ValueError:
                body = response.text or response.reason_phrase
            raise ApiError(response.status_code, messages_of(body), response.headers.get("Retry-After"))
        return response

    async def call(
        self,
        method: str,
        service: ServiceName,
        path: str,
        token: str | None = None,
        **options: Unpack[Options],
    ) -> Any:
        """The JSON answer (None for 204)."""
        response = await self.raw(method, service, path, token, **options)
        return response.json() if response.content else None

    @asynccontextmanager
    async def stream(self, service: ServiceName, path: str, token: str) -> AsyncIterator[httpx.Response]:
        """A long answer read as it comes (Server-Sent Events), no read timeout."""
        request = self.client.build_request(
            "GET",
            self._url(service, path),
            headers=self._headers(token),
            timeout=httpx.Timeout(10.0, read=None),
        )
        response = await self.client.send(request, stream=True)
        try:
            if response.status_code >= 400:
                await response.aread()
                raise ApiError(response.status_code, messages_of(response.json()))
            yield response
        finally:
            await response.aclose()

    async def ready(self, service: ServiceName) -> bool:
        try:
            response = await self.client.get(self._url(service, "/readyz"), timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200
