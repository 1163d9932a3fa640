"""Issue 8 (with issue 9's builds): ``pipkey sync`` of a packaged project — the project itself
(editable, as ``uv sync`` installs it), a path dependency (``[tool.uv.sources]``, editable), a
git dependency pinned to the locked commit, and an sdist-only package built with a backend that
lives only on the private index. ``uv.lock`` and ``pylock.toml`` are written by the real uv.
"""

from __future__ import annotations

import json
import os
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
from tests.support.uvtool import installed, module_value, seed_env, uv_bin, uv_env, uv_lock
from tests.support.wheels import build_wheel, make_sdist

pytestmark = pytest.mark.e2e

PASSWORD = "s3cret-Pa55-sources"
FLIT = '[build-system]\nrequires = ["flit_core>=3.4"]\nbuild-backend = "flit_core.buildapi"\n'


def flit_project(name: str, version: str, deps: str = "", extra: str = "") -> str:
    return (
        f'{FLIT}\n[project]\nname = "{name}"\nversion = "{version}"\ndescription = "x"\n'
        f'requires-python = ">=3.11"\ndependencies = [{deps}]\n{extra}'
    )


def write_package(root: Path, name: str, pyproject: str, value: str) -> None:
    (root / name).mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(pyproject)
    (root / name / "__init__.py").write_text(f'"""{name}."""\nVALUE = "{value}"\n')


@dataclass
class Packaged:
    index_url: str
    template: Path  # the project checkout, uv.lock written by the real uv
    repo: Path  # the git repository of gitdep
    commit: str

    def checkout(self, where: Path) -> Path:
        shutil.copytree(self.template, where, ignore=shutil.ignore_patterns(".venv"))
        return where


def git(*args: str, cwd: Path) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}  # fmt: skip
    out = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Packaged]:
    packages = tmp_path_factory.mktemp("src-packages")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:", "-d",
         str(packages), "flit_core"],
        env=dict(MACHINE_ENV), capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    build_wheel(packages, "alpha", "1.0", requires=["beta>=1"])
    build_wheel(packages, "beta", "1.0")
    build_wheel(packages, "delta", "1.0")
    theta = {"pyproject.toml": flit_project("theta", "1.0"), "theta/__init__.py": '"""t."""\n'}
    make_sdist(packages, "theta", "1.0", theta)  # sdist only: built from the lock

    repo = tmp_path_factory.mktemp("gitdep-repo")
    git("init", "-q", cwd=repo)
    write_package(repo / "pkgs" / "gitdep", "gitdep", flit_project("gitdep", "1.0"), "git")
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "gitdep 1.0", cwd=repo)
    git("tag", "v1", cwd=repo)
    commit = git("rev-parse", "HEAD", cwd=repo)

    with (
        PyPIServer(packages, users=None, authenticate=".") as upstream,
        NginxAuth(upstream.root, {"alice": PASSWORD}, workdir=tmp_path_factory.mktemp("ng")) as ng,
    ):
        template = tmp_path_factory.mktemp("app")
        build_wheel(template / "dist", "localwheel", "1.0")  # a `path` source: a local wheel
        deps = (
            f'"alpha", "theta", "pathdep", "localwheel", '
            f'"gitdep @ git+{repo.as_uri()}@v1#subdirectory=pkgs/gitdep"'
        )
        extra = (
            '\n[dependency-groups]\ndev = ["delta"]\n\n'
            '[tool.uv.sources]\npathdep = { path = "libs/pathdep", editable = true }\n'
            'localwheel = { path = "dist/localwheel-1.0-py3-none-any.whl" }\n\n'
            f'[[tool.uv.index]]\nname = "private"\nurl = "{ng.url}"\n'
            'authenticate = "always"\ndefault = true\n'
        )
        write_package(template, "app", flit_project("app", "0.1", deps, extra), "app")
        write_package(template / "libs" / "pathdep", "pathdep",
                      flit_project("pathdep", "2.0"), "path")  # fmt: skip
        uv_lock(template, tmp_path_factory.mktemp("uv-home"), "alice", PASSWORD)
        yield Packaged(ng.url, template, repo, commit)


@pytest.fixture
def creds(json_keyring: Any, keyring_cli: Any, packaged: Packaged) -> dict[str, str]:
    json_keyring.set(packaged.index_url, "alice", PASSWORD)
    return seed_env(keyring_cli.path, "alice")


def sync(cwd: Path, *args: str | Path, env: dict[str, str]) -> Any:
    return run_pipkey("sync", "--cache-dir", cwd.parent / "cache", *args, env=env, cwd=cwd)


def site(venv: Path) -> Path:
    return next((venv / "lib").glob("python3*/site-packages"))


def direct_url(venv: Path, name: str) -> dict[str, Any]:
    info = next(site(venv).glob(f"{name}-*.dist-info"))
    data: dict[str, Any] = json.loads((info / "direct_url.json").read_text())
    return data


def test_sync_installs_the_project_path_and_git_sources_and_sdists_as_uv_sync_does(
    packaged: Packaged, creds: dict[str, str], tmp_path: Path, json_keyring: Any
) -> None:
    """`uv sync --locked` installs the project and its path dependency editable, the git
    dependency at the locked commit and builds theta's sdist; pipkey installs the same set."""
    mine = packaged.checkout(tmp_path / "mine")
    result = sync(mine, "--locked", env=creds)
    assert result.returncode == 0, result.stderr
    venv = mine / ".venv"
    expected = {"app", "pathdep", "gitdep", "theta", "localwheel", "alpha", "beta", "delta"}
    assert installed(venv) == expected
    assert direct_url(venv, "app") == {"url": mine.as_uri(), "dir_info": {"editable": True}}
    assert direct_url(venv, "pathdep")["dir_info"] == {"editable": True}
    git_record = direct_url(venv, "gitdep")
    assert git_record["vcs_info"]["commit_id"] == packaged.commit
    assert git_record["subdirectory"] == "pkgs/gitdep"
    assert module_value(venv, "app") == "app" and module_value(venv, "gitdep") == "git"
    # one keyring lookup for the index, shared by the downloads and theta's build (flit_core)
    assert len(json_keyring.calls("get_password") + json_keyring.calls("get_credential")) == 1
    files = "\n".join(p.read_bytes().decode("latin-1") for p in venv.rglob("*") if p.is_file())
    assert_no_secret(PASSWORD, result.stdout, result.stderr, files, username="alice")

    (mine / "app" / "__init__.py").write_text('VALUE = "edited"\n')
    assert module_value(venv, "app") == "edited"  # editable: the edit is live without a sync

    theirs = packaged.checkout(tmp_path / "theirs")
    env = uv_env({"UV_INDEX_PRIVATE_USERNAME": "alice", "UV_INDEX_PRIVATE_PASSWORD": PASSWORD})
    proc = subprocess.run([uv_bin(), "sync", "--locked"], cwd=theirs, env=env,
                          capture_output=True, text=True)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert installed(theirs / ".venv") == installed(venv)


def test_a_second_sync_keeps_sources_until_their_build_inputs_change(
    packaged: Packaged, creds: dict[str, str], tmp_path: Path
) -> None:
    """uv's default cache keys: pyproject.toml / setup.py / setup.cfg newer than the install
    means the project is rebuilt; otherwise nothing is done."""
    mine = packaged.checkout(tmp_path / "mine")
    assert sync(mine, "--locked", env=creds).returncode == 0
    again = sync(mine, "--locked", env=creds)
    assert again.returncode == 0, again.stderr
    assert "Nothing to do" in again.stderr

    pyproject = mine / "libs" / "pathdep" / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('description = "x"', 'description = "y"'))
    after_edit = sync(mine, "--locked", env=creds)
    assert after_edit.returncode == 0, after_edit.stderr
    assert " + pathdep==2.0" in after_edit.stderr
    assert "app==" not in after_edit.stderr and "gitdep" not in after_edit.stderr


def test_a_fresh_venv_of_an_unchanged_project_links_the_cached_builds(
    packaged: Packaged, creds: dict[str, str], tmp_path: Path
) -> None:
    """As uv: a source build is cached across environments under the project's cache keys
    (pyproject.toml, setup.py, setup.cfg), so a sync into a new venv builds nothing; a changed
    key file builds that project again, and only it."""
    mine = packaged.checkout(tmp_path / "mine")
    first = sync(mine, "--locked", "-v", env=creds)
    assert first.returncode == 0, first.stderr
    assert "building an editable wheel for app" in first.stderr
    shutil.rmtree(mine / ".venv")
    again = sync(mine, "--locked", "-v", env=creds)
    assert again.returncode == 0, again.stderr
    assert "building" not in again.stderr
    assert f"built earlier from {mine} (cache)" in again.stderr
    assert f"built earlier from {mine / 'libs' / 'pathdep'} (cache)" in again.stderr
    assert installed(mine / ".venv") == installed_names(first.stderr)
    assert direct_url(mine / ".venv", "app") == {"url": mine.as_uri(),
                                                 "dir_info": {"editable": True}}  # fmt: skip
    assert module_value(mine / ".venv", "pathdep") == "path"

    shutil.rmtree(mine / ".venv")
    pyproject = mine / "libs" / "pathdep" / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('description = "x"', 'description = "y"'))
    edited = sync(mine, "--locked", "-v", env=creds)
    assert edited.returncode == 0, edited.stderr
    assert "building an editable wheel for pathdep" in edited.stderr
    assert "building an editable wheel for app" not in edited.stderr


def installed_names(stderr: str) -> set[str]:
    return {line.split("+ ", 1)[1].split("==")[0] for line in stderr.splitlines() if " + " in line}


def test_no_install_project_leaves_out_the_project_only(
    packaged: Packaged, creds: dict[str, str], tmp_path: Path
) -> None:
    """As uv's --no-install-project: path and git dependencies are still installed."""
    mine = packaged.checkout(tmp_path / "mine")
    result = sync(mine, "--locked", "--no-install-project", "--no-dev", env=creds)
    assert result.returncode == 0, result.stderr
    assert installed(mine / ".venv") == {"pathdep", "gitdep", "theta", "localwheel", "alpha",
                                        "beta"}  # fmt: skip


def test_pylock_exported_by_uv_with_directory_and_vcs_entries_syncs_the_same_set(
    packaged: Packaged, creds: dict[str, str], tmp_path: Path, venv: Path
) -> None:
    """PEP 751 ``directory`` (editable) and ``vcs`` entries, as `uv export` writes them."""
    mine = packaged.checkout(tmp_path / "mine")
    env = uv_env({"UV_INDEX_PRIVATE_USERNAME": "alice", "UV_INDEX_PRIVATE_PASSWORD": PASSWORD})
    proc = subprocess.run(
        [uv_bin(), "export", "--format", "pylock.toml", "--no-dev", "-o", "pylock.toml"],
        cwd=mine, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    result = run_pipkey("sync", mine / "pylock.toml", "--python", venv,
                        "--cache-dir", tmp_path / "cache", env=creds)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert installed(venv) == {"app", "pathdep", "gitdep", "theta", "localwheel", "alpha", "beta"}
    assert direct_url(venv, "gitdep")["vcs_info"]["commit_id"] == packaged.commit


def test_a_lock_whose_source_directory_is_gone_names_the_entry(
    packaged: Packaged, creds: dict[str, str], tmp_path: Path
) -> None:
    mine = packaged.checkout(tmp_path / "mine")
    shutil.rmtree(mine / "libs")
    result = sync(mine, "--frozen", env=creds)
    assert result.returncode == 2
    assert "package 'pathdep'" in result.stderr and "does not exist" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (mine / ".venv" / "lib").exists() or installed(mine / ".venv") == set()
