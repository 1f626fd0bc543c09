"""Celery tasks of payments (thin). A worker imports every app's ``tasks`` module: importing the
sandbox gateway's task here registers it."""

from __future__ import annotations

from zizhu.payments.sandbox_gateway.tasks import deliver_sandbox_webhook

__all__ = ["deliver_sandbox_webhook"]
