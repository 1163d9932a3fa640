"""Which console-script launcher a target needs: ``installer``'s kinds — a ``#!`` script on
POSIX (Linux, macOS, the BSDs), an ``.exe`` launcher per Windows architecture.

Decided from the *target's* markers (the interpreter that will run the scripts), never from the
machine pipkey runs on: a ``--python`` of another platform, or a test, gets its own kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

from pipkey.auth.errors import PipkeyError

LauncherKind = Literal["posix", "win-ia32", "win-amd64", "win-arm64"]

_WINDOWS_MACHINES: dict[str, LauncherKind] = {
    "amd64": "win-amd64",
    "x86_64": "win-amd64",
    "arm64": "win-arm64",
    "aarch64": "win-arm64",
    "x86": "win-ia32",
    "i386": "win-ia32",
    "i686": "win-ia32",
}


class UnsupportedLauncher(PipkeyError):
    """A Windows architecture installer has no launcher for."""


_PLATFORM_TAGS: dict[str, LauncherKind] = {
    "win32": "win-ia32",
    "win_amd64": "win-amd64",
    "win_arm64": "win-arm64",
}


def launcher_kind(markers: Mapping[str, str], platforms: Iterable[str] = ()) -> LauncherKind:
    """``sys_platform`` win32 → the ``.exe`` launcher of the target's architecture; else POSIX.

    The interpreter's own platform tags (``win32``, ``win_amd64``, ``win_arm64``) decide first:
    a 32-bit Python on 64-bit Windows reports ``AMD64`` as ``platform_machine`` but needs the
    32-bit launcher. ``platform_machine`` is the fallback."""
    if markers.get("sys_platform") != "win32":
        return "posix"
    for platform in platforms:
        if platform in _PLATFORM_TAGS:
            return _PLATFORM_TAGS[platform]
    machine = markers.get("platform_machine", "").lower()
    try:
        return _WINDOWS_MACHINES[machine]
    except KeyError:
        raise UnsupportedLauncher(
            f"no console-script launcher for Windows on {machine!r}"
        ) from None
