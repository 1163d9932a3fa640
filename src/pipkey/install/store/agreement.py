"""Does a wheel say what the resolver was told it says?

The resolver may decide from metadata that is not the wheel's own: the index's PEP 658 file
(``<wheel>.metadata``) or an sdist's ``PKG-INFO`` (Metadata 2.2+, PEP 643). A lying index, or a
build that does not do what its PKG-INFO promised, would then install a distribution whose name,
version or dependencies nobody resolved. pip compares them and stops; so does pipkey, once the
wheel is unpacked and before anything is installed.
"""

from __future__ import annotations

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from pipkey.auth.errors import PipkeyError
from pipkey.resolve.metadata import CoreMetadata


class MetadataMismatch(PipkeyError):
    hint = (
        "the index (or the sdist's PKG-INFO) describes this file differently from the file "
        "itself; nothing was installed — report it to the index's owner"
    )


def check_agreement(filename: str, used: bytes, actual: bytes, source: str) -> None:
    """``used``: the metadata resolution used (from ``source``); ``actual``: the wheel's own."""
    if used == actual:
        return
    told = CoreMetadata.parse(used, f"{filename} ({source})")
    real = CoreMetadata.parse(actual, filename)
    differences = []
    if canonicalize_name(told.name) != canonicalize_name(real.name):
        differences.append(f"name {told.name!r} vs {real.name!r}")
    if told.version != real.version:
        differences.append(f"version {told.version} vs {real.version}")
    if _requirements(told.requires_dist) != _requirements(real.requires_dist):
        differences.append(
            f"Requires-Dist {sorted(_requirements(told.requires_dist))} vs "
            f"{sorted(_requirements(real.requires_dist))}"
        )
    if differences:
        raise MetadataMismatch(
            f"{filename}: the {source} disagrees with the wheel's METADATA on "
            + "; ".join(differences)
        )


def _requirements(lines: tuple[str, ...]) -> set[str]:
    out = set()
    for line in lines:
        try:
            out.add(str(Requirement(line)))
        except InvalidRequirement:
            out.add(line.strip())
    return out
