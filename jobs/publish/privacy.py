"""Masking of personal data in everything people see (exports, reports, logs)."""

from __future__ import annotations


def mask_certno(certno: str | None) -> str:
    """ID numbers as 110101********1234: region code and last four only."""
    if not certno:
        return ""
    s = str(certno)
    if len(s) <= 10:
        return "*" * len(s)
    return s[:6] + "*" * (len(s) - 10) + s[-4:]


def mask_name(name: str | None) -> str:
    """Names as 张* (surname, one star per remaining character)."""
    if not name:
        return ""
    s = str(name)
    return s[0] + "*" * (len(s) - 1) if len(s) > 1 else "*"
