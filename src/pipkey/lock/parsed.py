"""A big lock's TOML parsed once per content: tomllib takes ~0.1 s for flask's 300 KB uv.lock
(on every warm ``sync``), reading the same tables back from JSON ~2 ms.

Entries are keyed by the SHA-256 of the lock's text, so an edited lock is parsed afresh, and live
in pipkey's cache directory next to the wheels (trusted as they are). A lock with a credential
in a URL is never stored: secrets stay out of cache files.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any

_USERINFO = re.compile(r"://[^/\s\"']*@")
DIRECTORY = "locks-v1"


def load_toml(text: str, cache_dir: Path | None) -> dict[str, Any]:
    """``tomllib.loads(text)``, from the cache when this exact text was parsed before. Raises
    ``tomllib.TOMLDecodeError`` as tomllib does."""
    if cache_dir is None or _USERINFO.search(text):
        return tomllib.loads(text)
    entry = cache_dir / DIRECTORY / f"{hashlib.sha256(text.encode()).hexdigest()}.json"
    try:
        data = json.loads(entry.read_bytes())
        if isinstance(data, dict):
            return data
    except (OSError, ValueError):
        pass
    data = tomllib.loads(text)
    _store(entry, data)
    return data


def _store(entry: Path, data: dict[str, Any]) -> None:
    try:
        body = json.dumps(data, separators=(",", ":")).encode()
    except (TypeError, ValueError):  # a TOML date or time: JSON has none, parse each time
        return
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(body)
            os.replace(tmp, entry)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass  # a read-only or full cache: parsing again next time is all it costs
