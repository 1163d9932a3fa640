"""Resolution failures, each explaining itself: where we looked, and who asked for what."""

from __future__ import annotations

from collections.abc import Sequence

from pipkey.auth.errors import PipkeyError


class NoMatchingDistribution(PipkeyError):
    """No usable file for a requirement; names every location asked and what it answered."""

    def __init__(self, requirement: str, answers: Sequence[str], skipped: Sequence[str]) -> None:
        lines = [f"no matching distribution for {requirement}"]
        if answers:
            lines.append("indexes asked:")
            lines.extend(f"  - {a}" for a in answers)
        else:
            lines.append("no index was asked (--no-index without --find-links?)")
        lines.extend(f"  note: {s}" for s in skipped)
        super().__init__("\n".join(lines))


class IndexLookupFailed(PipkeyError):
    """An index could not answer for a project, so the search stopped there (fail closed)."""

    def __init__(self, project: str, answers: Sequence[str]) -> None:
        lines = [f"could not look up {project}:"]
        lines.extend(f"  - {a}" for a in answers)
        super().__init__("\n".join(lines))
        self.hint = (
            "pipkey does not fall through to later indexes when one fails, so a same-named "
            "package elsewhere cannot be installed by mistake"
        )


class BinaryOnly(PipkeyError):
    """Only an sdist fits, and ``--only-binary`` forbids building it."""

    def __init__(self, project: str, version: str) -> None:
        super().__init__(
            f"{project} {version} has only a source distribution, and --only-binary forbids "
            "building it"
        )
        self.hint = "allow the build (drop --only-binary for it), or pin a version with a wheel"


class SourceBuildUnsupported(PipkeyError):
    def __init__(self, project: str, version: str) -> None:
        super().__init__(
            f"building from source is not supported yet: {project} {version} has no "
            "compatible wheel"
        )
        self.hint = "install a wheel for this platform, or pin a version that has one"


class ResolutionConflict(PipkeyError):
    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__("\n".join(lines))
        self.hint = "loosen one of the requirements above, or pin a version both accept"


class MetadataError(PipkeyError):
    """A file's metadata is missing, unreadable, or contradicts its file name."""
