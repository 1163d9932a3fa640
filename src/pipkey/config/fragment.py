"""What one configuration source says, and how sources combine.

A source (flags, one env-var family, one file) yields a :class:`Fragment` holding only the keys it
sets. Fragments combine in precedence order: for scalar keys the first source that sets a key wins;
for list keys (``index``, ``extra_index_url``, ``find_links``) either the first source that sets
the key wins (pip, and flags over env vars) or the lists are concatenated highest first (uv's rule
for project and user config files).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pipkey.config.values import Sourced

INDEX_LISTS = ("index", "extra_index_url")
LIST_KEYS = (*INDEX_LISTS, "find_links")


@dataclass
class Fragment:
    """Keys set by one source.

    ``scalars`` maps Settings field names (plus ``default_index``, holding an ``Index``) to their
    value; ``lists`` holds ``Index`` entries for ``index``/``extra_index_url`` and ``Sourced``
    paths/URLs for ``find_links``; ``pins`` maps a normalized package name to an index name;
    ``usernames`` maps an index's env-var infix (``MY_INDEX``) to a username from env vars.
    """

    scalars: dict[str, Sourced] = field(default_factory=dict)
    lists: dict[str, list[Any]] = field(default_factory=dict)
    pins: dict[str, Sourced] = field(default_factory=dict)
    usernames: dict[str, Sourced] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def sets_indexes(self) -> bool:
        return any(key in self.lists for key in INDEX_LISTS)


def layered(fragments: Iterable[Fragment], *, concat_lists: bool) -> Fragment:
    """Combine fragments given highest precedence first."""
    out = Fragment()
    for fragment in fragments:
        for key, value in fragment.scalars.items():
            out.scalars.setdefault(key, value)
        for key, items in fragment.lists.items():
            if key not in out.lists:
                out.lists[key] = list(items)
            elif concat_lists:
                out.lists[key].extend(items)
        for package, pin in fragment.pins.items():
            out.pins.setdefault(package, pin)
        for name, username in fragment.usernames.items():
            out.usernames.setdefault(name, username)
        out.files.extend(fragment.files)
        out.notes.extend(fragment.notes)
    return out
