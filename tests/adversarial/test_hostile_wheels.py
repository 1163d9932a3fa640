"""Issue 19, "files outside the environment": hostile wheels and RECORDs. One test per attack;
each failed before its fix (the file outside was overwritten or deleted, or a traceback). Real
wheels built here, the real CLI, a fresh venv; the victims are ordinary files next to it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.cli import run_pipkey
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.e2e


def install(venv: Path, wheels: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_pipkey("install", "--python", venv, "--cache-dir", venv.parent / "cache",
                      "--no-index", "-f", wheels, *args)  # fmt: skip


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
        and not p.is_symlink()
        and "__pycache__" not in p.parts
        and p.name != ".pipkey.lock"  # the environment's run lock: made by any run
    }


def assert_refused(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    error = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(error) == 1, result.stderr
    for word in words:
        assert word in error[0], result.stderr


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("the user's notes\n")
    return path


def test_entry_point_named_as_an_absolute_path_is_refused(
    venv: Path, packages_dir: Path, victim: Path
) -> None:
    """``[console_scripts] /home/u/notes.txt = m:f`` overwrote that file (pip and uv refuse)."""
    build_wheel(packages_dir, "evil", "1.0", entry_points={"console_scripts": {str(victim): "m:f"}})
    before = snapshot(venv)

    result = install(venv, packages_dir, "evil")

    assert_refused(result, "evil-1.0-py3-none-any.whl", "not a file name")
    assert victim.read_text() == "the user's notes\n"
    assert snapshot(venv) == before


def test_entry_point_name_with_dot_dot_is_refused(
    venv: Path, packages_dir: Path, tmp_path: Path
) -> None:
    build_wheel(packages_dir, "evil", "1.0",
                entry_points={"console_scripts": {"../../../escaped": "m:f"}})  # fmt: skip

    result = install(venv, packages_dir, "evil")

    assert_refused(result, "not a file name")
    assert not (tmp_path / "escaped").exists() and not (venv.parent / "escaped").exists()


@pytest.mark.parametrize("name", ["python", "python3", "pip", "activate"])
def test_data_script_that_would_replace_the_environment_s_own_is_refused(
    venv: Path, packages_dir: Path, name: str
) -> None:
    """A ``.data/scripts/python`` replaced the venv's interpreter (and broke pipkey after)."""
    (venv / "bin" / "pip").write_text("#!/bin/sh\necho the venv's pip\n")
    script = {f"evil-1.0.data/scripts/{name}": "#!python\n"}
    build_wheel(packages_dir, "evil", "1.0", files={"evil/__init__.py": "", **script})
    before = snapshot(venv)

    result = install(venv, packages_dir, "evil")

    assert_refused(result, f"would replace the environment's own {name}")
    assert snapshot(venv) == before
    assert subprocess.run([str(venv / "bin" / "python"), "-c", "pass"]).returncode == 0


def test_entry_point_named_python3_is_refused(venv: Path, packages_dir: Path) -> None:
    build_wheel(packages_dir, "evil", "1.0", entry_points={"console_scripts": {"python3": "m:f"}})

    result = install(venv, packages_dir, "evil")

    assert_refused(result, "would replace the environment's own python3")


def test_bad_entry_points_txt_is_one_clear_line(venv: Path, packages_dir: Path) -> None:
    garbled = {"broken-1.0.dist-info/entry_points.txt": "[console_scripts\nx = \n"}
    build_wheel(packages_dir, "broken", "1.0", files={"broken/__init__.py": "", **garbled})

    result = install(venv, packages_dir, "broken")

    assert_refused(result, "entry_points.txt cannot be read")


def tamper_record(venv: Path, dist_info_glob: str, *entries: str) -> None:
    dist_info = next(next((venv / "lib").glob("python3*/site-packages")).glob(dist_info_glob))
    with (dist_info / "RECORD").open("a") as record:
        for entry in entries:
            record.write(f"{entry},,\n")


def test_uninstall_leaves_record_entries_outside_the_environment_alone_with_a_warning(
    venv: Path, packages_dir: Path, victim: Path, tmp_path: Path
) -> None:
    """Uninstall deleted any file a RECORD listed, absolute or ``../`` (uv skips them)."""
    build_wheel(packages_dir, "plain", "1.0")
    assert install(venv, packages_dir, "plain").returncode == 0
    sibling = tmp_path / "sibling.txt"
    sibling.write_text("keep me\n")
    escaping = "../../../../" + sibling.name
    tamper_record(venv, "plain-1.0.dist-info", str(victim), escaping)

    check = run_pipkey("check", "--python", venv)
    assert check.returncode == 1
    assert "path(s) outside the environment" in check.stdout + check.stderr

    result = run_pipkey("uninstall", "--python", venv, "plain")

    assert result.returncode == 0, result.stderr
    assert victim.read_text() == "the user's notes\n"
    assert sibling.read_text() == "keep me\n"
    assert result.stderr.count("outside the environment: left alone") == 2, result.stderr
    assert not list(next((venv / "lib").glob("python3*/site-packages")).glob("plain*"))
