"""The journal stores paths relative to the environment; the fast string form must give the
pathlib answers exactly (the journal decides what a repair deletes or moves)."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest

from pipkey.install.commit.journal_file import OutsideEnvironment, _relative

BASE = Path("/envs/venv")
ROOTS = frozenset({Path("/usr/lib/python3/dist-packages")})


def by_pathlib(base: Path, path: Path) -> str:
    normal = Path(os.path.normpath(path))
    assert normal == base or base in normal.parents
    return PurePosixPath(normal.relative_to(base)).as_posix()


@pytest.mark.parametrize(
    "path",
    ["/envs/venv", "/envs/venv/bin/x", "/envs/venv/lib/python3.11/site-packages/a/b.py",
     "/envs/venv//lib/./x", "/envs/venv/lib/../bin/y"],
)  # fmt: skip
def test_paths_inside_are_stored_relative_as_pathlib_would(path: str) -> None:
    assert _relative(BASE, ROOTS, Path(path)) == by_pathlib(BASE, Path(path))


@pytest.mark.parametrize(
    "path", ["/envs/venv2/x", "/envs/venvx", "/envs", "/envs/venv/../other/x", "/etc/passwd"]
)
def test_a_path_outside_is_refused_even_when_it_shares_a_prefix(path: str) -> None:
    with pytest.raises(OutsideEnvironment):
        _relative(BASE, ROOTS, Path(path))


def test_a_scheme_root_outside_the_environment_is_stored_absolute() -> None:
    inside_root = Path("/usr/lib/python3/dist-packages/pkg/__init__.py")
    assert _relative(BASE, ROOTS, inside_root) == str(inside_root)


def test_the_file_system_root_as_environment() -> None:
    assert _relative(Path("/"), frozenset(), Path("/opt/x")) == "opt/x"
