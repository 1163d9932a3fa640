"""Where config files are: the project's (walking up from cwd) and the user's."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipkey.config.document import TomlDocument


@dataclass(frozen=True)
class Found:
    """A config table: the document and the path of the table inside it (``()`` = whole file)."""

    doc: TomlDocument
    table: tuple[str, ...]
    note: str | None = None


class DocumentCache:
    """Each file is read and parsed once per load, however many sources look at it."""

    def __init__(self) -> None:
        self._docs: dict[Path, TomlDocument] = {}

    def read(self, path: Path) -> TomlDocument:
        if path not in self._docs:
            self._docs[path] = TomlDocument.read(path)
        return self._docs[path]


def project_table(cwd: Path, tool: str, cache: DocumentCache) -> Found | None:
    """The nearest ``{tool}.toml``, or ``pyproject.toml`` with a ``[tool.{tool}]`` table.

    As uv does, a pyproject.toml without the tool's table does not stop the walk up, and the
    tool's own file wins over the pyproject table in the same directory.
    """
    for directory in (cwd, *cwd.parents):
        own = directory / f"{tool}.toml"
        pyproject = directory / "pyproject.toml"
        has_table = False
        if pyproject.is_file():
            tools = cache.read(pyproject).data.get("tool")
            has_table = isinstance(tools, dict) and tool in tools
        if own.is_file():
            note = (
                f"{own} and [tool.{tool}] in {pyproject} both exist; using {own}, "
                f"[tool.{tool}] is ignored"
                if has_table
                else None
            )
            return Found(cache.read(own), (), note)
        if has_table:
            return Found(cache.read(pyproject), ("tool", tool))
    return None


def user_config_home(environ: Mapping[str, str]) -> Path:
    if sys.platform.startswith(("win", "darwin")):
        import platformdirs  # only there: Linux's is computed here (18 ms of start-up)

        return Path(platformdirs.user_config_dir())
    home = environ.get("HOME") or str(Path.home())
    return Path(environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config"))


def pipkey_user_file(environ: Mapping[str, str]) -> Path:
    if sys.platform.startswith(("win", "darwin")):
        import platformdirs

        return Path(platformdirs.user_config_dir("pipkey")) / "pipkey.toml"
    return user_config_home(environ) / "pipkey" / "pipkey.toml"


def uv_user_file(environ: Mapping[str, str]) -> Path:
    return user_config_home(environ) / "uv" / "uv.toml"


def uv_system_file(environ: Mapping[str, str]) -> Path | None:
    """The first system uv.toml: each ``$XDG_CONFIG_DIRS`` entry, then ``/etc/uv/uv.toml``."""
    dirs = [d for d in (environ.get("XDG_CONFIG_DIRS") or "").split(os.pathsep) if d]
    for candidate in [*(Path(d) / "uv" / "uv.toml" for d in dirs), Path("/etc/uv/uv.toml")]:
        if candidate.is_file():
            return candidate
    return None
