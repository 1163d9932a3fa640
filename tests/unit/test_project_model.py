"""The project model (``pipkey.project``): workspace discovery as uv does it, uv's group
selection rules, and the sync target's safety rules — pure, no network."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipkey.project import (
    GroupFlags,
    ProjectError,
    Selection,
    choose_groups,
    find_workspace,
    install_target,
)
from tests.support.cli import run_pipkey


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    _write(tmp_path, {
        "pyproject.toml": '[tool.uv.workspace]\nmembers = ["libs/*"]\nexclude = ["libs/old"]\n'
                          '[dependency-groups]\ndev = ["x"]\n',
        "libs/a/pyproject.toml": '[project]\nname = "A_pkg"\nversion = "1"\n'
                                 '[tool.uv]\ndefault-groups = ["lint"]\n'
                                 '[dependency-groups]\nlint = ["ruff"]\n',
        "libs/a/src/a/deep/.keep": "",
        "libs/b/pyproject.toml": '[project]\nname = "b"\nversion = "1"\n',
        "libs/old/pyproject.toml": '[project]\nname = "old"\nversion = "1"\n',
        "libs/notes/README": "not a project",
    })  # fmt: skip
    return tmp_path


def test_a_member_directory_finds_the_workspace_root_and_its_lock(workspace: Path) -> None:
    found = find_workspace(workspace / "libs" / "a" / "src" / "a" / "deep")
    assert found is not None
    assert found.root == workspace.resolve() and found.lock_path == workspace.resolve() / "uv.lock"
    assert found.current.name == "a-pkg"
    assert sorted(found.members) == ["a-pkg", "b"]  # exclude and non-projects left out
    assert not found.virtual_root


def test_a_root_without_project_is_a_virtual_root(workspace: Path) -> None:
    found = find_workspace(workspace)
    assert found is not None and found.virtual_root
    target = install_target(found, Selection())
    assert target.kind == "virtual" and target.groups.contains("dev")


def test_default_groups_belong_to_the_selected_member(workspace: Path) -> None:
    found = find_workspace(workspace)
    target = install_target(found, Selection(packages=("A_pkg",)))
    assert (target.kind, target.names) == ("project", ("a-pkg",))
    assert target.groups.contains("lint") and not target.groups.contains("dev")
    assert not target.includes_group(None, "lint")  # a default group of the member only


def test_an_excluded_member_stands_alone(workspace: Path) -> None:
    found = find_workspace(workspace / "libs" / "old")
    assert found is not None and found.root == (workspace / "libs" / "old").resolve()


def test_an_unknown_package_names_the_members(workspace: Path) -> None:
    found = find_workspace(workspace)
    with pytest.raises(ProjectError, match="members: a-pkg, b"):
        install_target(found, Selection(packages=("nope",)))


def test_bad_default_groups_is_a_clear_error(tmp_path: Path) -> None:
    _write(tmp_path, {"pyproject.toml": '[project]\nname = "x"\n[tool.uv]\ndefault-groups = 3\n'})
    with pytest.raises(ProjectError, match="default-groups must be a list"):
        find_workspace(tmp_path)


@pytest.mark.parametrize(
    ("flags", "defaults", "included", "prod"),
    [
        (GroupFlags(), ("dev",), {"dev"}, True),
        (GroupFlags(), ("dev", "lint"), {"dev", "lint"}, True),
        (GroupFlags(), "all", {"dev", "lint", "docs"}, True),
        (GroupFlags(no_default_groups=True, group=("docs",)), ("dev",), {"docs"}, True),
        (GroupFlags(only_group=("docs",)), ("dev", "lint"), {"docs"}, False),
        (GroupFlags(dev="only"), ("lint",), {"dev"}, False),
        (GroupFlags(all_groups=True, no_group=("lint",)), ("dev",), {"dev", "docs"}, True),
        (GroupFlags(dev="exclude"), "all", {"lint", "docs"}, True),
    ],
)
def test_groups_follow_uvs_with_defaults(
    flags: GroupFlags, defaults: object, included: set[str], prod: bool
) -> None:
    """uv's DependencyGroups::with_defaults: --only-* drop the defaults and the project."""
    groups = choose_groups(flags, defaults)  # type: ignore[arg-type]
    assert set(groups.names(["dev", "lint", "docs"])) == included
    assert groups.prod is prod


def test_sync_never_takes_its_target_from_uv_python(monkeypatch: pytest.MonkeyPatch) -> None:
    """uv's UV_PYTHON picks the interpreter a project's .venv is made from; for pipkey sync
    it would name the environment to change (the system's Python, say): not read."""
    from pipkey.cli.sync_cmd import sync_

    monkeypatch.setenv("UV_PYTHON", "/usr/bin/python3")
    assert sync_.make_context("sync", []).params["python"] is None
    monkeypatch.setenv("PIPKEY_PYTHON", "/opt/venv")
    assert sync_.make_context("sync", []).params["python"] == "/opt/venv"


@pytest.mark.skipif(
    not Path("/usr/lib/python3.11/EXTERNALLY-MANAGED").is_file()
    or not Path("/usr/bin/python3.11").is_file(),
    reason="needs this machine's externally managed system Python",
)
def test_sync_refuses_an_externally_managed_interpreter(tmp_path: Path) -> None:
    """``--dry-run`` too, so that a regression here cannot change the system."""
    lock = tmp_path / "requirements.txt"
    lock.write_text("")
    venvless = run_pipkey("sync", lock, "--python", "/usr/bin/python3.11", "--dry-run")
    assert venvless.returncode == 2
    assert "externally managed (PEP 668): pipkey sync will not change it" in venvless.stderr
