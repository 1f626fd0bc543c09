"""Masking of personal data for people who may not see it in full (pure functions, no models)."""

from __future__ import annotations


def mask_phone(phone: str) -> str:
    """+8613812345678 → 138****5678, how Chinese shops show a number back to its owner."""
    digits = (phone or "").removeprefix("+86")
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 7 else "****"


def mask_email(email: str) -> str:
    """alice@example.com → a***@example.com (the domain stays: it says nothing about the person)."""
    local, at, domain = (email or "").partition("@")
    if not at:
        return "***"
    return (local[:1] or "") + "***@" + domain


def mask_address(address: str) -> str:
    """北京市朝阳区建国路88号3单元 → 北京市朝阳区****: the region stays, the street and number go."""
    text = (address or "").strip()
    if not text:
        return ""
    keep = min(6, len(text) // 3)
    return text[:keep] + "****"


def mask_name(name: str) -> str:
    """王小明 → 王**, Alice Chen → A****: the first character stays, enough to greet, not to identify."""
    text = (name or "").strip()
    return text[:1] + "*" * min(max(len(text) - 1, 2), 4) if text else ""
