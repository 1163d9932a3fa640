"""The cache key of a local project's build (uv's cache keys, content-hashed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pipkey.build.tree_key import interpreter_identity, tree_key

PY = interpreter_identity(sys.executable)


def project(root: Path, pyproject: str = '[project]\nname = "p"\nversion = "1"\n') -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(pyproject)
    (root / "p.py").write_text("X = 1\n")
    return root


def key(
    root: Path,
    *,
    editable: bool = True,
    config_settings: dict[str, str | list[str]] | None = None,
    environ: dict[str, str] | None = None,
) -> str:
    return tree_key(
        root, editable=editable, interpreter=PY, config_settings=config_settings, environ=environ
    )


def test_the_key_holds_while_the_default_key_files_are_unchanged(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    before = key(root)
    (root / "p.py").write_text("X = 2\n")  # code is not a default key (uv's defaults)
    (root / "pyproject.toml").touch()  # a touch alone: same content
    assert key(root) == before


def test_a_changed_pyproject_setup_cfg_or_setup_py_changes_the_key(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    keys = {key(root)}
    (root / "setup.cfg").write_text("[metadata]\n")
    keys.add(key(root))
    (root / "setup.py").write_text("import setuptools\n")
    keys.add(key(root))
    (root / "pyproject.toml").write_text('[project]\nname = "p"\nversion = "2"\n')
    keys.add(key(root))
    assert len(keys) == 4


def test_editable_path_settings_and_interpreter_are_part_of_the_key(tmp_path: Path) -> None:
    a, b = project(tmp_path / "a"), project(tmp_path / "b")
    base = key(a)
    assert key(b) != base
    assert key(a, editable=False) != base
    assert key(a, config_settings={"x": "1"}) != base
    assert tree_key(a, editable=True, interpreter="/other/python") != base


def test_tool_uv_cache_keys_replace_the_defaults(tmp_path: Path) -> None:
    """uv's ``cache-keys``: file globs, env vars and the git commit."""
    root = project(
        tmp_path / "p",
        '[project]\nname = "p"\nversion = "1"\n[tool.uv]\n'
        'cache-keys = [{ file = "*.py" }, { env = "FLAVOUR" }, { git = { commit = true } }]\n',
    )
    subprocess.run(["git", "init", "-q", str(root)], check=True)

    def commit() -> None:
        subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
        who = ["-c", "user.name=t", "-c", "user.email=t@example.invalid"]
        subprocess.run(["git", "-C", str(root), *who, "commit", "-qm", "c"], check=True)

    commit()
    first = key(root, environ={"FLAVOUR": "a"})
    assert key(root, environ={"FLAVOUR": "b"}) != first
    (root / "p.py").write_text("X = 3\n")
    edited = key(root, environ={"FLAVOUR": "a"})
    assert edited != first
    commit()
    assert key(root, environ={"FLAVOUR": "a"}) != edited


def test_the_key_reveals_no_path_or_value(tmp_path: Path) -> None:
    root = project(tmp_path / "secretdir")
    made = key(root, environ={"TOKEN": "hunter2"})
    assert len(made) == 64 and "secretdir" not in made
