"""Paged lists: every list endpoint takes ``offset`` and ``limit`` and answers a ``Page``."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

T = TypeVar("T")
MAX_LIMIT = 100


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int


class PageQuery(BaseModel):
    offset: int = 0
    limit: int = 20


def _page_query(
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
) -> PageQuery:
    return PageQuery(offset=offset, limit=limit)


Paging = Annotated[PageQuery, Depends(_page_query)]


async def paged(
    table: Any,
    query: dict[str, Any],
    paging: PageQuery,
    into: Callable[[dict[str, Any]], T],
    sort: list[tuple[str, int]] | None = None,
) -> Page[T]:
    """One page of ``query``'s matches (stable order: ``sort`` then ``_id``), and the total."""
    order = [*(sort or []), ("_id", 1)]
    documents = await table.find(query).sort(order).skip(paging.offset).limit(paging.limit).to_list()
    total = await table.count_documents(query)
    return Page[T](items=[into(document) for document in documents], total=total, **paging.model_dump())


def containing(text: str | None, *fields: str) -> dict[str, Any]:
    """A filter matching ``text`` literally, case-insensitive, in any of ``fields``."""
    if not text:
        return {}
    pattern = {"$regex": re.escape(text), "$options": "i"}
    return {"$or": [{field: pattern} for field in fields]}
