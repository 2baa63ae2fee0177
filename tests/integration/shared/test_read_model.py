"""Read models written a batch at a time, against the real store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from shared.store.mongo import Store
from shared.store.read_model import ids_among, set_newer_many, upsert_many
from tests.conftest import Namespace

pytestmark = pytest.mark.integration

Collection = AsyncCollection[dict[str, Any]]


@pytest.fixture
async def store(namespace: Namespace) -> AsyncIterator[Store]:
    store = Store(namespace.infra.mongo_url, namespace.database)
    await store.open()
    yield store
    await store.close()


@pytest.fixture
def profiles(store: Store) -> Collection:
    return store.database()["profiles"]


async def everything(collection: Collection) -> dict[str, dict[str, Any]]:
    return {document.pop("_id"): document async for document in collection.find({})}


async def test_the_newest_version_of_each_document_is_kept_and_other_fields_stay(
    store: Store, profiles: Collection
) -> None:
    await profiles.insert_many(
        [
            {"_id": "王伟", "version": 3, "city": "安阳"},
            {"_id": "李娜", "version": 1, "city": "郑州", "preferences": {"email": True}},
            {"_id": "张敏", "preferences": {"email": False}},  # chosen over REST before any event
        ]
    )
    await set_newer_many(
        store,
        "profiles",
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

    await set_newer_many(store, "profiles", [{"_id": "Emily", "version": 1, "city": "replayed"}])
    before = await everything(profiles)
    assert before["Emily"] == {"version": 1, "city": "Shanghai"}
    await set_newer_many(store, "profiles", [])
    assert await everything(profiles) == before, "an empty batch changes nothing"


async def test_an_upsert_racing_an_insert_of_the_same_id_becomes_an_update(store: Store) -> None:
    """API requests upsert preferences while a batch inserts the same people's profiles (the
    race is timing-dependent: a few rounds make it likely to happen at least once)."""
    profiles = store.database()["profiles"]
    for round_ in range(6):
        ids = [f"r{round_}p{i}" for i in range(40)]
        upserts = [
            store.update("profiles", {"_id": key}, {"$set": {"preferences": {"email": True}}}, upsert=True)
            for key in ids
        ]
        batch = [{"_id": key, "version": 1, "city": "安阳"} for key in ids]
        await asyncio.gather(*upserts, set_newer_many(store, "profiles", batch))
    stored = await everything(profiles)
    assert len(stored) == 240
    assert all(p == {"version": 1, "city": "安阳", "preferences": {"email": True}} for p in stored.values())


async def test_a_batch_insert_that_loses_to_an_upsert_of_the_same_ids_becomes_an_update(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race above at its worst, every time: the upserts land between the batch's look-up
    and its insert."""
    ids = [f"p{i}" for i in range(5)]
    insert_many = AsyncCollection.insert_many

    async def upserts_first(collection: Collection, documents: Any, **options: Any) -> Any:
        for key in ids:
            await store.update(
                "profiles", {"_id": key}, {"$set": {"preferences": {"email": True}}}, upsert=True
            )
        return await insert_many(collection, documents, **options)

    monkeypatch.setattr(AsyncCollection, "insert_many", upserts_first)
    await set_newer_many(store, "profiles", [{"_id": key, "version": 1, "city": "安阳"} for key in ids])
    assert await everything(store.database()["profiles"]) == {
        key: {"version": 1, "city": "安阳", "preferences": {"email": True}} for key in ids
    }


async def test_a_guarded_upsert_still_refuses_when_the_stored_version_is_newer(store: Store) -> None:
    await store.database()["profiles"].insert_one({"_id": "王伟", "version": 7})
    with pytest.raises(DuplicateKeyError):
        await store.update(
            "profiles", {"_id": "王伟", "version": {"$lt": 5}}, {"$set": {"version": 5}}, upsert=True
        )
    assert (await everything(store.database()["profiles"]))["王伟"] == {"version": 7}


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
