from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def shop(request: HttpRequest) -> dict[str, Any]:
    """What every page's layout needs: elder mode and the current path (for `next`)."""
    return {
        "elder_mode": getattr(request, "elder_mode", False),
        "current_path": request.get_full_path(),
    }
