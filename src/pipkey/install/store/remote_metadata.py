"""A wheel's METADATA without downloading the wheel: the index's PEP 658 file, checked against
its published hash, or the remote zip read in HTTP ranges (see ``index/remote_wheel.py``).
Either way the wheel's own METADATA is compared with it at install (``agreement.py``)."""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass

from pipkey.index.client import IndexClient
from pipkey.index.models import Link
from pipkey.index.remote_wheel import BLOCK, NoRanges, RangeSupport, RemoteZip
from pipkey.resolve.errors import MetadataError
from pipkey.resolve.metadata import read_wheel_metadata

log = logging.getLogger("pipkey.cache")


def pep658_metadata(client: IndexClient, link: Link) -> bytes:
    from pipkey.net.limits import METADATA_LIMIT

    data = client.get_bytes(link.metadata_url, max_bytes=METADATA_LIMIT)
    for algo, expected in link.metadata or ():
        if (
            algo in ("sha256", "sha384", "sha512")
            and hashlib.new(algo, data).hexdigest() != expected
        ):
            raise MetadataError(f"metadata of {link.filename} does not match its published hash")
    return data


@dataclass(frozen=True)
class Ranged:
    metadata: bytes
    whole: bytes | None  # all of a small wheel, when the range request brought it whole


def ranged_metadata(client: IndexClient, link: Link, ranges: RangeSupport) -> Ranged | None:
    """None: read the wheel downloaded whole instead (no ranges here, or an odd answer — the
    host is then not asked for ranges again this run)."""
    try:
        raw = RemoteZip(client, link.url)
        data = read_wheel_metadata(io.BufferedReader(raw, buffer_size=BLOCK), link.filename)
    except (NoRanges, MetadataError, OSError) as exc:
        log.info("range requests on %s: %s; downloading it whole", link.filename, exc)
        if isinstance(exc, NoRanges):
            ranges.refused(link.url)
        return None
    return Ranged(data, raw.whole)
