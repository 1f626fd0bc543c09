"""Pluggable SMS sending. ``settings.SMS_SENDER`` names the class; a real gateway
adapter implements ``send`` the same way. The embedded sender writes files a
developer can read, like Django's file e-mail backend.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsSender(Protocol):
    def send(self, *, phone: str, text: str) -> str:
        """Send ``text`` to ``phone`` (E.164); return the gateway's message id."""


class FileSmsSender:
    def __init__(self, directory: str | None = None):
        self.directory = Path(directory or settings.SMS_FILE_PATH)

    def send(self, *, phone: str, text: str) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        message_id = uuid.uuid4().hex
        record = {"id": message_id, "to": phone, "text": text, "sent_at": timezone.now().isoformat()}
        (self.directory / f"{message_id}.json").write_text(json.dumps(record, ensure_ascii=False), "utf-8")
        return message_id


def get_sms_sender() -> SmsSender:
    return import_string(settings.SMS_SENDER)()


class MemorySmsSender:
    """Keeps messages in ``MemorySmsSender.outbox`` (tests), like Django's locmem e-mail backend."""

    outbox: list[dict[str, str]] = []

    def send(self, *, phone: str, text: str) -> str:
        message_id = uuid.uuid4().hex
        MemorySmsSender.outbox.append({"id": message_id, "to": phone, "text": text})
        return message_id
