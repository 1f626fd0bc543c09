"""The API's request parser: Ninja's, plus one rule for every endpoint.

PostgreSQL cannot store the NUL character, so a NUL anywhere in a JSON body would reach the database
as an error (a 500). It is refused here, once for the whole API, as a 422 naming the field — rather
than in each schema. Query strings are left to their endpoints (search drops NUL and answers).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import ValidationError
from ninja.parser import Parser

NUL = "\x00"


def _nul_locations(value: Any, path: tuple[str, ...]) -> list[tuple[str, ...]]:
    if isinstance(value, str):
        return [path] if NUL in value else []
    if isinstance(value, dict):
        found = [(*path, str(key)) for key in value if isinstance(key, str) and NUL in key]
        for key, item in value.items():
            found += _nul_locations(item, (*path, str(key)))
        return found
    if isinstance(value, list):
        return [loc for index, item in enumerate(value) for loc in _nul_locations(item, (*path, str(index)))]
    return []


def refuse_nul(data: Any, where: str) -> Any:
    locations = _nul_locations(data, (where,))
    if locations:
        message = _("This text contains a character that is not allowed.")
        raise ValidationError([{"loc": loc, "type": "value_error", "ctx": {"error": message}} for loc in locations])
    return data


class StrictParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        return refuse_nul(super().parse_body(request), "body")
