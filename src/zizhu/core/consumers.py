"""A minimal WebSocket endpoint that proves the ASGI/Channels path end to end."""

from channels.generic.websocket import JsonWebsocketConsumer


class HealthConsumer(JsonWebsocketConsumer):
    def connect(self) -> None:
        self.accept()
        self.send_json({"status": "ok"})

    def receive_json(self, content: dict, **kwargs: object) -> None:
        self.send_json({"echo": content})
