"""What a source tree says about how to build it: ``[build-system]`` of pyproject.toml, or the
setuptools legacy backend when there is none (as pip and uv do), and its static name."""

from __future__ import annotations

import configparser
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pipkey.build.errors import BuildError

LEGACY_BACKEND = "setuptools.build_meta:__legacy__"
LEGACY_REQUIRES = ("setuptools>=40.8.0",)


@dataclass(frozen=True)
class BuildSystem:
    requires: tuple[str, ...]
    backend: str
    backend_path: tuple[str, ...] = ()


def build_system(source: Path) -> BuildSystem:
    pyproject = source / "pyproject.toml"
    if not pyproject.is_file():
        if not (source / "setup.py").is_file() and not (source / "setup.cfg").is_file():
            raise BuildError(f"{source} is not a Python project (no pyproject.toml or setup.py)")
        return BuildSystem(LEGACY_REQUIRES, LEGACY_BACKEND)
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise BuildError(f"{pyproject}: cannot read it: {exc}") from None
    table = data.get("build-system")
    if not isinstance(table, dict):
        return BuildSystem(LEGACY_REQUIRES, LEGACY_BACKEND)
    requires = table.get("requires")
    if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
        raise BuildError(f"{pyproject}: build-system.requires must be a list of strings")
    backend = table.get("build-backend") or LEGACY_BACKEND
    return BuildSystem(tuple(requires), str(backend), tuple(table.get("backend-path", [])))


def static_name(source: Path) -> str | None:
    """The project's name when it is written down (pyproject ``[project]`` or setup.cfg)."""
    pyproject = source / "pyproject.toml"
    if pyproject.is_file():
        try:
            name = (
                tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {}).get("name")
            )
        except (OSError, tomllib.TOMLDecodeError):
            name = None
        if isinstance(name, str):
            return name
    setup_cfg = source / "setup.cfg"
    if setup_cfg.is_file():
        parser = configparser.ConfigParser()
        try:
            parser.read(setup_cfg, encoding="utf-8")
            return parser.get("metadata", "name", fallback=None)
        except configparser.Error:
            return None
    return None
