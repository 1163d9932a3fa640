"""Core metadata (the METADATA file) as the resolver needs it: dependencies and Requires-Python."""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import compat32
from pathlib import Path

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
        msg = BytesParser(policy=compat32).parsebytes(data)
        name, raw_version = msg.get("Name"), msg.get("Version")
        if not name or not raw_version:
            raise MetadataError(f"metadata of {where} has no Name or Version")
        try:
            version = Version(str(raw_version))
        except InvalidVersion:
            raise MetadataError(
                f"metadata of {where} has invalid version {raw_version!r}"
            ) from None
        return CoreMetadata(
            name=str(name),
            version=version,
            requires_dist=tuple(str(v) for v in msg.get_all("Requires-Dist") or ()),
            requires_python=str(msg["Requires-Python"]) if msg.get("Requires-Python") else None,
            provides_extra=tuple(
                canonicalize_name(str(v)) for v in msg.get_all("Provides-Extra") or ()
            ),
        )


def read_wheel_metadata(path: Path) -> bytes:
    """METADATA from the wheel's ``*.dist-info`` directory (the one matching its file name)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = [
                n for n in zf.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")
            ]
            if len(names) != 1:
                raise MetadataError(f"{path.name} has {len(names)} .dist-info/METADATA files")
            return zf.read(names[0])
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise MetadataError(f"{path.name} is not a valid wheel: {exc}") from None


def dependencies(
    requires: tuple[str, ...], markers: dict[str, str], extras: frozenset[str], where: str
) -> list[Requirement]:
    """Requires-Dist lines that apply to this environment; with ``extras``, only extra ones."""
    out: list[Requirement] = []
    for line in requires:
        try:
            req = Requirement(line)
        except InvalidRequirement as exc:
            raise MetadataError(f"{where} has an invalid requirement {line!r}: {exc}") from None
        if _applies(req.marker, markers, extras):
            out.append(req)
    return out


def _applies(marker: Marker | None, markers: dict[str, str], extras: frozenset[str]) -> bool:
    if not extras:
        return marker is None or marker.evaluate({**markers, "extra": ""})
    if marker is None:
        return False
    no_extra = marker.evaluate({**markers, "extra": ""})
    return not no_extra and any(marker.evaluate({**markers, "extra": e}) for e in extras)
