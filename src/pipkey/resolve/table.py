"""One project's files as the resolver sees them: usable wheels by version (best-ranked file
first), sdists, and what was left out and why (kept for error messages)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from packaging.version import Version

from pipkey.index.finder import Found
from pipkey.index.models import DistFile
from pipkey.index.target import Target
from pipkey.resolve.choice import uploaded_after


@dataclass
class Table:
    """Usable wheels of one project by version (best-ranked file first), and what was skipped."""

    found: Found
    wheels: dict[Version, list[DistFile]] = field(default_factory=dict)
    sdists: dict[Version, DistFile] = field(default_factory=dict)
    # (version, why its file was left out): error messages name only versions that matter
    skipped: list[tuple[Version, str]] = field(default_factory=list)


def build_table(found: Found, target: Target, cutoff: datetime | None) -> Table:
    """``cutoff`` (``--exclude-newer``): a file uploaded later is left out, and so is one whose
    index gives no upload time (PEP 700) — uv's rule: a date-bounded resolution must not
    depend on what an index forgot to say."""
    table = Table(found)
    for dist in found.files:
        if cutoff is not None and uploaded_after(dist.link.upload_time, cutoff) is not False:
            newer = uploaded_after(dist.link.upload_time, cutoff)
            why = "was uploaded after" if newer else "has no upload time (PEP 700) to compare with"
            table.skipped.append(
                (
                    dist.version,
                    f"{dist.link.filename} {why} --exclude-newer {cutoff:%Y-%m-%dT%H:%M:%SZ}",
                )
            )
            continue
        if not dist.link.python_ok(target.python_version):
            table.skipped.append(
                (dist.version, f"{dist.link.filename} requires Python {dist.link.requires_python}")
            )
            continue
        if dist.kind == "sdist":
            table.sdists.setdefault(dist.version, dist)
            continue
        if target.wheel_rank(dist.tags) is None:
            table.skipped.append(
                (dist.version, f"{dist.link.filename} is not compatible with the target")
            )
            continue
        table.wheels.setdefault(dist.version, []).append(dist)
    for files in table.wheels.values():
        files.sort(key=lambda d: (d.link.is_yanked, target.wheel_rank(d.tags) or 0))
    return table
