"""A TCP proxy in front of the real store or broker that a test cuts and restores: one service's
dependency goes down and comes back while the shared servers keep running for everyone else.

Cut, it aborts every open connection and accepts new ones without ever answering (a hung
server: the harder case, since nothing fails fast). Kafka clients connect to the address the
broker advertises, so in front of Kafka the proxy rewrites that address (host, then port, in
metadata, coordinator and cluster answers) to its own: every connection then goes through it.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from types import TracebackType


class Proxy:
    def __init__(self, upstream: str, *, kafka: bool = False) -> None:
        host, _, port = upstream.rpartition(":")
        self._host, self._port = host, int(port)
        self._kafka = kafka
        self._up = True
        self._writers: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None
        self.port = 0

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def __aenter__(self) -> Proxy:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._abort_all()
        assert self._server is not None
        self._server.close()

    def cut(self) -> None:
        self._up = False
        self._abort_all()

    def restore(self) -> None:
        self._up = True
        self._abort_all()  # the hung connections: clients reconnect and now get through

    def _abort_all(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            if not self._up:
                while await reader.read(65536):
                    pass  # never answered
                return
            upstream_reader, upstream_writer = await asyncio.open_connection(self._host, self._port)
            self._writers.add(upstream_writer)
            back = self._frames if self._kafka else self._bytes
            await asyncio.gather(self._bytes(reader, upstream_writer), back(upstream_reader, writer))
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.transport.abort()

    @staticmethod
    async def _bytes(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        with contextlib.suppress(OSError):
            writer.write_eof()

    async def _frames(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Kafka answers, frame by frame (a 4-byte size, then the answer), the broker's
        advertised address replaced by the proxy's (same length, so sizes hold)."""
        host = self._host.encode()
        advertised, ours = host + struct.pack(">i", self._port), host + struct.pack(">i", self.port)
        while True:
            size = await reader.readexactly(4)
            frame = await reader.readexactly(struct.unpack(">i", size)[0])
            writer.write(size + frame.replace(advertised, ours))
            await writer.drain()
