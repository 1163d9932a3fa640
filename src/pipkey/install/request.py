"""What a command asks for (:class:`Request`) and how sources are built (:class:`BuildOptions`):
plain data the CLI fills in before anything heavy (HTTP, the resolver) is imported."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipkey.resolve.policy import Policy
from pipkey.resolve.reqfile import Line


@dataclass(frozen=True)
class BuildOptions:
    """``--no-build-isolation`` and ``--config-settings KEY=VALUE`` (pip and uv spelling)."""

    isolation: bool = True
    config_settings: Mapping[str, str | list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    """What to resolve: user inputs (specifiers, paths, URLs) and requirements-file lines."""

    inputs: Sequence[str] = ()
    lines: Sequence[Line] = ()
    editables: Sequence[str] = ()  # -e PATH
    policy: Policy = field(default_factory=Policy)
    require_hashes: bool = False
    build: BuildOptions = field(default_factory=BuildOptions)


LINK_MODES = ("hardlink", "copy", "symlink", "clone")


@dataclass(frozen=True)
class InstallOptions:
    """How an install is carried out once resolved (uv's and pip's flags of the same names)."""

    link_mode: str = "hardlink"  # --link-mode: from the unpacked cache into the environment
    compile_bytecode: bool = False  # --compile-bytecode: .pyc for what was installed
    exact: bool = False  # --exact: remove what the resolution does not include
    strict: bool = False  # --strict: fail when the environment is left inconsistent
    report: Path | None = None  # --report FILE ('-': stdout), pip's installation report
