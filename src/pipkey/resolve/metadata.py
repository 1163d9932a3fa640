"""Core metadata (the METADATA file) as the resolver needs it: dependencies and Requires-Python."""

from __future__ import annotations

import functools
import re
import zipfile
import zlib
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import compat32
from pathlib import Path
from typing import IO

from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from pipkey.resolve.errors import MetadataError


@dataclass(frozen=True)
class CoreMetadata:
    name: str
    version: Version
    requires_dist: tuple[str, ...]
    requires_python: str | None
    provides_extra: tuple[str, ...]

    @staticmethod
    def parse(data: bytes, where: str) -> CoreMetadata:
        """Parsed once per METADATA (a universal lock asks for one release's dependencies
        in every environment, and resolvelib again on each visit); only the headers are
        read — the long description after the first blank line is no header."""
        known = _PARSED.get(data)
        if known is None:
            known = _parse(data, where)
            if len(_PARSED) >= _KEEP:
                _PARSED.clear()
            _PARSED[data] = known
        return known


_KEEP = 8192
_PARSED: dict[bytes, CoreMetadata] = {}
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")


def _parse(data: bytes, where: str) -> CoreMetadata:
    end = _BLANK_LINE.search(data)
    msg = BytesParser(policy=compat32).parsebytes(data[: end.end()] if end else data)
    name, raw_version = msg.get("Name"), msg.get("Version")
    if not name or not raw_version:
        raise MetadataError(f"metadata of {where} has no Name or Version")
    try:
        version = Version(str(raw_version))
    except InvalidVersion:
        raise MetadataError(f"metadata of {where} has invalid version {raw_version!r}") from None
    return CoreMetadata(
        name=str(name),
        version=version,
        requires_dist=tuple(str(v) for v in msg.get_all("Requires-Dist") or ()),
        requires_python=str(msg["Requires-Python"]) if msg.get("Requires-Python") else None,
        provides_extra=tuple(
            canonicalize_name(str(v)) for v in msg.get_all("Provides-Extra") or ()
        ),
    )


def read_wheel_metadata(wheel: Path | IO[bytes], filename: str | None = None) -> bytes:
    """METADATA from the wheel's ``*.dist-info`` directory (the one matching its file name):
    a wheel file, or any seekable file object (a remote wheel read in ranges)."""
    from pipkey.net.limits import METADATA_LIMIT

    name = filename or (wheel.name if isinstance(wheel, Path) else "the wheel")
    try:
        with zipfile.ZipFile(wheel) as zf:
            names = [
                n for n in zf.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")
            ]
            if len(names) != 1:
                raise MetadataError(f"{name} has {len(names)} .dist-info/METADATA files")
            if zf.getinfo(names[0]).file_size > METADATA_LIMIT:
                raise MetadataError(f"{name}: its METADATA is larger than {METADATA_LIMIT} bytes")
            return zf.read(names[0])
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise MetadataError(f"{name} is not a valid wheel: {exc}") from None


def dependencies(
    requires: tuple[str, ...], markers: dict[str, str], extras: frozenset[str], where: str
) -> list[Requirement]:
    """Requires-Dist lines that apply to this environment; with ``extras``, only extra ones.

    Each line is parsed, and each marker evaluated for an environment, once per run."""
    env = tuple(sorted(markers.items()))
    out: list[Requirement] = []
    for line in requires:
        try:
            req = _requirement(line)
        except InvalidRequirement as exc:
            raise MetadataError(f"{where} has an invalid requirement {line!r}: {exc}") from None
        if (req.marker is None and not extras) or _applies_in(line, env, extras):
            out.append(req)
    return out


@functools.lru_cache(maxsize=1 << 14)
def _requirement(line: str) -> Requirement:
    return Requirement(line)  # never changed by its users


@functools.lru_cache(maxsize=1 << 16)
def _applies_in(line: str, env: tuple[tuple[str, str], ...], extras: frozenset[str]) -> bool:
    return _applies(_requirement(line).marker, dict(env), extras)


def _applies(marker: Marker | None, markers: dict[str, str], extras: frozenset[str]) -> bool:
    if not extras:
        return marker is None or marker.evaluate({**markers, "extra": ""})
    if marker is None:
        return False
    no_extra = marker.evaluate({**markers, "extra": ""})
    return not no_extra and any(marker.evaluate({**markers, "extra": e}) for e in extras)
