"""Issue 17.6: what ``pipkey sync`` writes is what ``uv sync`` writes, and uv accepts it.

One project (flit_core backend, installed editable as uv does) locked by the real uv against a
pypiserver: its dependency ships a header and a console script. Compared with the real uv.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.cli import run_pipkey
from tests.support.isolation import MACHINE_ENV
from tests.support.servers import PyPIServer
from tests.support.uvtool import uv_bin, uv_env
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.e2e

PYPROJECT = """\
[build-system]
requires = ["flit_core>=3.4"]
build-backend = "flit_core.buildapi"

[project]
name = "app"
version = "0.1"
description = "x"
requires-python = ">=3.11"
dependencies = ["alpha"]

[[tool.uv.index]]
name = "local"
url = "{url}"
default = true
"""


@dataclass
class Locked:
    template: Path

    def checkout(self, where: Path) -> Path:
        shutil.copytree(self.template, where, ignore=shutil.ignore_patterns(".venv"))
        return where


@pytest.fixture(scope="module")
def locked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Locked]:
    packages = tmp_path_factory.mktemp("scheme-packages")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:", "-d",
         str(packages), "flit_core"],
        env=dict(MACHINE_ENV), capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    build_wheel(packages, "alpha", "1.0", requires=["beta"],
                files={"alpha/__init__.py": "def main():\n    print('alpha')\n",
                       "alpha-1.0.data/headers/alpha.h": "/* alpha */\n"},
                entry_points={"console_scripts": {"alpha": "alpha:main"}})  # fmt: skip
    build_wheel(packages, "beta", "1.0")
    with PyPIServer(packages, users=None, authenticate=".") as server:
        template = tmp_path_factory.mktemp("app")
        (template / "pyproject.toml").write_text(PYPROJECT.format(url=server.url))
        (template / "app").mkdir()
        (template / "app" / "__init__.py").write_text('"""app."""\nVALUE = "app"\n')
        proc = subprocess.run([uv_bin(), "lock"], cwd=template, env=uv_env(),
                              capture_output=True, text=True)  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        yield Locked(template)


def pipkey_sync(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_pipkey("sync", "--cache-dir", cwd.parent / "cache", *args, cwd=cwd)


def uv_sync(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([uv_bin(), "sync", *args], cwd=cwd, env=uv_env(),
                          capture_output=True, text=True)  # fmt: skip


def site(venv: Path) -> Path:
    return next((venv / "lib").glob("python3*/site-packages"))


def cfg_keys(venv: Path) -> list[str]:
    lines = (venv / "pyvenv.cfg").read_text().splitlines()
    return [line.split(" = ", 1)[0] for line in lines if " = " in line]


@pytest.fixture(scope="module")
def theirs(locked: Locked, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same project synced by the real uv."""
    project = locked.checkout(tmp_path_factory.mktemp("theirs") / "app")
    proc = uv_sync(project)
    assert proc.returncode == 0, proc.stderr
    return project / ".venv"


def test_a_venv_made_by_sync_has_uv_s_gitignore_and_pyvenv_cfg_keys(
    locked: Locked, theirs: Path, tmp_path: Path
) -> None:
    mine = locked.checkout(tmp_path / "app")
    result = pipkey_sync(mine)
    assert result.returncode == 0, result.stderr
    venv = mine / ".venv"
    assert (venv / ".gitignore").read_text() == (theirs / ".gitignore").read_text() == "*"
    assert [k if k != "pipkey" else "uv" for k in cfg_keys(venv)] == cfg_keys(theirs)


def test_headers_go_to_include_site_python_x_y_dist_name_as_uv_puts_them(
    locked: Locked, theirs: Path, tmp_path: Path
) -> None:
    """greenlet's case: ``.data/headers`` under ``include/site/pythonX.Y/<name>/``."""
    mine = locked.checkout(tmp_path / "app")
    assert pipkey_sync(mine).returncode == 0
    relative = f"include/site/python{sys.version_info[0]}.{sys.version_info[1]}/alpha/alpha.h"
    assert (theirs / relative).is_file()
    assert (mine / ".venv" / relative).read_text() == "/* alpha */\n"


def test_sync_writes_requested_for_every_package_as_uv_sync_does(
    locked: Locked, theirs: Path, tmp_path: Path
) -> None:
    """The lock is the user's request (pip-sync and uv mark every package)."""
    mine = locked.checkout(tmp_path / "app")
    assert pipkey_sync(mine).returncode == 0
    for venv in (theirs, mine / ".venv"):
        requested = {p.parent.name.split("-")[0] for p in site(venv).glob("*/REQUESTED")}
        assert requested == {"alpha", "beta", "app"}, venv


def test_uv_sync_after_pipkey_sync_has_nothing_to_reinstall(locked: Locked, tmp_path: Path) -> None:
    """The editable project and the locked wheels as pipkey wrote them are what uv expects."""
    mine = locked.checkout(tmp_path / "app")
    assert pipkey_sync(mine).returncode == 0

    proc = uv_sync(mine, "-v")

    assert proc.returncode == 0, proc.stderr
    assert "Installed" not in proc.stderr and "Uninstalled" not in proc.stderr, proc.stderr
    assert "Checked 3 packages" in proc.stderr, proc.stderr


def install_this_pipkey_into(venv: Path) -> None:
    """pipkey installed into the project's own .venv (as `pip install pipkey` there would):
    this checkout's editable dist-info, launcher and .pth; its dependencies through a .pth."""
    import pipkey

    ours = Path(pipkey.__file__).resolve().parents[2] / ".venv"
    our_site = next((ours / "lib").glob("python3*/site-packages"))
    target = site(venv)
    dist_info = next(our_site.glob("pipkey-*.dist-info"))
    shutil.copytree(dist_info, target / dist_info.name)
    shutil.copy(our_site / "_editable_impl_pipkey.pth", target)
    (target / "zz_pipkey_deps.pth").write_text(f"{our_site}\n")
    launcher = venv / "bin" / "pipkey"
    launcher.write_text(f"#!{venv}/bin/python\nfrom pipkey.__main__ import run\nrun()\n")
    launcher.chmod(0o755)


def test_sync_keeps_the_pipkey_it_runs_from_in_the_project_venv(
    locked: Locked, tmp_path: Path
) -> None:
    """A lock that does not list pipkey would remove it from .venv (bin/pipkey vanished);
    uv never uninstalls itself either."""
    mine = locked.checkout(tmp_path / "app")
    venv = mine / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    install_this_pipkey_into(venv)

    result = subprocess.run(
        [str(venv / "bin" / "pipkey"), "sync", "--cache-dir", str(tmp_path / "cache")],
        cwd=mine, capture_output=True, text=True,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert (venv / "bin" / "pipkey").is_file()
    assert list(site(venv).glob("pipkey-*.dist-info"))
    names = {p.name.split("-")[0] for p in site(venv).glob("*.dist-info")}
    assert names == {"alpha", "beta", "app", "pipkey"}
    again = subprocess.run([str(venv / "bin" / "pipkey"), "--version"],
                           capture_output=True, text=True)  # fmt: skip
    assert again.returncode == 0, again.stderr
