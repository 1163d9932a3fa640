"""``url2pathname`` for file: URLs without importing ``urllib.request``, which loads http.client,
ssl and email (~10 ms) into every command that reads a lock or an environment."""

from __future__ import annotations

import os
import sys
from urllib.parse import unquote

if os.name == "nt":  # what urllib.request itself uses there
    from nturl2path import url2pathname as url2pathname
else:

    def url2pathname(pathname: str) -> str:
        """As ``urllib.request.url2pathname`` on POSIX (3.13's, which also skips an empty or
        ``localhost`` authority)."""
        if pathname[:3] == "///":
            pathname = pathname[2:]
        elif pathname[:12] == "//localhost/":
            pathname = pathname[11:]
        return unquote(
            pathname, encoding=sys.getfilesystemencoding(), errors=sys.getfilesystemencodeerrors()
        )


__all__ = ["url2pathname"]
