"""Where a ``keyring`` executable may live, and where pipkey looked for it.

Inside Docker, ``uv tool install keyring`` puts the executable in a tool bin directory that is
often not on PATH; pip and uv then fail silently. pipkey also looks in those directories and,
when nothing is found, names every place it searched.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Discovery:
    path: str | None
    how: str  # "configured", "PATH", "UV_TOOL_BIN_DIR", "PIPX_BIN_DIR", "~/.local/bin" …
    searched: tuple[str, ...]

    @property
    def on_path(self) -> bool:
        return self.how == "PATH"


def tool_bin_dirs(environ: Mapping[str, str]) -> list[tuple[str, str]]:
    """Bin directories of ``uv tool`` and pipx, in the order they are searched."""
    home = environ.get("HOME") or str(Path.home())
    dirs: list[tuple[str, str]] = []
    for var in ("UV_TOOL_BIN_DIR", "PIPX_BIN_DIR", "XDG_BIN_HOME"):
        if environ.get(var):
            dirs.append((var, environ[var]))
    dirs.append(("~/.local/bin", os.path.join(home, ".local", "bin")))
    return dirs


def find_keyring(configured: str | None, environ: Mapping[str, str]) -> Discovery:
    searched: list[str] = []
    if configured:
        searched.append(f"configured path {configured}")
        if os.path.isfile(configured) and os.access(configured, os.X_OK):
            return Discovery(configured, "configured", tuple(searched))
        resolved = shutil.which(configured, path=environ.get("PATH", ""))
        if resolved:
            return Discovery(resolved, "configured", tuple(searched))
        return Discovery(None, "configured", tuple(searched))
    path_env = environ.get("PATH", "")
    searched.append("PATH")
    found = shutil.which("keyring", path=path_env)
    if found:
        return Discovery(found, "PATH", tuple(searched))
    for label, directory in tool_bin_dirs(environ):
        searched.append(f"{label} ({directory})")
        candidate = os.path.join(directory, "keyring")
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return Discovery(candidate, label, tuple(searched))
    return Discovery(None, "", tuple(searched))
