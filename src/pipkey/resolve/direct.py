"""A candidate the user named by URL or path (``name @ URL``, a wheel file, ``-e DIR``)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future

from packaging.utils import canonicalize_name

from pipkey.index.models import DistFile, Link
from pipkey.index.target import Target
from pipkey.resolve.candidates import Candidate
from pipkey.resolve.errors import MetadataError, SourceBuildUnsupported
from pipkey.resolve.metadata import CoreMetadata
from pipkey.resolve.policy import Policy


def direct_candidate(
    link: Link, metadata: Callable[[Link], Future[bytes]], policy: Policy, target: Target
) -> Candidate:
    """A tree or VCS URL is known by its (built) metadata; a file by its name, refused when it
    cannot serve the target (no builds allowed, or a wheel for another interpreter)."""
    if link.is_directory or link.is_vcs:
        meta = CoreMetadata.parse(metadata(link).result(), link.filename)
        return Candidate(canonicalize_name(meta.name), meta.version, link, direct=True)
    dist = DistFile.parse(link)
    if dist is None:
        raise MetadataError(f"{link.filename} is not a wheel or source distribution file name")
    if dist.kind != "wheel":
        if not policy.builds:
            raise SourceBuildUnsupported(dist.name, str(dist.version))
        return Candidate(dist.name, dist.version, link, direct=True)
    if target.wheel_rank(dist.tags) is None:
        raise MetadataError(f"{link.filename} is not compatible with the target interpreter")
    return Candidate(dist.name, dist.version, link, direct=True)
