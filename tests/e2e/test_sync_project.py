"""Issue 17 items 2 to 4: ``pipkey sync`` takes from a project what ``uv sync`` takes — dependency
groups as uv selects them (``[tool.uv] default-groups``, the group flags), workspaces (a root
without ``[project]``, ``{ workspace = true }`` sources, sync from a member directory,
``--package``, ``--all-packages``, ``--no-install-workspace``, a member's own
``[[tool.uv.index]]``), and ``--locked`` accepts exactly the locks ``uv sync --locked`` accepts.

Every lock is written by the real uv from local wheels; every case runs the real ``uv sync``
with the same flags on a second checkout as the control.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import assert_no_secret, run_pipkey
from tests.support.isolation import MACHINE_ENV
from tests.support.servers import NginxAuth, PyPIServer
from tests.support.uvtool import installed, uv_bin, uv_env
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.e2e

PASSWORD = "s3cret-Pa55-workspace"
FLIT = '[build-system]\nrequires = ["flit_core>=3.4"]\nbuild-backend = "flit_core.buildapi"\n'
INDEX = '\n[[tool.uv.index]]\nname = "local"\nurl = "{url}"\ndefault = true\n'

GROUPS = """\
[project]
name = "grp"
version = "0.1"
requires-python = ">=3.11"
dependencies = ["alpha[Fast]"]

[project.optional-dependencies]
Web = ["gamma"]

[dependency-groups]
dev = ["delta"]
lint = ["lint1"]
docs = ["docs1", {{include-group = "lint"}}]

[tool.uv]
default-groups = ["dev", "lint"]
"""

ROOT = """\
[tool.uv.workspace]
members = ["packages/*"]

[tool.uv.sources]
b = { workspace = true }  # inherited by every member (crewAI's layout)

[dependency-groups]
dev = ["delta"]
"""

MEMBER_A = f"""\
{FLIT}
[project]
name = "a"
version = "0.1"
description = "a"
requires-python = ">=3.11"
dependencies = ["alpha", "b>=0.1"]

[dependency-groups]
dev = ["eta"]
"""

MEMBER_B = f"""\
{FLIT}
[project]
name = "b"
version = "0.2"
description = "b"
requires-python = ">=3.11"
dependencies = ["beta"]

[project.optional-dependencies]
G = ["gamma"]
"""

MEMBER_C = """\
[project]
name = "c"
version = "0.3"
requires-python = ">=3.11"
dependencies = ["secretpkg"]

[tool.uv.sources]
secretpkg = {{ index = "private" }}

[[tool.uv.index]]
name = "private"
url = "{url}"
explicit = true
"""


@dataclass
class Servers:
    url: str  # open pypiserver
    private: str  # the same packages behind nginx auth_basic


@dataclass
class Template:
    path: Path

    def checkout(self, where: Path) -> Path:
        shutil.copytree(self.path, where, ignore=shutil.ignore_patterns(".venv"))
        return where


def _uv(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = uv_env({"UV_INDEX_PRIVATE_USERNAME": "alice", "UV_INDEX_PRIVATE_PASSWORD": PASSWORD})
    return subprocess.run([uv_bin(), *args], cwd=cwd, env=env, capture_output=True, text=True)


def _pipkey_env() -> dict[str, str]:
    import os

    return {**os.environ, "UV_INDEX_PRIVATE_USERNAME": "alice",
            "UV_INDEX_PRIVATE_PASSWORD": PASSWORD}  # fmt: skip


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def _lock(project: Path) -> None:
    proc = _uv(project, "lock")
    assert proc.returncode == 0, proc.stderr


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    packages = tmp_path_factory.mktemp("project-packages")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:", "-d",
         str(packages), "flit_core", "hatchling", "editables"],
        env=dict(MACHINE_ENV), capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    build_wheel(packages, "alpha", "1.0", extras={"fast": ["zeta"]})
    build_wheel(packages, "beta", "2.0")
    build_wheel(packages, "epsilon", "1.0", requires=["beta"])
    for name in ("beta", "gamma", "delta", "eta", "zeta", "lint1", "docs1", "secretpkg"):
        build_wheel(packages, name, "1.0")
    with (
        PyPIServer(packages, users=None, authenticate=".") as upstream,
        NginxAuth(upstream.root, {"alice": PASSWORD}, workdir=tmp_path_factory.mktemp("ng")) as ng,
    ):
        yield Servers(upstream.url, ng.url)


@pytest.fixture(scope="module")
def groups_project(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> Template:
    root = tmp_path_factory.mktemp("groups")
    _write(root, {"pyproject.toml": GROUPS.format() + INDEX.format(url=servers.url)})
    _lock(root)
    return Template(root)


@pytest.fixture(scope="module")
def workspace(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> Template:
    root = tmp_path_factory.mktemp("workspace")
    _write(root, {
        "pyproject.toml": ROOT + INDEX.format(url=servers.url),
        "packages/a/pyproject.toml": MEMBER_A,
        "packages/a/a/__init__.py": '"""a."""\n',
        "packages/b/pyproject.toml": MEMBER_B,
        "packages/b/b/__init__.py": '"""b."""\n',
        "packages/c/pyproject.toml": MEMBER_C.format(url=servers.private),
    })  # fmt: skip
    _lock(root)
    return Template(root)


@dataclass
class Pair:
    """Two checkouts of one project, synced over and over (as a developer does): pipkey's and
    uv's. Each sync is exact, so a case does not depend on the one before."""

    mine: Path
    theirs: Path


def _pair(template: Template, where: Path) -> Pair:
    return Pair(template.checkout(where / "mine"), template.checkout(where / "theirs"))


@pytest.fixture(scope="module")
def groups_pair(groups_project: Template, tmp_path_factory: pytest.TempPathFactory) -> Pair:
    return _pair(groups_project, tmp_path_factory.mktemp("groups-pair"))


@pytest.fixture(scope="module")
def workspace_pair(workspace: Template, tmp_path_factory: pytest.TempPathFactory) -> Pair:
    return _pair(workspace, tmp_path_factory.mktemp("workspace-pair"))


def both(pair: Pair, *flags: str, member: str = ".") -> tuple[set[str], set[str], Any]:
    """(pipkey's environment, uv's environment, pipkey's result) after ``sync --locked
    FLAGS`` run in ``member`` of each checkout."""
    mine, theirs = pair.mine, pair.theirs
    result = run_pipkey("sync", "--locked", "--cache-dir", mine.parent / "cache", *flags,
                        env=_pipkey_env(), cwd=mine / member)  # fmt: skip
    assert result.returncode == 0, result.stderr
    proc = _uv(theirs / member, "sync", "--locked", *flags)
    assert proc.returncode == 0, proc.stderr
    assert member == "." or not (mine / member / ".venv").exists()  # the root's, as uv
    return installed(mine / ".venv"), installed(theirs / ".venv"), result


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ((), {"alpha", "zeta", "delta", "lint1"}),  # default-groups = ["dev", "lint"]
        (("--no-default-groups",), {"alpha", "zeta"}),
        (("--all-groups",), {"alpha", "zeta", "delta", "lint1", "docs1"}),
        (("--group", "docs"), {"alpha", "zeta", "delta", "lint1", "docs1"}),
        (("--no-group", "lint"), {"alpha", "zeta", "delta"}),
        (("--only-group", "docs"), {"docs1", "lint1"}),
        (("--only-dev",), {"delta"}),
        (("--no-dev",), {"alpha", "zeta", "lint1"}),
        (("--extra", "Web", "--no-default-groups"), {"alpha", "zeta", "gamma"}),
    ],
)
def test_groups_follow_default_groups_and_the_group_flags_as_uv_sync(
    groups_pair: Pair, flags: tuple[str, ...], expected: set[str]
) -> None:
    """``[tool.uv] default-groups`` is a list here: ignoring it would leave lint1 out."""
    mine, theirs, _ = both(groups_pair, *flags)
    assert mine == theirs == expected


def test_default_groups_all_takes_every_group(groups_project: Template, tmp_path: Path) -> None:
    template = Template(groups_project.checkout(tmp_path / "all"))
    pyproject = template.path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('["dev", "lint"]', '"all"'))
    _lock(template.path)
    mine, theirs, _ = both(_pair(template, tmp_path))
    assert mine == theirs == {"alpha", "zeta", "delta", "lint1", "docs1"}


def test_an_unknown_group_is_refused_naming_the_groups(
    groups_project: Template, tmp_path: Path
) -> None:
    mine = groups_project.checkout(tmp_path / "mine")
    result = run_pipkey("sync", "--group", "nope", env=_pipkey_env(), cwd=mine)
    assert result.returncode == 2
    assert "no group named nope" in result.stderr and "docs, lint" in result.stderr
    assert _uv(groups_project.checkout(tmp_path / "theirs"), "sync", "--group", "nope").returncode


def test_inexact_keeps_what_the_lock_does_not_name_and_exact_removes_it(
    groups_pair: Pair,
) -> None:
    mine = groups_pair.mine
    cache = ("--cache-dir", str(mine.parent / "cache"))
    first = run_pipkey("sync", *cache, "--all-groups", env=_pipkey_env(), cwd=mine)
    assert first.returncode == 0, first.stderr
    kept = run_pipkey("sync", *cache, "--no-default-groups", "--inexact", env=_pipkey_env(),
                      cwd=mine)  # fmt: skip
    assert kept.returncode == 0, kept.stderr
    assert "docs1" in installed(mine / ".venv")
    exact = run_pipkey("sync", *cache, "--no-default-groups", env=_pipkey_env(), cwd=mine)
    assert exact.returncode == 0, exact.stderr
    assert installed(mine / ".venv") == {"alpha", "zeta"}


@pytest.mark.parametrize(
    ("member", "flags", "expected"),
    [
        # a virtual root: every member, the root's own dev group and each member's
        (".", (), {"a", "alpha", "b", "beta", "delta", "eta", "secretpkg"}),
        ("packages/a", (), {"a", "alpha", "b", "beta", "eta"}),
        (".", ("--package", "b"), {"b", "beta"}),
        (".", ("--only-group", "dev"), {"delta", "eta"}),
        (".", ("--no-install-workspace",), {"alpha", "beta", "delta", "eta", "secretpkg"}),
        ("packages/b", ("--all-packages", "--no-dev"), {"a", "alpha", "b", "beta", "secretpkg"}),
        ("packages/b", ("--extra", "g"), {"b", "beta", "gamma"}),
    ],
)
def test_a_workspace_syncs_from_any_directory_as_uv_sync(
    workspace_pair: Pair, member: str, flags: tuple[str, ...], expected: set[str]
) -> None:
    mine, theirs, _ = both(workspace_pair, *flags, member=member)
    assert mine == theirs == expected


def test_a_members_own_index_gives_its_pinned_package_with_credentials(
    workspace_pair: Pair,
) -> None:
    """Member c pins secretpkg to its own ``[[tool.uv.index]]`` (nginx auth_basic); run from
    c's directory, the credentials come from ``UV_INDEX_PRIVATE_*`` for that member's index."""
    mine, theirs, result = both(workspace_pair, member="packages/c")
    assert mine == theirs == {"secretpkg"}
    assert_no_secret(PASSWORD, result.stdout, result.stderr, username="alice")


def test_no_editable_installs_members_as_regular_wheels(workspace_pair: Pair) -> None:
    mine, theirs, _ = both(workspace_pair, "--no-editable", member="packages/a")
    assert mine == theirs
    site = next((workspace_pair.mine / ".venv" / "lib").glob("python3*/site-packages"))
    for name in ("a", "b"):
        direct = json.loads(next(site.glob(f"{name}-*.dist-info")).joinpath(
            "direct_url.json").read_text())  # fmt: skip
        assert not direct.get("dir_info", {}).get("editable", False)
        assert (site / name / "__init__.py").is_file()  # the code itself, not a .pth


def test_a_changed_member_makes_the_lock_stale_for_both(
    workspace: Template, tmp_path: Path
) -> None:
    mine = workspace.checkout(tmp_path / "mine")
    pyproject = mine / "packages" / "b" / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('["beta"]', '["beta", "delta>=1"]'))
    result = run_pipkey("sync", "--locked", env=_pipkey_env(), cwd=mine / "packages" / "a")
    assert result.returncode == 2
    assert "delta>=1 is in pyproject.toml but not in the lock" in result.stderr
    theirs = workspace.checkout(tmp_path / "theirs")
    shutil.copy(pyproject, theirs / "packages" / "b" / "pyproject.toml")
    assert _uv(theirs / "packages" / "a", "sync", "--locked").returncode != 0


DYNAMIC = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "dyn"
version = "0.1"
requires-python = ">=3.11"
dynamic = ["dependencies", "optional-dependencies"]

[tool.hatch.metadata.hooks.custom]

[tool.dyn]
dependencies = ["alpha[Fast]", "libb>=1.0"]
optional = {{ Arrow = ["gamma"] }}

[tool.uv.sources]
libb = {{ path = "libs/libb", editable = true }}
"""

HOOK = """\
from hatchling.metadata.plugin.interface import MetadataHookInterface


class CustomMetadataHook(MetadataHookInterface):
    def update(self, metadata):
        import tomllib

        with open("pyproject.toml", "rb") as f:
            table = tomllib.load(f)["tool"]["dyn"]
        metadata["dependencies"] = table["dependencies"]
        metadata["optional-dependencies"] = table["optional"]
"""


@pytest.fixture(scope="module")
def dynamic_project(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> Template:
    """Requirements from a hatch metadata hook (``dynamic``), an extra spelled ``Arrow``, a
    dependency asked as ``alpha[Fast]``, and a path source given with a specifier."""
    root = tmp_path_factory.mktemp("dynamic")
    _write(root, {
        "pyproject.toml": DYNAMIC.format() + INDEX.format(url=servers.url),
        "hatch_build.py": HOOK,
        "dyn/__init__.py": '"""dyn."""\n',
        "libs/libb/pyproject.toml": f'{FLIT}\n[project]\nname = "libb"\nversion = "1.2"\n'
                                    'description = "b"\n',
        "libs/libb/libb/__init__.py": '"""libb."""\n',
    })  # fmt: skip
    _lock(root)
    return Template(root)


def test_locked_accepts_dynamic_metadata_path_sources_and_extra_spellings_as_uv(
    dynamic_project: Template, tmp_path: Path
) -> None:
    """uv.lock holds what the build backend reported (``arrow``, ``fast``) and ``libb``
    without its ``>=1.0``: ``uv sync --locked`` accepts it, so must pipkey."""
    lock = (dynamic_project.path / "uv.lock").read_text()
    assert '{ name = "libb", editable = "libs/libb" }' in lock  # no specifier: the premise
    mine, theirs, _ = both(_pair(dynamic_project, tmp_path), "--extra", "arrow")
    assert mine == theirs == {"dyn", "alpha", "zeta", "libb", "gamma"}


def test_dynamic_requirements_are_built_once_then_read_from_the_cache(
    dynamic_project: Template, tmp_path: Path
) -> None:
    mine = dynamic_project.checkout(tmp_path / "mine")
    cache = ("--cache-dir", str(tmp_path / "cache"))
    first = run_pipkey("-v", "sync", "--locked", *cache, env=_pipkey_env(), cwd=mine)
    assert first.returncode == 0, first.stderr
    assert "building an editable wheel for dyn" in first.stderr
    assert list((tmp_path / "cache").glob("project-metadata-v1/*.json"))
    again = run_pipkey("-v", "sync", "--locked", *cache, env=_pipkey_env(), cwd=mine)
    assert again.returncode == 0, again.stderr
    # checked against the lock with no build at all (nor a built-wheel cache lookup)
    assert "building" not in again.stderr and "built earlier" not in again.stderr
    assert "Nothing to do" in again.stderr


def test_a_changed_dynamic_requirement_makes_the_lock_stale_for_both(
    dynamic_project: Template, tmp_path: Path
) -> None:
    """The hook reads pyproject.toml, a cache key: the cached metadata is not reused."""
    pair = _pair(dynamic_project, tmp_path)
    for checkout in (pair.mine, pair.theirs):
        pyproject = checkout / "pyproject.toml"
        pyproject.write_text(pyproject.read_text().replace('"libb>=1.0"]', '"libb>=1.0", "eta"]'))
    result = run_pipkey("sync", "--locked", "--cache-dir", tmp_path / "cache", env=_pipkey_env(),
                        cwd=pair.mine)  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "eta is in pyproject.toml but not in the lock" in result.stderr
    assert _uv(pair.theirs, "sync", "--locked").returncode != 0


CONFLICTS = """\
[project]
name = "forks"
version = "0.1"
requires-python = ">=3.11"
dependencies = ["epsilon"]

[project.optional-dependencies]
new = ["beta==2.0"]

[dependency-groups]
dev = ["beta==1.0"]

[tool.uv]
conflicts = [[{{ extra = "new" }}, {{ group = "dev" }}]]
"""


@pytest.mark.parametrize("flags", [(), ("--no-dev", "--extra", "new"), ("--no-dev",)])
def test_conflicting_extras_and_groups_take_their_own_fork_as_uv(
    servers: Servers, tmp_path: Path, flags: tuple[str, ...]
) -> None:
    """pydantic-ai's layout: an extra and the dev group conflict, so epsilon's dependency on
    beta is locked twice, with conflict markers (``extra == 'group-5-forks-dev'``); reading
    them as plain markers takes the wrong fork (or both)."""
    root = _write(tmp_path / "template", {
        "pyproject.toml": CONFLICTS.format() + INDEX.format(url=servers.url)})  # fmt: skip
    _lock(root)
    assert "group-5-forks-dev" in (root / "uv.lock").read_text()
    mine, theirs, _ = both(_pair(Template(root), tmp_path), *flags)
    assert mine == theirs == {"beta", "epsilon"}
    versions = []
    for checkout in ("mine", "theirs"):
        site = next((tmp_path / checkout / ".venv" / "lib").glob("python3*/site-packages"))
        versions.append(sorted(p.name for p in site.glob("beta-*.dist-info")))
    assert versions[0] == versions[1] and len(versions[0]) == 1
