"""Building wheels from source (PEP 517/660), between the index and the resolver."""

from typing import TYPE_CHECKING, Any

from pipkey.build.errors import BuildCycle, BuildError

if TYPE_CHECKING:
    from pipkey.build.builder import Builder, InstallRequirements


def __getattr__(name: str) -> Any:
    """The builder (and pyproject-hooks) loads on first use: reading a VCS URL from a lock or
    a receipt (``pipkey.build.vcs``) builds nothing."""
    if name in ("Builder", "InstallRequirements"):
        from pipkey.build import builder

        return getattr(builder, name)
    raise AttributeError(f"module 'pipkey.build' has no attribute {name!r}")


__all__ = ["BuildCycle", "BuildError", "Builder", "InstallRequirements"]
