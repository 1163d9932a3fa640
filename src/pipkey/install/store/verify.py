"""A file's hashes checked before it is used for anything: against what the index published
and, when a requirements file demands hashes, against those (any one of them)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pipkey.index.errors import HashMismatch
from pipkey.index.models import Link, file_hashes
from pipkey.install.store.stream import WheelStream


def verified_digests(
    link: Link, path: Path, required: Mapping[str, set[str]], stream: WheelStream | None = None
) -> dict[str, str]:
    """The file's digests, checked; sha256 as the stream saw the bytes it wrote, when the
    stream saw the whole file (it hashes on the way: no second read)."""
    published = link.hash_dict
    algos = tuple(sorted({"sha256", *published, *required}))
    seen = stream is not None and stream.started and stream.received == path.stat().st_size
    known = {"sha256": stream.sha256()} if stream is not None and seen else {}
    rest = tuple(a for a in algos if a not in known)
    got = {**known, **(file_hashes(str(path), rest) if rest else {})}
    for algo, value in published.items():
        if got[algo] != value:
            raise HashMismatch(link.filename, {algo: [value]}, got)
    if required and not any(got.get(a) in values for a, values in required.items()):
        raise HashMismatch(link.filename, {a: sorted(v) for a, v in required.items()}, got)
    return got
