"""`chronos all`: the API, the bot and the scheduler in one process and one event loop.

This is how a small company runs Chronos on one machine (SQLite + the in-process Redis by default,
or any DATABASE_URL / REDIS_URL), and what `chronos demo` builds on. Ctrl-C / SIGTERM stop all three
cleanly: the bot stops taking updates, the scheduler lets running jobs finish, the API drains requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Annotated, Any

import typer
import uvicorn

from chronos_cli.runtime import listen_overrides, settings_or_exit
from shared.config import ConfigError, Settings

log = logging.getLogger(__name__)
GRACEFUL_SHUTDOWN_SECONDS = 3


class EmbeddedServer(uvicorn.Server):
    """uvicorn inside our loop: we own the signals, uvicorn must not install its own handlers."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def api_server(
    settings: Settings, asgi_app: Any, *, host: str | None = None, port: int | None = None
) -> EmbeddedServer:
    config = uvicorn.Config(
        asgi_app,
        host=host or settings.api_host,
        port=port if port is not None else settings.api_port,
        log_config=None,
        proxy_headers=True,
        server_header=False,
        lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,  # an open long poll (the web chat) must not hold a stop
    )
    return EmbeddedServer(config)


@contextlib.asynccontextmanager
async def serving(server: uvicorn.Server, stop: asyncio.Event) -> AsyncIterator[asyncio.Task[None]]:
    """Run ``server`` as a task until ``stop`` is set; waits until it listens."""
    task = asyncio.create_task(server.serve(), name="uvicorn")
    while not server.started and not task.done():  # noqa: ASYNC110 - uvicorn offers no "started" event
        await asyncio.sleep(0.02)
    if task.done():
        task.result()  # raise why it did not start (port in use, …)
    try:
        yield task
    finally:
        server.should_exit = True
        await task


def stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)


async def run_services(
    settings: Settings,
    stop: asyncio.Event,
    *,
    api_port: int | None = None,
    extra: list[Callable[[asyncio.Event], Awaitable[None]]] | None = None,
) -> None:
    """Serve the three services (plus ``extra`` tasks) until ``stop`` is set; one failing stops all."""
    from api.__main__ import bootstrap
    from chronos_bot.main import serve as serve_bot
    from scheduler.main import serve as serve_scheduler

    server = api_server(settings, bootstrap(settings), port=api_port)
    async with serving(server, stop):
        log.info("api listening", extra={"url": f"http://{settings.api_host}:{server.config.port}"})
        core = [
            asyncio.create_task(serve_bot(settings, stop=stop), name="bot"),
            asyncio.create_task(serve_scheduler(settings, stop=stop), name="scheduler"),
        ]
        helpers = [asyncio.create_task(job(stop), name=getattr(job, "__name__", "extra")) for job in extra or []]
        stop_on_signals(stop)  # after the services installed theirs: every handler sets the same event
        waiter = asyncio.create_task(stop.wait(), name="stop")
        pending: set[asyncio.Task[Any]] = {*core, *helpers, waiter}
        failed: list[asyncio.Task[Any]] = []
        while waiter in pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            failed += [t for t in done if t is not waiter and not t.cancelled() and t.exception() is not None]
            if failed or any(t in core for t in done):
                break  # a service died (or ended on its own): stop the others too
        stop.set()
        tasks = [*core, *helpers]
        results = await asyncio.gather(*tasks, return_exceptions=True)
        waiter.cancel()
        for task in failed:
            raise task.exception()  # type: ignore[misc]
        for task, result in zip(tasks, results, strict=True):
            if isinstance(result, BaseException) and not isinstance(result, asyncio.CancelledError):
                log.error("service %s failed while stopping", task.get_name(), exc_info=result)


def all_services(
    host: Annotated[str | None, typer.Option("--host", help="API: address to listen on (default: API_HOST)")] = None,
    port: Annotated[
        int | None, typer.Option("--port", min=1, max=65535, help="API: port to listen on (default: API_PORT)")
    ] = None,
) -> None:
    """Run the API, the bot and the scheduler in one process until Ctrl-C / SIGTERM."""
    listen_overrides(API_HOST=host, API_PORT=port)
    settings = settings_or_exit("all")
    try:
        asyncio.run(run_services(settings, asyncio.Event()))
    except ConfigError as exc:
        from chronos_cli.runtime import fail

        fail(f"ConfigError: {exc}", code=2)
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
