"""Checks and conversions for configured values, each failing with where the value came from.

``where`` is always the provenance string of the value (``/p/pyproject.toml:12``,
``env UV_INDEX_URL``, ``flag --index-url``) so that every error points at the line to fix.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from pipkey.auth.redact import redact_url
from pipkey.config.errors import ConfigError

T = TypeVar("T", bound=str)

_TRUE = frozenset({"1", "true", "yes", "on", "y", "t"})
_FALSE = frozenset({"0", "false", "no", "off", "n", "f", ""})
_USERINFO = re.compile(r"([^/:@\s]*):(?!\*{4}@)[^@/\s]*@")
_INDEX_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class Sourced:
    """A configured value and where it came from."""

    value: Any
    origin: str


def fail(where: str, key: str, problem: str) -> ConfigError:
    return ConfigError(f"{where}: {key}: {problem}")


def user_path(value: str, *, where: str, key: str) -> Path:
    """``~`` and ``~user`` expanded; an unknown user is a config error, not a traceback."""
    try:
        return Path(value).expanduser()
    except RuntimeError:
        raise fail(where, key, f"{value!r}: cannot expand '~' (no such user or no home)") from None


def choice(value: object, allowed: Sequence[T], *, where: str, key: str) -> T:
    for option in allowed:
        if value == option:
            return option
    raise fail(where, key, f"{value!r} is not allowed; allowed values: {', '.join(allowed)}")


def boolean(value: object, *, where: str, key: str) -> bool:
    """TOML booleans as they are; strings the way pip and uv read their env vars."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise fail(where, key, f"{value!r} is not a boolean; allowed values: true, false (or 1, 0)")


def seconds(value: object, *, where: str, key: str) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = -1.0
    if isinstance(value, bool) or not number > 0:
        raise fail(where, key, f"{value!r} is not a positive number of seconds")
    return number


def count(value: object, *, where: str, key: str) -> int:
    """A non-negative whole number (``retries``)."""
    if isinstance(value, bool):
        raise fail(where, key, f"{value!r} is not a whole number")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise fail(where, key, f"{value!r} is not a whole number") from None
    if number < 0:
        raise fail(where, key, f"{value!r} must be 0 or more")
    return number


def host(value: str, *, where: str, key: str) -> str:
    """``host`` or ``host:port`` as ``--trusted-host`` takes it (a URL is reduced to that)."""
    entry = value.strip()
    if "://" in entry:
        entry = urlsplit(entry).netloc.rpartition("@")[2]
    if not entry or "/" in entry or "@" in entry:
        raise fail(where, key, f"{value!r} is not a host name (host or host:port)")
    return entry.lower()


def text(value: object, *, where: str, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise fail(where, key, f"{value!r} is not a non-empty string")
    return value.strip()


def text_list(value: object, *, where: str, key: str) -> list[str]:
    """A TOML string or array of strings (uv and pipkey files accept both)."""
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [item.strip() for item in value if item.strip()]
    raise fail(where, key, f"{value!r} is not a list of strings")


def index_url(value: object, *, where: str, key: str) -> str:
    """An index URL: ``http(s)://host/…`` or ``file://…``; anything else is a typo."""
    url = text(value, where=where, key=key)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        parts = None
    if parts is not None and (
        (parts.scheme in ("http", "https") and parts.hostname)
        or (parts.scheme == "file" and parts.path)
    ):
        return url
    raise fail(
        where,
        key,
        f"{_masked(url)!r} is not a valid index URL "
        "(expected http://HOST/…, https://HOST/… or file:///PATH)",
    )


def _masked(url: str) -> str:
    """redact_url, plus masking for text too broken to parse as a URL (``htps//u:pw@h``)."""
    return _USERINFO.sub(r"\1:****@", redact_url(url))


def find_link(value: str, *, where: str, key: str, base: Path | None) -> str:
    """A find-links location: a URL (checked like an index URL) or a local path.

    Relative paths in a config file are resolved against that file's directory, so the file
    means the same thing whatever the working directory is.
    """
    if "://" in value:
        return index_url(value, where=where, key=key)
    path = user_path(value, where=where, key=key)
    if base is not None and not path.is_absolute():
        path = base / path
    return str(path)


def index_name(value: object, *, where: str, key: str) -> str:
    name = text(value, where=where, key=key)
    if not _INDEX_NAME.match(name):
        raise fail(
            where,
            key,
            f"{name!r} is not a valid index name (letters, digits, '-', '_' and '.' only)",
        )
    return name


def is_index_name(value: str) -> bool:
    return bool(_INDEX_NAME.match(value))


def env_name(index: str) -> str:
    """The env var infix for an index name, as uv derives it: ``my-index`` → ``MY_INDEX``."""
    return re.sub(r"[^A-Z0-9]", "_", index.upper())
