"""Input no route could handle is refused here, once for every app, before routing.

The store cannot keep a NUL character and UTF-8 cannot encode a lone surrogate, and JSON has
no NaN or Infinity (Python's parser reads them anyway), so a path, query string, JSON body or
form carrying one is answered 422 naming where it is. Validation errors are answered without
echoing an input that could not be written back as JSON.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from email.message import Message as MimeType
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.datastructures import UploadFile
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.api.body import replaying, whole_body

Location = list[str | int]
SURROGATE = re.compile("[\ud800-\udfff]")


class FieldProblem(BaseModel):
    """One refused field: where it is (``["body", "title"]``, ``["query", "city"]``) and why."""

    model_config = ConfigDict(extra="allow")

    loc: Location
    msg: str
    type: str


class Invalid(BaseModel):
    detail: list[FieldProblem]


class Refusal(BaseModel):
    detail: str


REQUEST_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Refusal, "description": "the body could not be read as JSON or as a form"},
    405: {"model": Refusal, "description": "this path does not take this method"},
    413: {"model": Refusal, "description": "the body is larger than the service's MAX_BODY_BYTES"},
    422: {"model": Invalid, "description": "a field is missing or invalid: each problem names where"},
}


class NonFinite:
    """NaN, ±Infinity or a number too large for a float, where the JSON had a number."""

    def __init__(self, text: str, why: str = "is not a JSON number") -> None:
        self.message = f"{text[:20]} {why}: give a finite number"


def _number(text: str) -> float | NonFinite:
    value = float(text)
    return value if math.isfinite(value) else NonFinite(text, "is too large for a number")


def text_problem(text: str) -> tuple[str, str] | None:
    """Why a text cannot be taken (its problem's type and message), or None."""
    if "\x00" in text:
        return "nul_character", "contains the NUL character (U+0000), which no text may hold"
    if found := SURROGATE.search(text):
        code = f"U+{ord(found.group()):04X}"
        return "lone_surrogate", f"contains a lone surrogate ({code}), which is not a character"
    return None


def _problems(value: Any, loc: Location) -> Iterator[FieldProblem]:
    """Each refused text or number in a parsed document, in document order (without recursion,
    so a deeply nested document cannot exhaust the stack)."""
    pending: list[tuple[Any, Location]] = [(value, loc)]
    while pending:
        item, where = pending.pop()
        if isinstance(item, str):
            if problem := text_problem(item):
                yield FieldProblem(loc=where, type=problem[0], msg=problem[1])
        elif isinstance(item, NonFinite):
            yield FieldProblem(loc=where, type="finite_number", msg=item.message)
        elif isinstance(item, dict):
            for key in item:
                if problem := text_problem(key):
                    yield FieldProblem(loc=where, type=problem[0], msg=f"a field name {problem[1]}")
            pending.extend((child, [*where, key]) for key, child in reversed(item.items()))
        elif isinstance(item, list):
            pending.extend((child, [*where, index]) for index, child in reversed(list(enumerate(item))))


def _pairs(pairs: list[tuple[str, Any]], where: str) -> Iterator[FieldProblem]:
    for name, value in pairs:
        if problem := text_problem(name):
            yield FieldProblem(loc=[where], type=problem[0], msg=f"a parameter name {problem[1]}")
        elif isinstance(value, UploadFile):
            yield from _problems(value.filename or "", [where, name, "filename"])
        else:
            yield from _problems(value, [where, name])


def _body_kind(scope: Scope) -> str | None:
    """What FastAPI reads the body as: JSON (also when no type is given) or a form."""
    declared = dict(scope["headers"]).get(b"content-type")
    if declared is None:
        return "json"
    mime = MimeType()
    mime["content-type"] = declared.decode("latin-1")
    kind = mime.get_content_type()
    if kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json")):
        return "json"
    return "form" if kind in ("application/x-www-form-urlencoded", "multipart/form-data") else None


class InputCheck:
    """Pure ASGI middleware: 422 for a NUL, a lone surrogate or a non-finite number anywhere."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        found = [*_problems(scope["path"], ["path"]), *_pairs(query, "query")]
        kind = _body_kind(scope) if scope["method"] not in ("GET", "HEAD") else None
        if not found and kind is not None:
            body = await whole_body(receive)
            receive = replaying(body, receive)
            found = _in_json(body) if kind == "json" else await _in_form(scope, receive)
            receive = replaying(body, receive)
        if found:
            response = JSONResponse(Invalid(detail=found[:20]).model_dump(mode="json"), status_code=422)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _in_json(body: bytes) -> list[FieldProblem]:
    if not body:
        return []
    try:
        document = json.loads(body, parse_constant=NonFinite, parse_float=_number)
    except RecursionError:
        return [FieldProblem(loc=["body"], type="json_depth", msg="the JSON is nested too deeply")]
    except ValueError:
        return []  # not JSON: the route answers that itself
    return list(_problems(document, ["body"]))


async def _in_form(scope: Scope, receive: Receive) -> list[FieldProblem]:
    try:
        async with Request(scope, receive).form() as form:
            return list(_pairs(list(form.multi_items()), "body"))
    except Exception:  # noqa: BLE001 - a malformed form is the route's to refuse, as without this check
        return []


def _echoed(value: Any) -> Any:
    """The input as JSON can carry it back, or None when it cannot."""
    try:
        shown = jsonable_encoder(value)
        json.dumps(shown, allow_nan=False, ensure_ascii=False).encode()
    except (TypeError, ValueError, RecursionError):
        return None
    return shown


def _plain(text: str) -> str:
    return text.encode("utf-8", "replace").decode()


async def answer_invalid(_: Request, error: Exception) -> JSONResponse:
    """FastAPI's 422, but an input that cannot be written back (NaN, a lone surrogate) is left out."""
    assert isinstance(error, RequestValidationError)
    problems = []
    for problem in error.errors():
        answer: dict[str, Any] = {
            "loc": [_plain(part) if isinstance(part, str) else part for part in problem["loc"]],
            "msg": _plain(str(problem["msg"])),
            "type": problem["type"],
        }
        if (shown := _echoed(problem.get("input"))) is not None:
            answer["input"] = shown
        problems.append(answer)
    return JSONResponse({"detail": problems}, status_code=422)


def install(app: FastAPI) -> None:
    """Add the check (inside any middleware added later) and the validation-error answer."""
    app.add_middleware(InputCheck)
    app.add_exception_handler(RequestValidationError, answer_invalid)
