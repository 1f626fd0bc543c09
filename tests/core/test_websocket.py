"""The ASGI side: a WebSocket through Channels answers (the path live chat and order status use)."""

import pytest
from asgiref.sync import async_to_sync
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


def test_websocket_connects_and_echoes():
    assert async_to_sync(_echo)(b"http://localhost") == ({"status": "ok"}, {"echo": {"ping": 1}})


def test_websocket_from_another_site_is_refused():
    assert async_to_sync(_echo)(b"https://evil.example") is None
