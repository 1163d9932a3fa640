"""Issue 17.5: backends that run tools from their own requirements, and versions from git tags.

Real parts: pypiserver serving the real ``uv_build``, ``hatchling``/``hatch-vcs`` and
``setuptools``/``setuptools-scm`` wheels from the package registry (fetched once per session
with ``pip download``, as the other build tests do); real git for the tagged checkouts.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import run_pipkey
from tests.support.isolation import MACHINE_ENV
from tests.support.servers import PyPIServer
from tests.support.uvtool import module_value

pytestmark = pytest.mark.e2e

BACKENDS = ("uv-build", "hatchling", "hatch-vcs", "setuptools", "setuptools-scm")


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    packages = tmp_path_factory.mktemp("tool-backends")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:", "-d",
         str(packages), *BACKENDS],
        env=dict(MACHINE_ENV), capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    with PyPIServer(packages) as server:
        yield server.url


def install(venv: Path, index: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return run_pipkey("install", "--python", venv, "--cache-dir", venv.parent / "cache",
                      "--index-url", index, *args)  # fmt: skip


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def git_tagged(root: Path, tag: str) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "first")
    git("tag", tag)


def test_uv_build_finds_its_uv_build_executable_on_path(
    venv: Path, tmp_path: Path, index: str
) -> None:
    """uv_build's hooks run ``shutil.which("uv-build")``: the build environment's ``bin/``
    must lead PATH, as pip and uv arrange it."""
    project = write(tmp_path / "uvbuilt", {
        "pyproject.toml": (
            '[build-system]\nrequires = ["uv_build>=0.8"]\nbuild-backend = "uv_build"\n\n'
            '[project]\nname = "uvbuilt"\nversion = "0.3.0"\n'
        ),
        "src/uvbuilt/__init__.py": "VALUE = 'uv-built'\n",
    })  # fmt: skip
    result = install(venv, index, project)
    assert result.returncode == 0, result.stderr
    assert module_value(venv, "uvbuilt") == "uv-built"
    site = next((venv / "lib").glob("python3*/site-packages"))
    assert (site / "uvbuilt-0.3.0.dist-info").is_dir()


@pytest.mark.parametrize(
    ("name", "build_system", "tool_table"),
    [
        (
            "vcshatch",
            'requires = ["hatchling", "hatch-vcs"]\nbuild-backend = "hatchling.build"',
            '[tool.hatch.version]\nsource = "vcs"\n',
        ),
        (
            "vcsst",
            'requires = ["setuptools>=64", "setuptools-scm>=8"]\n'
            'build-backend = "setuptools.build_meta"',
            "[tool.setuptools_scm]\n",
        ),
    ],
    ids=["hatch-vcs", "setuptools-scm"],
)
def test_version_comes_from_the_git_tag(
    venv: Path, tmp_path: Path, index: str, name: str, build_system: str, tool_table: str
) -> None:
    project = write(tmp_path / name, {
        "pyproject.toml": (
            f"[build-system]\n{build_system}\n\n"
            f'[project]\nname = "{name}"\ndynamic = ["version"]\n\n{tool_table}'
        ),
        f"src/{name}/__init__.py": "VALUE = 'tagged'\n",
    })  # fmt: skip
    git_tagged(project, "v2.4.1")
    result = install(venv, index, project)
    assert result.returncode == 0, result.stderr
    site = next((venv / "lib").glob("python3*/site-packages"))
    assert (site / f"{name}-2.4.1.dist-info").is_dir(), sorted(p.name for p in site.iterdir())
    assert module_value(venv, name) == "tagged"
