"""Servers that stop, restart or hang under the library: reads are retried, writes are not.

Each test starts its own server in a short temporary folder, so that it can stop, restart
or pause (SIGSTOP, by the pid it started) that server without disturbing the others.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import tempfile

import pytest
import redis

import redisom_cli
import redisom_cli.aio
from redisom_cli import Field, ServerUnavailableError
from redisom_cli.store.embedded import EmbeddedServer
from tests.integration.conftest import call, collect


@pytest.fixture
def own_server():
    """A server with the append-only file on, so that its data survives a restart."""
    folder = tempfile.mkdtemp(prefix="om-faults-", dir="/tmp")
    server = EmbeddedServer(folder, modules=False, persistent=True).start()
    try:
        yield server
    finally:
        if server.is_running():
            os.kill(server.pid, signal.SIGCONT)
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=["sync", "async"])
def module(request):
    return redisom_cli if request.param == "sync" else redisom_cli.aio


def item_model(module, client):
    class Item(module.HashModel):
        name: str = Field(index=True)

        class Meta:
            global_key_prefix = "faults"
            database = client

    return Item


class OnRetry(logging.Handler):
    """Runs `action` once, when the client logs its first read retry."""

    def __init__(self, action):
        super().__init__(logging.INFO)
        self.action = action
        self.retries = 0

    def emit(self, record):
        if record.getMessage().startswith("Read failed"):
            self.retries += 1
            if self.retries == 1:
                self.action()


@pytest.fixture
def on_retry():
    """Install an OnRetry handler on the client loggers of both APIs."""
    installed = []

    def install(action):
        handler = OnRetry(action)
        for name in ("redisom_cli.store.sync.client", "redisom_cli.store.aio.client"):
            logger = logging.getLogger(name)
            installed.append((logger, logger.level))
            logger.setLevel(logging.INFO)
            logger.addHandler(handler)
        return handler

    yield install
    for logger, level in installed:
        for handler in [h for h in logger.handlers if isinstance(h, OnRetry)]:
            logger.removeHandler(handler)
        logger.setLevel(level)


def command_calls(server, name, at_least):
    """Return the calls of command `name` on `server`, waiting up to 5 s for `at_least` of them."""
    import time

    client = redis.Redis.from_url(server.url, decode_responses=True)
    deadline = time.monotonic() + 5
    while True:
        calls = client.info("commandstats").get(f"cmdstat_{name}", {}).get("calls", 0)
        if calls >= at_least or time.monotonic() > deadline:
            client.close()
            return calls
        time.sleep(0.05)


async def test_restart_between_commands(own_server, module):
    Item = item_model(module, module.get_redis_connection(own_server.url))
    saved = await call(Item(name="before").save())

    own_server.stop()
    own_server.start()

    assert (await call(Item.get(saved.pk))).name == "before"
    again = await call(Item(name="after").save())
    assert (await call(Item.get(again.pk))).name == "after"


async def test_read_retried_until_server_back(own_server, module, on_retry):
    Item = item_model(module, module.get_redis_connection(own_server.url))
    saved = await call(Item(name="kept").save())
    own_server.stop()
    handler = on_retry(own_server.start)

    assert (await call(Item.get(saved.pk))).name == "kept"
    assert handler.retries >= 1
    assert [record.name for record in await call(Item.get_many([saved.pk]))] == ["kept"]
    assert await collect(Item.all_pks()) == [saved.pk]


async def test_write_fails_without_retry(own_server, module, on_retry):
    Item = item_model(module, module.get_redis_connection(own_server.url))
    own_server.stop()
    handler = on_retry(own_server.start)

    with pytest.raises(ServerUnavailableError, match="Redis server unavailable"):
        await call(Item(name="lost").save())

    assert handler.retries == 0
    own_server.start()
    assert await collect(Item.all_pks()) == []


async def test_timed_out_write_sent_once(own_server, module):
    client = module.get_redis_connection(own_server.url, socket_timeout=0.3)
    Item = item_model(module, client)
    await call(Item(name="first").save())  # connects, so that the write below is what times out
    os.kill(own_server.pid, signal.SIGSTOP)
    try:
        with pytest.raises(ServerUnavailableError, match="Redis server timed out"):
            await call(Item(name="late").save())
    finally:
        os.kill(own_server.pid, signal.SIGCONT)

    # The resumed server runs the write that it had received, so it was sent exactly once.
    assert command_calls(own_server, "hset", at_least=2) == 2
    assert len(await collect(Item.all_pks())) == 2


async def test_timed_out_read_retried(own_server, module, on_retry):
    client = module.get_redis_connection(own_server.url, socket_timeout=0.3)
    Item = item_model(module, client)
    saved = await call(Item(name="slow").save())
    os.kill(own_server.pid, signal.SIGSTOP)
    handler = on_retry(lambda: os.kill(own_server.pid, signal.SIGCONT))

    assert (await call(Item.get(saved.pk))).name == "slow"
    assert handler.retries == 1


async def test_read_gives_up_after_retries(own_server, module, on_retry):
    Item = item_model(module, module.get_redis_connection(own_server.url))
    own_server.stop()
    handler = on_retry(lambda: None)

    with pytest.raises(ServerUnavailableError, match="Redis server unavailable"):
        await call(Item.get("x"))

    assert handler.retries == 3


async def test_connection_refused_messages(module, tmp_path):
    for url in (f"unix://{tmp_path}/no-server.sock", f"redis://127.0.0.1:{closed_port()}"):
        Item = item_model(module, module.get_redis_connection(url))
        with pytest.raises(ServerUnavailableError) as caught:
            await call(Item.get("x"))
        assert str(caught.value).startswith("Redis server unavailable")
        assert "\n" not in str(caught.value)


def closed_port() -> int:
    """Return a port of 127.0.0.1 that was free a moment ago and has no listener."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_rejected_password_not_retried(own_server, module, on_retry):
    redis.Redis.from_url(own_server.url).config_set("requirepass", "right-password")
    url = own_server.url.replace("unix://", "unix://:wrong-password@", 1)
    Item = item_model(module, module.get_redis_connection(url))
    handler = on_retry(lambda: None)

    try:
        with pytest.raises(redisom_cli.AuthenticationError):
            await call(Item.get("x"))
    finally:
        # The launcher stops its server with SHUTDOWN, which needs the password to be off.
        redis.Redis.from_url(own_server.url, password="right-password").config_set("requirepass", "")

    assert handler.retries == 0
