"""Masking of personal data (S20): lists, pages and exports show phones and identity numbers masked unless the
role needs them in full."""

from __future__ import annotations


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678."""
    phone = (phone or "").strip()
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"
