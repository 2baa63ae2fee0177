"""Form text to API values: comma-separated lists, optional numbers."""

from __future__ import annotations

import re

SEPARATORS = re.compile(r"[,，、;\n]+")


def split_list(text: str) -> list[str]:
    """``"数控编程，焊接, CNC"`` → ``["数控编程", "焊接", "CNC"]`` (Chinese and Latin commas)."""
    return [item.strip() for item in SEPARATORS.split(text) if item.strip()]


def joined(items: list[str]) -> str:
    return "，".join(items)


def optional_int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None
