"""Running the emulator: in the caller's event loop, in a background thread, or as a process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from sandbox.telegram.app import create_app
from sandbox.telegram.client import EmulatorClient
from sandbox.telegram.store import DEFAULT_TOKEN, EmulatorConfig, EmulatorState

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BotSpec:
    """A bot to register at start: its token and optional profile."""

    token: str
    username: str | None = None
    first_name: str | None = None


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves the host program's signal handlers alone."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose proto says TCP,
    # and without it every keep-alive response stalls ~40 ms on delayed ACKs.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(2048)  # accept into the backlog at once, even before uvicorn starts serving
    return sock


async def _until_started(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    """uvicorn offers no start-up event to await, so poll its ``started`` flag."""
    while True:
        if server.started:
            return
        if task.done():
            task.result()
            raise RuntimeError("the server stopped during start-up")
        await asyncio.sleep(0.005)


@contextlib.asynccontextmanager
async def serve_asgi(app: ASGIApp, *, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """Serve any ASGI app (e.g. a test's webhook receiver) in this event loop; yields its URL."""
    sock = _bind(host, port)
    url = f"http://{host}:{sock.getsockname()[1]}"
    server = _EmbeddedServer(uvicorn.Config(app, log_config=None, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]), name=f"asgi:{url}")
    await _until_started(server, task)
    try:
        yield url
    finally:
        server.should_exit = True
        await task


class TelegramEmulator:
    """The Bot API emulator served by uvicorn inside the current event loop.

    ``async with TelegramEmulator(port=0) as emu:`` gives ``emu.base_url`` and
    ``emu.base_file_url`` for PTB's builder, ``emu.token`` for the default bot and
    ``emu.client()`` for the control API. ``port=0`` picks a free port.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = DEFAULT_TOKEN,
        bots: Sequence[str | BotSpec] = (),
        auto_register: bool = False,
        config: EmulatorConfig | None = None,
        log_level: str = "warning",
    ) -> None:
        self.state = EmulatorState(config or EmulatorConfig(auto_register=auto_register))
        specs = ([BotSpec(token)] if token else []) + [b if isinstance(b, BotSpec) else BotSpec(b) for b in bots]
        for spec in specs:
            self.state.add_bot(spec.token, username=spec.username, first_name=spec.first_name)
        self.app = create_app(self.state)
        self.host = host
        self.port = port
        self._log_level = log_level
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    # ----- addresses -----
    @property
    def url(self) -> str:
        """Root URL, e.g. ``http://127.0.0.1:8081``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)`` (and ``TELEGRAM_API_URL``)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``."""
        return f"{self.url}/file/bot"

    @property
    def control_url(self) -> str:
        return f"{self.url}/control"

    @property
    def token(self) -> str:
        """Token of the first registered bot."""
        return next(iter(self.state.bots))

    def client(self, **kwargs: Any) -> EmulatorClient:
        """A control-API client bound to this emulator (close it, or use ``async with``)."""
        return EmulatorClient(self.url, **kwargs)

    # ----- lifecycle -----
    def _config(self) -> uvicorn.Config:
        return uvicorn.Config(
            self.app,
            log_level=self._log_level,
            log_config=None,
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=2,
            timeout_keep_alive=30,
        )

    async def start(self) -> None:
        """Bind the port and serve in a task of the running loop; returns once accepting."""
        if self._task is not None:
            raise RuntimeError("the emulator is already running")
        sock = _bind(self.host, self.port)
        self.port = sock.getsockname()[1]
        self._server = _EmbeddedServer(self._config())
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name="telegram-emulator")
        await _until_started(self._server, self._task)
        logger.info("Telegram Bot API emulator listening on %s", self.url)

    async def stop(self) -> None:
        """Wake long polls, stop webhooks and shut the server down."""
        if self._server is None or self._task is None:
            return
        await self.state.aclose()
        self._server.should_exit = True
        try:
            await self._task
        finally:
            self._server = None
            self._task = None

    async def serve_forever(self) -> None:
        """Serve until SIGINT/SIGTERM (the CLI entry point)."""
        sock = _bind(self.host, self.port)
        self.port = sock.getsockname()[1]
        server = uvicorn.Server(self._config())
        task = asyncio.create_task(server.serve(sockets=[sock]))
        await _until_started(server, task)
        logger.warning(
            "Telegram Bot API emulator on %s  base_url=%s  base_file_url=%s  control=%s  token=%s",
            self.url, self.base_url, self.base_file_url, self.control_url, self.token,
        )  # fmt: skip
        await task

    async def __aenter__(self) -> TelegramEmulator:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()


class EmulatorThread:
    """The emulator running in a background thread with its own event loop, for sync callers.

    ``with EmulatorThread() as emu: ...`` — the same address properties as
    :class:`TelegramEmulator`; talk to it over HTTP only (its state lives in the other loop).
    """

    def __init__(self, **kwargs: Any) -> None:
        self.emulator = TelegramEmulator(**kwargs)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        return self.emulator.url

    @property
    def base_url(self) -> str:
        return self.emulator.base_url

    @property
    def base_file_url(self) -> str:
        return self.emulator.base_file_url

    @property
    def control_url(self) -> str:
        return self.emulator.control_url

    @property
    def token(self) -> str:
        return self.emulator.token

    @property
    def port(self) -> int:
        return self.emulator.port

    def client(self, **kwargs: Any) -> EmulatorClient:
        """A control-API client (use it from any event loop)."""
        return self.emulator.client(**kwargs)

    def start(self, timeout: float = 10.0) -> EmulatorThread:
        self._thread = threading.Thread(target=asyncio.run, args=(self._main(),), name="telegram-emulator")
        self._thread.daemon = True
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("the emulator thread did not start")
        if self._error is not None:
            raise self._error
        return self

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        try:
            await self.emulator.start()
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        await self._stopping.wait()
        await self.emulator.stop()

    def stop(self, timeout: float = 10.0) -> None:
        if self._thread is None or self._loop is None or self._stopping is None:
            return
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(timeout)
        self._thread = None

    def __enter__(self) -> EmulatorThread:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
