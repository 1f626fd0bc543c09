"""Helpers for caching rendered page parts that are shared between visitors.

A cached part must never carry one visitor's data. The CSRF token is the one personal value
such parts need (a form inside them): they are rendered with ``CSRF_SLOT`` as the token and
``personalise`` puts the visitor's own token in on every request.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpRequest
from django.middleware.csrf import get_token

CSRF_SLOT = "zizhu-csrf-slot-5b1f"


def personalise(html: str, request: HttpRequest) -> str:
    """The cached HTML with this visitor's CSRF token in place of the slot."""
    return html.replace(CSRF_SLOT, get_token(request)) if CSRF_SLOT in html else html


def key(prefix: str, *parts: Any) -> str:
    """A short cache key from any number of parts (versions, language, path…)."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:40]
    return f"{prefix}:{digest}"
