"""One wording for counts in every message: "1 package", "5 packages" — never "package(s)".

A leaf module (no imports): every layer may use it.
"""

from __future__ import annotations

_IRREGULAR = {"entry": "entries", "index": "indexes"}


def count(number: int, noun: str) -> str:
    """``count(1, "package")`` → "1 package"; ``count(5, "package")`` → "5 packages"."""
    if number == 1:
        return f"{number} {noun}"
    return f"{number} {_IRREGULAR.get(noun, noun + 's')}"
