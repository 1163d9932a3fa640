"""One project's files as the resolver sees them: usable wheels by version (best-ranked file
first), sdists, and what was left out and why (kept for error messages)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from packaging.version import Version

from pipkey.index.finder import Found
from pipkey.index.models import DistFile, requires_python_ok
from pipkey.index.target import Target
from pipkey.resolve.choice import uploaded_after


@dataclass
class Table:
    """Usable wheels of one project by version (best-ranked file first), and what was skipped."""

    found: Found
    wheels: dict[Version, list[DistFile]] = field(default_factory=dict)
    sdists: dict[Version, DistFile] = field(default_factory=dict)
    # (version, file, why) of the files left out: worded only when an error message needs them
    left_out: list[tuple[Version, DistFile, str]] = field(default_factory=list)

    @property
    def skipped(self) -> list[tuple[Version, str]]:
        """(version, why its file was left out): error messages name only versions that
        matter. A big page leaves out thousands of files (other platforms): words for each
        cost more than the rest of reading the page, and are rarely read."""
        return [(version, f"{dist.filename} {why}") for version, dist, why in self.left_out]


def build_table(found: Found, target: Target, cutoff: datetime | None) -> Table:
    """``cutoff`` (``--exclude-newer``): a file uploaded later is left out, and so is one whose
    index gives no upload time (PEP 700) — uv's rule: a date-bounded resolution must not
    depend on what an index forgot to say."""
    table = Table(found)
    python = str(target.python_version)
    wheels, sdists, left_out = table.wheels, table.sdists, table.left_out
    for dist in found.files:  # read without making each file's Link (see models.Listing)
        if cutoff is not None and uploaded_after(dist.upload_time, cutoff) is not False:
            newer = uploaded_after(dist.upload_time, cutoff)
            why = "was uploaded after" if newer else "has no upload time (PEP 700) to compare with"
            left_out.append(
                (dist.version, dist, f"{why} --exclude-newer {cutoff:%Y-%m-%dT%H:%M:%SZ}")
            )
            continue
        requires = dist.requires_python
        if requires and not requires_python_ok(requires, python):
            left_out.append((dist.version, dist, f"requires Python {requires}"))
            continue
        if dist.kind == "sdist":
            sdists.setdefault(dist.version, dist)
            continue
        if target.wheel_rank(dist.tags) is None:
            left_out.append((dist.version, dist, "is not compatible with the target"))
            continue
        wheels.setdefault(dist.version, []).append(dist)
    for files in wheels.values():
        if len(files) > 1:
            files.sort(key=lambda d: (d.is_yanked, target.wheel_rank(d.tags) or 0))
    return table
