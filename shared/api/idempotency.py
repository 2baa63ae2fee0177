"""``Idempotency-Key`` on writes: a retried POST, PUT, PATCH or DELETE is answered with the
first attempt's answer instead of being carried out twice.

A client that timed out cannot tell whether its write was stored; sending it again with the
same key is then safe. Each key is kept in the service's own store (``idempotency_keys``)
for ``IDEMPOTENCY_TTL_HOURS``, per caller (the signed-in account, or ``anonymous``): another
account's same key is another key. With it go the method, the path, a SHA-256 of the body,
and once the request is done its status, headers and body. Then the same key:

- with the same request gets the stored answer, marked ``Idempotent-Replayed: true``;
- with another method, path or body is refused (422): a key names one request;
- while the first is still being handled gets 409 with ``Retry-After``.

Answers of 500 and above are not kept (the claim is dropped), so a retry runs again. A claim
left by a crashed process is taken over after ``RUNNING_S``. Expired keys are taken over too,
and purged hourly (FerretDB v1 has no TTL indexes).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pymongo.errors import DuplicateKeyError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.api import outages
from shared.api.body import replaying, whole_body
from shared.auth import InvalidToken, TokenIssuer
from shared.service import Service
from shared.store.mongo import Document, Store

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII: a UUID, say
COLLECTION = "idempotency_keys"
RUNNING_S = 120.0  # a claim older than this was left by a crash: the next attempt takes it over
PURGE_INTERVAL_S = 3600.0
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attempt:
    """One keyed request, as its key is stored."""

    scope: str
    key: str
    method: str
    path: str
    body_sha256: str

    @property
    def id(self) -> str:
        return hashlib.sha256(f"{self.scope}\n{self.key}".encode()).hexdigest()

    def same_request(self, record: Document) -> bool:
        return (record["method"], record["path"], record["body_sha256"]) == (
            self.method,
            self.path,
            self.body_sha256,
        )


class IdempotencyKeys:
    """The stored keys of one service."""

    def __init__(self, store: Store, ttl: timedelta) -> None:
        self._store = store
        self._ttl = ttl

    def _table(self) -> Any:
        return self._store.database()[COLLECTION]

    async def ensure_indexes(self) -> None:
        await self._table().create_index("expires_at")

    async def claim(self, attempt: Attempt) -> Document | None:
        """Claim the key for this attempt (None), or the record of an earlier one."""
        now = datetime.now(UTC)
        record = {
            "_id": attempt.id,
            "scope": attempt.scope,
            "key": attempt.key,
            "method": attempt.method,
            "path": attempt.path,
            "body_sha256": attempt.body_sha256,
            "state": "running",
            "started_at": now,
            "expires_at": now + self._ttl,
        }
        try:
            await self._table().insert_one(record)
            return None
        except DuplicateKeyError:
            earlier: Document | None = await self._table().find_one({"_id": attempt.id})
        if earlier is None or _abandoned(earlier, now):
            await self._table().delete_one({"_id": attempt.id})
            return await self.claim(attempt)  # another attempt may win the insert: then it is the earlier one
        return earlier

    async def complete(self, attempt: Attempt, status: int, headers: list[Document], body: bytes) -> None:
        update = {"state": "done", "status": status, "headers": headers, "body": body}
        await self._table().update_one({"_id": attempt.id}, {"$set": update})

    async def release(self, attempt: Attempt) -> None:
        await self._table().delete_one({"_id": attempt.id})

    async def purge(self) -> None:
        """Remove expired keys, every hour, forever."""
        while True:
            try:
                await self._table().delete_many({"expires_at": {"$lt": datetime.now(UTC)}})
            except Exception:
                log.exception("purging expired idempotency keys failed; trying again in an hour")
            await asyncio.sleep(PURGE_INTERVAL_S)


def _abandoned(record: Document, now: datetime) -> bool:
    expired = record["expires_at"] <= now
    crashed = record["state"] == "running" and record["started_at"] <= now - timedelta(seconds=RUNNING_S)
    return bool(expired or crashed)


class Idempotency:
    """Pure ASGI middleware: keyed writes are claimed, answered once, and replayed after."""

    def __init__(self, app: ASGIApp, keys: IdempotencyKeys, tokens: TokenIssuer) -> None:
        self.app = app
        self.keys = keys
        self.tokens = tokens

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", []))
        key = headers.get(HEADER.lower().encode())
        if scope["type"] != "http" or scope["method"] not in WRITES or key is None:
            await self.app(scope, receive, send)
            return
        text = key.decode("latin-1")
        if not KEY_PATTERN.fullmatch(text):
            await _send_response(send, _refusal("must be 1 to 255 visible ASCII characters (a UUID, say)"))
            return
        body = await whole_body(receive)
        attempt = Attempt(
            scope=self._caller(headers.get(b"authorization", b"")),
            key=text,
            method=scope["method"],
            path=scope["path"],
            body_sha256=hashlib.sha256(body).hexdigest(),
        )
        try:
            earlier = await self.keys.claim(attempt)
        except Exception as error:
            if (dependency := outages.outage_of(error)) is None:
                raise
            await _send_response(send, outages.unavailable(dependency))
            return
        if earlier is not None:
            await self._answer_again(attempt, earlier, send)
            return
        await self._run(scope, replaying(body, receive), send, attempt)

    def _caller(self, authorization: bytes) -> str:
        scheme, _, token = authorization.decode("latin-1").partition(" ")
        if scheme.lower() != "bearer":
            return "anonymous"
        try:
            principal = self.tokens.verify(token)
        except InvalidToken:
            return "anonymous"
        return f"{principal.role.value}:{principal.account_id}"

    async def _run(self, scope: Scope, receive: Receive, send: Send, attempt: Attempt) -> None:
        """Handle the request, keep its answer, and only then send it: a retry arriving as soon
        as the client has the answer finds it stored."""
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)

        try:
            await self.app(scope, receive, keep)
        except BaseException:
            await self._forget(attempt)
            raise
        start = next(message for message in messages if message["type"] == "http.response.start")
        if start["status"] >= 500:
            await self._forget(attempt)
        else:
            body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
            headers = [  # no nested arrays: FerretDB v1 refuses them
                {"name": name.decode("latin-1"), "value": value.decode("latin-1")}
                for name, value in start["headers"]
            ]
            try:
                await self.keys.complete(attempt, start["status"], headers, body)
            except Exception:
                log.exception("keeping the answer to %s %s under its idempotency key failed",
                              attempt.method, attempt.path)  # fmt: skip
                await self._forget(attempt)
        for message in messages:
            await send(message)

    async def _forget(self, attempt: Attempt) -> None:
        try:
            await self.keys.release(attempt)
        except Exception:
            log.exception("releasing the idempotency key of %s %s failed; it is taken over after %.0f s",
                          attempt.method, attempt.path, RUNNING_S)  # fmt: skip

    @staticmethod
    async def _answer_again(attempt: Attempt, earlier: Document, send: Send) -> None:
        if not attempt.same_request(earlier):
            response = _refusal(
                f"was used for another request ({earlier['method']} {earlier['path']}"
                f"{'' if earlier['path'] != attempt.path else ' with another body'}); "
                "send a new key with a new request"
            )
            await _send_response(send, response)
            return
        if earlier["state"] == "running":
            response = JSONResponse(
                {"detail": f"the request with this {HEADER} is still being handled; retry in a moment"},
                status_code=409,
                headers={"Retry-After": "1"},
            )
            await _send_response(send, response)
            return
        headers = [(h["name"].encode("latin-1"), h["value"].encode("latin-1")) for h in earlier["headers"]]
        await send({"type": "http.response.start", "status": earlier["status"],
                    "headers": [*headers, (REPLAYED.encode(), b"true")]})  # fmt: skip
        await send({"type": "http.response.body", "body": bytes(earlier["body"])})


def _refusal(message: str) -> JSONResponse:
    """The shape of every field error (``shared.api.errors``), on the header."""
    detail = [{"loc": ["header", HEADER], "msg": f"{HEADER} {message}", "type": "value_error"}]
    return JSONResponse({"detail": detail}, status_code=422)


async def _send_response(send: Send, response: JSONResponse) -> None:
    await send(
        {"type": "http.response.start", "status": response.status_code, "headers": response.raw_headers}
    )
    await send({"type": "http.response.body", "body": response.body})


def install(app: FastAPI, service: Service) -> None:
    """Keys on every write of ``app``, kept in ``service``'s store, and documented."""
    keys = IdempotencyKeys(service.store, timedelta(hours=service.settings.idempotency_ttl_hours))
    service.on_start(keys.ensure_indexes)
    service.in_background(keys.purge)
    app.add_middleware(Idempotency, keys=keys, tokens=service.tokens)
    _document(app)


def _document(app: FastAPI) -> None:
    """The header, and the answers it can cause, on every write in the OpenAPI document."""
    generate: Callable[[], dict[str, Any]] = app.openapi
    header = {
        "name": HEADER,
        "in": "header",
        "required": False,
        "description": "a new random value (a UUID) per intended write; retrying with the same "
        "value replays the first answer instead of writing twice",
        "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7e]+$"},
    }
    responses = {
        "409": {"description": f"the request with this {HEADER} is still being handled"},
        "422": {"description": f"invalid input, or an {HEADER} used for another request"},
    }

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        for operation in _writes(schema):
            operation.setdefault("parameters", []).append(header)
            for status, response in responses.items():
                operation["responses"].setdefault(status, response)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _writes(schema: dict[str, Any]) -> Iterable[dict[str, Any]]:
    for path in schema.get("paths", {}).values():
        for method, operation in path.items():
            if method.upper() in WRITES:
                yield operation
