"""A TCP proxy the fault tests control: pass traffic, drop every connection, blackhole, refuse.

It runs its own event loop in a thread, so tests drive it the same way whether the client it fools is in
the test's loop (an engine) or in a subprocess (the bot, the API):

- ``drop()``: reset every open connection now (a database restart, a NAT timeout); new ones pass.
- ``blackhole()``: bytes in either direction vanish and new connections are accepted but never answered
  (a partitioned network, a hung server); ``restore()`` ends it (open connections stay mute: they lost
  bytes, as they would in the real thing, and are dropped).
- ``refuse()``: stop listening (connection refused); ``restore()`` listens again on the same port.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Callable
from typing import Any


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class TcpProxy:
    def __init__(self, target_host: str, target_port: int, *, port: int = 0) -> None:
        self.target = (target_host, target_port)
        self.port = port or free_port()
        self.mode = "pass"
        self.accepted = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="tcp-proxy", daemon=True)
        self._server: asyncio.Server | None = None
        self._links: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter | None]] = set()

    # ------------------------------------------------------------------ control (from any thread)

    def start(self) -> TcpProxy:
        self._thread.start()
        self._call(self._listen)
        return self

    def stop(self) -> None:
        self._call(self._close_all)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def __enter__(self) -> TcpProxy:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def open_connections(self) -> int:
        return len(self._links)

    def url_for(self, url: str) -> str:
        """``url`` with its ``host:port`` replaced by the proxy's."""
        host, port = self.target
        return url.replace(f"{host}:{port}", f"127.0.0.1:{self.port}")

    def drop(self) -> None:
        self._call(self._drop)

    def blackhole(self) -> None:
        self.mode = "blackhole"

    def refuse(self) -> None:
        self.mode = "refuse"
        self._call(self._unlisten)
        self._call(self._drop)

    def restore(self) -> None:
        was = self.mode
        self.mode = "pass"
        if was == "blackhole":
            self._call(self._drop)
        if was == "refuse":
            self._call(self._listen)

    def _call(self, fn: Callable[[], Any]) -> Any:
        async def run() -> Any:
            result = fn()
            if asyncio.iscoroutine(result):
                result = await result
            return result

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(10)

    # ------------------------------------------------------------------ the proxy (in its loop)

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port, reuse_address=True)

    async def _unlisten(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def _drop(self) -> None:
        for client, upstream in list(self._links):
            for writer in (client, upstream):
                if writer is not None:
                    with contextlib.suppress(Exception):
                        writer.transport.abort()
        self._links.clear()

    async def _close_all(self) -> None:
        await self._unlisten()
        self._drop()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        if self.mode != "pass":  # blackholed: a connection that never answers
            link: tuple[asyncio.StreamWriter, asyncio.StreamWriter | None] = (writer, None)
            self._links.add(link)
            with contextlib.suppress(Exception):
                while await reader.read(65536):
                    pass
            self._links.discard(link)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        link = (writer, up_writer)
        self._links.add(link)
        await asyncio.gather(self._pump(reader, up_writer), self._pump(up_reader, writer), return_exceptions=True)
        self._links.discard(link)
        for w in (writer, up_writer):
            with contextlib.suppress(Exception):
                w.close()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            data = await reader.read(65536)
            if not data:
                with contextlib.suppress(Exception):
                    writer.write_eof()
                return
            if self.mode == "blackhole":
                continue  # the bytes vanish
            writer.write(data)
            await writer.drain()
