"""Each domain error becomes a JSON answer with its status code."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from shared.errors import Conflict, DomainError, Forbidden, InvalidField, NotFound, Unauthorized

STATUS: dict[type[DomainError], int] = {
    NotFound: 404,
    Forbidden: 403,
    Unauthorized: 401,
    Conflict: 409,
    InvalidField: 422,
}


async def _answer(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    status = next((code for kind, code in STATUS.items() if isinstance(error, kind)), 400)
    if isinstance(error, InvalidField):
        body: object = {"detail": [{"loc": error.location, "msg": error.message, "type": "value_error"}]}
    else:
        body = {"detail": error.message}
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, Unauthorized) else None
    return JSONResponse(body, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _answer)


Responses = dict[int | str, dict[str, Any]]
AUTH_ERRORS: Responses = {
    401: {"description": "missing, invalid or expired token"},
    403: {"description": "the caller's role may not do this"},
}
