"""WebSocket routes. Apps add their consumers here (live chat, live order status)."""

from django.urls import path

from zizhu.core.consumers import HealthConsumer

websocket_urlpatterns = [
    path("ws/health/", HealthConsumer.as_asgi()),
]
