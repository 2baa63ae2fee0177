"""Every rendered form carries a new ``Idempotency-Key`` (a hidden field), and the API writes its
post makes send it: the same form posted twice (a double click, a reload after a timeout) is
carried out once by the APIs, and the second post gets the first one's answers.

A post may make several writes (sign-up: register, then sign in), each to its own path, so
the n-th write of a post sends ``<form key>.<n>``: the same keys each time the form is posted.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass
from uuid import uuid4

from fastapi import Request

FIELD = "idempotency_key"
HEADER = "Idempotency-Key"
VALID = re.compile(r"[A-Za-z0-9-]{1,64}")
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class FormKey:
    value: str
    writes: int = 0

    def next(self) -> str:
        key = f"{self.value}.{self.writes}"
        self.writes += 1
        return key


_posted: ContextVar[FormKey | None] = ContextVar("posted_form_key", default=None)


def new_key() -> str:
    """A new form's key (the templates' ``new_idempotency_key()``)."""
    return str(uuid4())


async def read_form_key(request: Request) -> None:
    """The app-wide dependency: a posted form's key, for the API writes the route makes."""
    key = None
    if request.method == "POST" and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(FIELD)
        key = FormKey(value) if isinstance(value, str) and VALID.fullmatch(value) else None
    _posted.set(key)


def key_headers(method: str) -> dict[str, str]:
    """The header for an API call: the posted form's next key, for a write made while handling one."""
    posted = _posted.get()
    return {HEADER: posted.next()} if posted is not None and method.upper() in WRITES else {}
