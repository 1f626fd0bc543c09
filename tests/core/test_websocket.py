"""The ASGI side: a WebSocket through Channels answers (the path live chat and order status use)."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from channels.testing import WebsocketCommunicator

from zizhu.config.asgi import application

pytestmark = pytest.mark.smoke


async def _echo(origin: bytes):
    communicator = WebsocketCommunicator(application, "/ws/health/", headers=[(b"origin", origin)])
    connected, _ = await communicator.connect()
    if not connected:
        return None
    greeting = await communicator.receive_json_from()
    await communicator.send_json_to({"ping": 1})
    echo = await communicator.receive_json_from()
    await communicator.disconnect()
    return greeting, echo


def _run(origin: bytes):
    # A fresh thread with its own event loop: browser tests may keep Playwright's loop
    # running in the main thread for the whole session.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _echo(origin)).result(timeout=30)


def test_websocket_connects_and_echoes():
    assert _run(b"http://localhost") == ({"status": "ok"}, {"echo": {"ping": 1}})


def test_websocket_from_another_site_is_refused():
    assert _run(b"https://evil.example") is None
