"""Core metadata of wheels kept between runs, keyed by the wheel's published sha256.

A release's files never change (an index may not replace a file under the same name), so the
METADATA of the wheel whose sha256 the index publishes is the same on every run: a warm
resolution reads it here instead of fetching the PEP 658 file again or opening and re-hashing a
cached wheel (uv keeps the same in its metadata cache). The key is the wheel's hash, never its
URL, so no credential or signed query string ends up in the cache; the value is what was
received or read (bounded as when it was fetched). Whoever uses an entry for an install still
checks it against the wheel's own METADATA (see install/store/agreement.py).

Layout: ``<cache>/metadata-v1/<aa>/<sha256>``; written under a temporary name and renamed, so a
crash never leaves half an entry under a valid key.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

_SHA256 = re.compile(r"[0-9a-f]{64}")


class MetadataCache:
    def __init__(self, root: Path) -> None:
        self.dir = root / "metadata-v1"

    def _path(self, sha256: str) -> Path | None:
        if _SHA256.fullmatch(sha256) is None:
            return None
        return self.dir / sha256[:2] / sha256

    def get(self, sha256: str) -> bytes | None:
        path = self._path(sha256)
        if path is None:
            return None
        try:
            return path.read_bytes()
        except OSError:
            return None

    def put(self, sha256: str, data: bytes) -> None:
        """Best effort: a cache that cannot be written costs a fetch next time, nothing more."""
        path = self._path(sha256)
        if path is None:
            return
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                os.replace(tmp, path)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
        except OSError:
            return
