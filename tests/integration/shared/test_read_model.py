"""Read models written a batch at a time, against the real store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection

from shared.store.read_model import ids_among, set_newer_many, upsert_many
from tests.conftest import Namespace

pytestmark = pytest.mark.integration

Collection = AsyncCollection[dict[str, Any]]


@pytest.fixture
async def profiles(namespace: Namespace) -> AsyncIterator[Collection]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(namespace.infra.mongo_url)
    yield client[namespace.database]["profiles"]
    await client.close()


async def everything(collection: Collection) -> dict[str, dict[str, Any]]:
    return {document.pop("_id"): document async for document in collection.find({})}


async def test_the_newest_version_of_each_document_is_kept_and_other_fields_stay(
    profiles: Collection,
) -> None:
    await profiles.insert_many(
        [
            {"_id": "王伟", "version": 3, "city": "安阳"},
            {"_id": "李娜", "version": 1, "city": "郑州", "preferences": {"email": True}},
            {"_id": "张敏", "preferences": {"email": False}},  # chosen over REST before any event
        ]
    )
    await set_newer_many(
        profiles,
        [
            {"_id": "王伟", "version": 2, "city": "旧的"},  # older than stored: a replay
            {"_id": "李娜", "version": 2, "city": "洛阳"},
            {"_id": "李娜", "version": 4, "city": "开封"},  # a batch may hold several versions
            {"_id": "李娜", "version": 3, "city": "新乡"},
            {"_id": "张敏", "version": 1, "city": "安阳"},
            {"_id": "Emily", "version": 1, "city": "Shanghai"},
        ],
    )
    assert await everything(profiles) == {
        "王伟": {"version": 3, "city": "安阳"},
        "李娜": {"version": 4, "city": "开封", "preferences": {"email": True}},
        "张敏": {"version": 1, "city": "安阳", "preferences": {"email": False}},
        "Emily": {"version": 1, "city": "Shanghai"},
    }

    await set_newer_many(profiles, [{"_id": "Emily", "version": 1, "city": "replayed"}])
    assert (await everything(profiles))["Emily"] == {"version": 1, "city": "Shanghai"}
    await set_newer_many(profiles, [])


async def test_upserts_replace_whole_documents_and_ids_among_finds_those_stored(
    profiles: Collection,
) -> None:
    await profiles.insert_one({"_id": "v1:s1", "score": 0.4, "reasons": ["城市"]})
    await upsert_many(
        profiles,
        [
            {"_id": "v1:s1", "score": 0.7},
            {"_id": "v1:s2", "score": 0.5},
            {"_id": "v1:s2", "score": 0.6},  # the last one of an id wins
        ],
    )
    assert await everything(profiles) == {"v1:s1": {"score": 0.7}, "v1:s2": {"score": 0.6}}
    assert await ids_among(profiles, {"v1:s1", "v1:s2", "v9:s9"}) == {"v1:s1", "v1:s2"}
    assert await ids_among(profiles, set()) == set()
