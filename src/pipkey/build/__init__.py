"""Building wheels from source (PEP 517/660), between the index and the resolver."""

from pipkey.build.builder import Builder, InstallRequirements
from pipkey.build.errors import BuildCycle, BuildError

__all__ = ["BuildCycle", "BuildError", "Builder", "InstallRequirements"]
