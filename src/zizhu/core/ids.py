"""Public identifiers: order, return and ticket numbers.

They are random (not database ids), so they reveal neither sales volume nor other
customers' orders, and they end in a Luhn check digit so that a mistyped number is
caught before any look-up. Uniqueness is enforced by the database (unique columns);
``new_number`` is called again on the rare collision.
"""

from __future__ import annotations

import secrets

PREFIXES = {"order": "O", "return": "R", "ticket": "T", "payment": "P", "shipment": "S", "case": "C"}
RANDOM_DIGITS = 15


def luhn_check_digit(digits: str) -> str:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:  # doubled positions, counted from the right before the check digit
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def new_number(kind: str) -> str:
    """A new public number such as ``O3820194756120384`` (prefix, 15 random digits, check digit)."""
    prefix = PREFIXES[kind]
    # One draw for all the digits (a digit at a time cost 16 calls to the kernel's random source,
    # twice per checkout); uniform over the 15-digit numbers without a leading zero.
    lowest = 10 ** (RANDOM_DIGITS - 1)
    body = str(lowest + secrets.randbelow(9 * lowest))
    return prefix + body + luhn_check_digit(body)


def is_valid_number(kind: str, number: str) -> bool:
    """True when ``number`` has the right prefix, length and check digit for ``kind``."""
    prefix = PREFIXES.get(kind)
    if not prefix or not isinstance(number, str) or not number.startswith(prefix):
        return False
    digits = number[len(prefix) :]
    if len(digits) != RANDOM_DIGITS + 1 or not digits.isascii() or not digits.isdigit():
        return False
    return luhn_check_digit(digits[:-1]) == digits[-1]
