"""Build failures a user can meet."""

from __future__ import annotations

from pipkey.auth.errors import PipkeyError


class BuildError(PipkeyError):
    hint = "nothing was installed; the build's own output is above (all of it with -v)"


class BuildCycle(BuildError):
    hint = "a build backend cannot be built from source by itself: provide a wheel for it"
