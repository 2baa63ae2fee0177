"""What one store operation costs as a collection grows: why the hot paths read by id only.

    .venv/bin/python -m benchmarks.store_paths [--sizes 500 10000] [--repeat 10]

Against the test profile's store (started when it is not running), in a database of its
own that is dropped at the end: for each collection size, the mean time of reads by id
(of a document stored early, one stored last, one not stored, and 100 ids in one query),
a read by another field, an update, a replace, an insert and a delete by id. A read by
another field is the baseline every other row is read beside: it reads the collection.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import uuid4

from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection

from benchmarks.infra import infrastructure
from shared.store.mongo import drop_databases


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 10_000])
    parser.add_argument("--repeat", type=int, default=10)
    arguments = parser.parse_args()
    _, mongo = infrastructure()
    database = f"bench{uuid4().hex[:8]}_store"
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo)
    rows: dict[str, list[float]] = {}
    try:
        for size in arguments.sizes:
            print(f"[store] filling a collection with {size:,} documents", flush=True)
            collection = client[database][f"size{size}"]
            await collection.insert_many(
                [{"_id": f"k{i}", "seeker_id": f"s{i}", "score": 0.5} for i in range(size)]
            )
            for name, operation in operations(collection, size).items():
                started = time.perf_counter()
                for i in range(arguments.repeat):
                    await operation(i)
                rows.setdefault(name, []).append((time.perf_counter() - started) / arguments.repeat)
    finally:
        await client.close()
        await drop_databases(mongo, database)
    print(f"\n{'mean ms per operation, by documents in the collection':<66}"
          + "".join(f"{size:>10,}" for size in arguments.sizes))  # fmt: skip
    for name, times in rows.items():
        print(f"{name:<66}" + "".join(f"{seconds * 1000:>10.1f}" for seconds in times))


def operations(
    collection: AsyncCollection[dict[str, Any]], size: int
) -> dict[str, Callable[[int], Awaitable[Any]]]:
    absent = [f"absent{n}" for n in range(100)]
    return {
        "find_one by another field, no match (baseline: reads them all)": lambda i: collection.find_one(
            {"seeker_id": f"absent{i}"}
        ),
        "find_one by _id, among the first stored": lambda i: collection.find_one({"_id": f"k{i}"}),
        "find_one by _id, among the last stored": lambda i: collection.find_one({"_id": f"k{size - 1 - i}"}),
        "find_one by _id, not stored": lambda i: collection.find_one({"_id": f"absent{i}"}),
        "find by _id $in, 100 ids not stored, one query": lambda i: collection.find(
            {"_id": {"$in": absent}}
        ).to_list(),
        "insert_one": lambda i: collection.insert_one({"_id": f"new{i}", "score": 0.9}),
        "update_one $set by _id": lambda i: collection.update_one({"_id": f"k{i}"}, {"$set": {"score": 0.7}}),
        "replace_one by _id": lambda i: collection.replace_one({"_id": f"k{i}"}, {"score": 0.9}),
        "delete_one by _id": lambda i: collection.delete_one({"_id": f"new{i}"}),
    }


if __name__ == "__main__":
    asyncio.run(main())
