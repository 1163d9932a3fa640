"""Index pages parsed once per content: a page whose body is byte for byte the one parsed last
time is read back as rows instead of being parsed again.

Reading jupyterlab's 91 PyPI pages (12.8 MB of JSON, 29,657 files) cost ~0.2 s of CPU per run
in ``json.loads`` and the per-file checks, on every run: this machine's registry sends no
validators, so each page comes again whole, and even a page answered ``304`` (or still fresh)
from the page cache was parsed again. uv keeps its parsed Simple API answers in its cache the
same way (zero-copy archives next to the HTTP cache policy); here the rows are kept with
``marshal`` (the format of ``.pyc`` files: strings, tuples and None only), about 5x faster to
read back than the JSON they came from.

An entry is used only for the exact answer it was made from: its header holds a BLAKE2b digest
of (content type, final URL, body), compared with the digest of the body just received, and a
digest of the stored rows, checked before they are read (a torn or corrupted file is parsed
afresh, never half used). One entry per page URL, overwritten when the page changes, so the
bucket stays the size of the pages in use.

No secret is ever written, by the page cache's rules (page_cache.storable_page): no query string
or user info in the page's or any file's URL, no password or token of this run in the body; the
key is a sha256 of the URL without its password.

Layout: ``<cache>/parsed-v1/<aa>/<sha256>`` — one JSON line (the digests), then the rows.
"""

from __future__ import annotations

import hashlib
import json
import marshal
from collections.abc import Callable
from pathlib import Path

from pipkey.index.listing import Listing
from pipkey.index.page_cache import entry_path, storable_page, write_entry

DIRECTORY = "parsed-v1"
_FORMAT = 1
_ROW_FIELDS = 8


class ParsedPages:
    def __init__(self, root: Path, *, secrets: Callable[[], set[str]] = set) -> None:
        self.dir = root / DIRECTORY
        self._secrets = secrets

    def load(self, url: str, body: bytes, content_type: str, base: str) -> Listing | None:
        """The rows parsed from this very answer before, or None."""
        try:
            with open(entry_path(self.dir, url, _FORMAT), "rb") as fh:
                head = json.loads(fh.readline())
                if head.get("body") != _digest(body, content_type, base):
                    return None
                blob = fh.read()
        except (OSError, ValueError, AttributeError):
            return None
        if head.get("rows") != hashlib.blake2b(blob, digest_size=16).hexdigest():
            return None
        try:
            rows = marshal.loads(blob)
        except (EOFError, ValueError, TypeError):
            return None
        if type(rows) is not tuple or any(
            type(r) is not tuple or len(r) != _ROW_FIELDS for r in rows
        ):
            return None
        return Listing(rows)

    def store(self, url: str, body: bytes, content_type: str, base: str, page: Listing) -> None:
        """Keep the rows of a page just parsed, when that is safe (see the module docstring)."""
        if not storable_page(url, base, page.urls(), body, self._secrets):
            return
        blob = marshal.dumps(page.rows)
        head = {
            "format": _FORMAT,
            "body": _digest(body, content_type, base),
            "rows": hashlib.blake2b(blob, digest_size=16).hexdigest(),
        }
        write_entry(entry_path(self.dir, url, _FORMAT), head, blob)


def _digest(body: bytes, content_type: str, base: str) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{_FORMAT}\0{content_type}\0{base}\0".encode())
    h.update(body)
    return h.hexdigest()
