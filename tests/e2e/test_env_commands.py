"""``pipkey freeze / show / tree`` on a real environment, with pip and uv as controls.

One venv for the module, filled by pipkey from local wheels: a three-level tree (app → lib →
core), a wheel given as ``name @ file://`` (PEP 610 archive), and an editable flit project
(PEP 660, the real flit_core). ``pip --python V freeze/show`` and ``uv pip tree`` read the same
venv; pipkey must print what they print.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.cli import run_pipkey
from tests.support.isolation import MACHINE_ENV, isolated_environ
from tests.support.wheels import build_wheel, copy_wheels

pytestmark = pytest.mark.e2e

UV = Path(sys.executable).parent / "uv"


@dataclass(frozen=True)
class World:
    venv: Path
    env: dict[str, str]
    packages: Path
    wheel: Path
    project: Path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, registry_wheels: Path) -> World:
    root = tmp_path_factory.mktemp("envcmds")
    env = isolated_environ(MACHINE_ENV, root / "home")
    packages = root / "packages"
    build_wheel(packages, "App", "1.0", requires=["lib>=1", "core ; python_version < '3'"])
    build_wheel(packages, "lib", "1.0", requires=["core", "extraonly ; extra == 'x'"],
                extras={"x": ["extraonly"]})  # fmt: skip
    build_wheel(packages, "core", "1.0")
    wheel = build_wheel(root / "direct", "Direct_Pkg", "2.0", requires=["core"])
    copy_wheels(registry_wheels, packages, "flit_core")
    project = root / "proj"
    (project / "local_proj").mkdir(parents=True)
    (project / "local_proj" / "__init__.py").write_text(
        '"""A local project."""\n__version__ = "0.3"\n'
    )
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["flit_core>=3.4"]\nbuild-backend = "flit_core.buildapi"\n'
        '[project]\nname = "Local_Proj"\nversion = "0.3"\ndescription = "A local project."\n'
        'dependencies = ["lib"]\n[project.urls]\nHomepage = "https://example.invalid/local"\n'
        '[tool.flit.module]\nname = "local_proj"\n'
    )
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    result = run_pipkey(
        "install", "--python", venv, "--no-index", "-f", packages, "--cache-dir", root / "c",
        "App", f"Direct_Pkg @ {wheel.as_uri()}", "-e", project, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return World(venv, env, packages, wheel, project)


def pipkey(world: World, *args: str) -> subprocess.CompletedProcess[str]:
    return run_pipkey(*args, "--python", world.venv, env=world.env)


def control(world: World, *argv: str | Path) -> str:
    proc = subprocess.run(
        [str(a) for a in argv], env=world.env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def pip(world: World, *args: str) -> str:
    return control(world, sys.executable, "-m", "pip", "--python", world.venv / "bin" / "python",
                   *args)  # fmt: skip


def test_freeze_prints_what_pip_freeze_prints(world: World) -> None:
    """pip's format: Name==version, 'Name @ file://…' (PEP 610), the editable as '-e path'."""
    ours = pipkey(world, "freeze")
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == pip(world, "freeze")
    assert f"Direct_Pkg @ {world.wheel.as_uri()}" in ours.stdout.splitlines()
    assert f"-e {world.project}" in ours.stdout.splitlines()


def test_freeze_exclude_editable_and_exclude(world: World) -> None:
    ours = pipkey(world, "freeze", "--exclude-editable", "--exclude", "core")
    assert ours.stdout == pip(world, "freeze", "--exclude-editable", "--exclude", "core")
    assert "local" not in ours.stdout.lower() and "core==" not in ours.stdout


def test_show_prints_pip_s_fields_and_files(world: World) -> None:
    ours = pipkey(world, "show", "-f", "lib", "Local-Proj", "direct-pkg")
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == pip(world, "show", "-f", "lib", "Local-Proj", "direct-pkg")
    assert "Required-by: App, Local_Proj" in ours.stdout
    assert f"Editable project location: {world.project}" in ours.stdout
    assert "Home-page: https://example.invalid/local" in ours.stdout


def test_show_of_a_missing_package_warns_and_fails(world: World) -> None:
    ours = pipkey(world, "show", "not-installed")
    assert ours.returncode == 1
    assert "Package(s) not found: not-installed" in ours.stderr


@pytest.mark.parametrize(
    "args",
    [(), ("--reverse",), ("--depth", "1"), ("--package", "lib"), ("--prune", "lib"),
     ("--no-dedupe",)],
)  # fmt: skip
def test_tree_draws_what_uv_pip_tree_draws(world: World, args: tuple[str, ...]) -> None:
    ours = pipkey(world, "tree", *args)
    assert ours.returncode == 0, ours.stderr
    theirs = control(world, UV, "pip", "tree", "--python", world.venv, *args)
    assert ours.stdout == theirs
    assert ours.stdout.strip()


def test_tree_marks_a_repeated_subtree(world: World) -> None:
    lines = pipkey(world, "tree").stdout.splitlines()
    assert "app v1.0" in lines
    assert any(line.endswith("lib v1.0 (*)") for line in lines)
    assert lines[-1] == "(*) Package tree already displayed"


@pytest.mark.parametrize("args", [(), ("--editable",), ("--exclude-editable",)])
def test_list_prints_what_pip_list_prints(world: World, args: tuple[str, ...]) -> None:
    """Columns as pip's, with the 'Editable project location' column when one is editable."""
    ours = pipkey(world, "list", *args)
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == pip(world, "list", *args)
