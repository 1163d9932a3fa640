"""A TOML config file that can say on which line a key stands.

tomllib returns plain dicts without positions, so errors about a *value* (unknown key, bad URL)
would lose the line. A small scan of the text maps each table header and ``key =`` line to its
dotted path; that is enough for config files people write by hand.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipkey.config.errors import ConfigError

Key = str | int
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = r"(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')"
_ASSIGN = re.compile(rf"^\s*({_KEY}(?:\s*\.\s*{_KEY})*)\s*=")
_DECODE_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def _split_dotted(dotted: str) -> tuple[str, ...]:
    parts = re.finditer(r"\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_-]+)", dotted)
    return tuple(match.group(match.lastindex or 0) for match in parts)


def _index_lines(text: str) -> dict[tuple[Key, ...], int]:
    lines: dict[tuple[Key, ...], int] = {}
    table: tuple[Key, ...] = ()
    array_counts: dict[tuple[Key, ...], int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            path: tuple[Key, ...] = _split_dotted(header.group(2))
            if header.group(1) == "[[":
                count = array_counts.get(path, 0)
                array_counts[path] = count + 1
                path = (*path, count)
            table = path
            lines.setdefault(table, number)
            continue
        assign = _ASSIGN.match(line)
        if assign:
            lines.setdefault((*table, *_split_dotted(assign.group(1))), number)
    return lines


@dataclass(frozen=True)
class TomlDocument:
    path: Path
    data: dict[str, Any]
    text: str = field(repr=False)
    _lines: dict[tuple[Key, ...], int] = field(repr=False, compare=False)

    @classmethod
    def read(cls, path: Path) -> TomlDocument:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read config file: {exc}") from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            message = str(exc)
            position = _DECODE_POSITION.search(message)
            where = f"{path}:{position.group(1)}" if position else str(path)
            reason = _DECODE_POSITION.sub("", message).strip()
            column = f" (column {position.group(2)})" if position else ""
            raise ConfigError(f"{where}: invalid TOML: {reason}{column}") from None
        return cls(path, data, text, _index_lines(text))

    def line_of(self, path: Sequence[Key]) -> int | None:
        """The line of ``path`` (a table, array entry or key), else of its nearest parent."""
        key = tuple(path)
        while key:
            if key in self._lines:
                return self._lines[key]
            key = key[:-1]
        return None

    def where(self, path: Sequence[Key]) -> str:
        line = self.line_of(path)
        return f"{self.path}:{line}" if line else str(self.path)
