"""The files of one index page as rows, made into Links only when read (see Listing)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

from pipkey.index.models import DistFile, Link, Row


def row_of(link: Link) -> Row:
    return (
        link.url, link.filename, link.hashes, link.requires_python, link.yanked,
        link.metadata, link.origin, link.upload_time,
    )  # fmt: skip


class Listing(Sequence[Link]):
    """The files of one index page, kept as rows: each becomes a Link when it is asked for.

    A resolution reads every file name of a page but looks closely at a few files: jupyterlab's
    91 pages list 29,657 files, of which about 90 are chosen and a few thousand considered.
    Immutable and thread-safe (two threads making the same Link make equal ones; one is kept).
    """

    __slots__ = ("_links", "rows")

    def __init__(self, rows: tuple[Row, ...], links: list[Link | None] | None = None) -> None:
        self.rows = rows
        self._links = links

    @staticmethod
    def of(links: Sequence[Link]) -> Listing:
        return Listing(tuple(row_of(link) for link in links), list(links))

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, i: int) -> Link: ...
    @overload
    def __getitem__(self, i: slice) -> list[Link]: ...
    def __getitem__(self, i: int | slice) -> Link | list[Link]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self.rows)))]
        made = self._links
        if made is None:
            made = self._links = [None] * len(self.rows)
        link = made[i]
        if link is None:
            link = made[i] = Link.listed(*self.rows[i])
        return link

    def __iter__(self) -> Iterator[Link]:
        for i in range(len(self.rows)):
            yield self[i]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Listing):
            return self.rows == other.rows
        if isinstance(other, (tuple, list)):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.rows)

    def __repr__(self) -> str:
        return f"Listing({len(self.rows)} files)"

    def urls(self) -> Iterator[str]:
        return (row[0] for row in self.rows)

    def dists(self) -> Iterator[DistFile]:
        """Each row whose file name is a wheel's or an sdist's, as a DistFile whose Link is
        made only when someone reads ``.link``."""
        made = self._links
        for i, row in enumerate(self.rows):
            dist = DistFile.from_row(row, made[i] if made is not None else None)
            if dist is not None:
                yield dist
