"""Issue 8: ``pipkey sync`` installs exactly a lock — uv.lock written by the real uv, pylock.toml
exported by the real uv or written by ``pipkey lock`` — from an nginx ``auth_basic`` index, with
credentials from the configuration (``UV_INDEX_<NAME>_USERNAME`` + keyring), never the lock.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import assert_no_secret, run_pipkey
from tests.support.servers import NginxAuth, PyPIServer
from tests.support.uvtool import installed, seed_env, uv_bin, uv_env, uv_lock
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.e2e

PASSWORD = "s3cret-Pa55-sync"

PYPROJECT = """\
[project]
name = "demo"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["alpha", "epsilon; sys_platform == 'win32'", "zeta; python_version >= '3.8'"]

[project.optional-dependencies]
web = ["gamma"]

[dependency-groups]
dev = ["delta"]
docs = ["eta"]

[[tool.uv.index]]
name = "private"
url = "{url}"
authenticate = "always"
default = true
"""


@dataclass
class Project:
    index_url: str
    template: Path  # pyproject.toml + uv.lock written by the real uv

    def checkout(self, where: Path) -> Path:
        """A fresh checkout: only what a repository holds (no .venv)."""
        shutil.copytree(self.template, where, ignore=shutil.ignore_patterns(".venv"))
        return where


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    packages = tmp_path_factory.mktemp("sync-packages")
    build_wheel(packages, "alpha", "1.0", requires=["beta>=1"])
    build_wheel(packages, "beta", "1.0")
    build_wheel(packages, "beta", "2.0")
    for name in ("gamma", "delta", "epsilon", "zeta", "eta", "intruder"):
        build_wheel(packages, name, "1.0")
    with (
        PyPIServer(packages, users=None, authenticate=".") as upstream,
        NginxAuth(upstream.root, {"alice": PASSWORD}, workdir=tmp_path_factory.mktemp("ng")) as ng,
    ):
        template = tmp_path_factory.mktemp("project")
        (template / "pyproject.toml").write_text(PYPROJECT.format(url=ng.url))
        uv_lock(template, tmp_path_factory.mktemp("uv-home"), "alice", PASSWORD)
        yield Project(ng.url, template)


def snapshot(venv: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(venv.rglob("*")) if p.is_file()}


@pytest.fixture
def creds(json_keyring: Any, keyring_cli: Any, project: Project) -> dict[str, str]:
    """The seed's Docker set-up: keyring CLI for the password, the username from env."""
    json_keyring.set(project.index_url, "alice", PASSWORD)
    return seed_env(keyring_cli.path, "alice")


def sync(cwd: Path, *args: str | Path, env: dict[str, str]) -> Any:
    return run_pipkey("sync", "--cache-dir", cwd / ".cache", *args, env=env, cwd=cwd)


def test_locked_no_dev_matches_what_uv_sync_installs(
    project: Project, creds: dict[str, str], tmp_path: Path
) -> None:
    """The seed's Dockerfile line, `uv sync --locked --no-install-project --no-dev`."""
    mine = project.checkout(tmp_path / "mine")
    result = sync(mine, "--locked", "--no-install-project", "--no-dev", env=creds)
    assert result.returncode == 0, result.stderr
    assert installed(mine / ".venv") == {"alpha", "beta", "zeta"}
    assert_no_secret(PASSWORD, result.stdout, result.stderr, username="alice")

    theirs = project.checkout(tmp_path / "theirs")
    env = uv_env({"UV_INDEX_PRIVATE_USERNAME": "alice", "UV_INDEX_PRIVATE_PASSWORD": PASSWORD})
    proc = subprocess.run(
        [uv_bin(), "sync", "--locked", "--no-install-project", "--no-dev"],
        cwd=theirs, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert installed(theirs / ".venv") == installed(mine / ".venv")


def test_a_stale_lock_is_refused_by_locked_saying_what_differs(
    project: Project, creds: dict[str, str], tmp_path: Path
) -> None:
    mine = project.checkout(tmp_path / "mine")
    pyproject = mine / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"alpha",', '"alpha", "gamma>=1",'))
    result = sync(mine, "--locked", "--no-install-project", env=creds)
    assert result.returncode == 2
    assert "gamma>=1 is in pyproject.toml but not in the lock" in result.stderr
    assert not (mine / ".venv" / "lib").exists() or installed(mine / ".venv") == set()
    frozen = sync(mine, "--frozen", "--no-install-project", "--no-dev", env=creds)
    assert frozen.returncode == 0, frozen.stderr


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ((), {"alpha", "beta", "zeta", "delta"}),
        (("--no-dev",), {"alpha", "beta", "zeta"}),
        (("--extra", "web", "--no-dev"), {"alpha", "beta", "zeta", "gamma"}),
        (("--all-extras", "--group", "docs"), {"alpha", "beta", "zeta", "gamma", "delta", "eta"}),
        (("--only-group", "docs"), {"eta"}),
        (("--no-dev", "--no-install-package", "zeta"), {"alpha", "beta"}),
    ],
)
def test_groups_extras_and_markers_select_the_right_subset(
    project: Project, creds: dict[str, str], tmp_path: Path, flags: tuple[str, ...],
    expected: set[str],
) -> None:  # fmt: skip
    """epsilon (sys_platform == 'win32') is never installed here; zeta's marker holds."""
    mine = project.checkout(tmp_path / "mine")
    result = sync(mine, "--locked", "--no-install-project", *flags, env=creds)
    assert result.returncode == 0, result.stderr
    assert installed(mine / ".venv") == expected


def test_pylock_exported_by_uv_syncs_exactly_and_a_tampered_hash_changes_nothing(
    project: Project, creds: dict[str, str], tmp_path: Path, venv: Path
) -> None:
    mine = project.checkout(tmp_path / "mine")
    env = uv_env({"UV_INDEX_PRIVATE_USERNAME": "alice", "UV_INDEX_PRIVATE_PASSWORD": PASSWORD})
    proc = subprocess.run(
        [uv_bin(), "export", "--format", "pylock.toml", "--no-dev", "-o", "pylock.toml",
         "--no-emit-project"],
        cwd=mine, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    cache = tmp_path / "cache"
    pre = run_pipkey("install", "--python", venv, "--cache-dir", cache, "intruder",
                     "--index-url", project.index_url, env=creds)  # fmt: skip
    assert pre.returncode == 0, pre.stderr
    result = run_pipkey("sync", mine / "pylock.toml", "--python", venv, "--cache-dir", cache,
                        env=creds)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert installed(venv) == {"alpha", "beta", "zeta"}  # intruder removed

    lock = mine / "pylock.toml"
    text = lock.read_text()
    start = text.index("sha256 = ", text.index('name = "alpha"')) + len('sha256 = "')
    lock.write_text(text[:start] + "0" * 64 + text[start + 64 :])
    run_pipkey("uninstall", "alpha", "--python", venv)
    before = snapshot(venv)
    tampered = run_pipkey("sync", lock, "--python", venv, "--no-cache", env=creds)
    assert tampered.returncode != 0
    assert "hash mismatch" in tampered.stderr
    assert snapshot(venv) == before


def test_pipkey_lock_is_read_back_by_pipkey_and_by_uv(
    project: Project, creds: dict[str, str], tmp_path: Path
) -> None:
    mine = project.checkout(tmp_path / "mine")
    target = tmp_path / "lock-target"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(target)], check=True)
    made = run_pipkey("lock", "--python", target, "--extra", "web", env=creds, cwd=mine)
    assert made.returncode == 0, made.stderr
    text = (mine / "pylock.toml").read_text()
    assert_no_secret(PASSWORD, text, made.stdout, made.stderr, username="alice")
    assert "alice" not in text

    ours = run_pipkey("sync", mine / "pylock.toml", "--python", target, env=creds)
    assert ours.returncode == 0, ours.stderr
    theirs_venv = tmp_path / "uv-target"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(theirs_venv)], check=True)
    env = uv_env({"UV_INDEX_PRIVATE_USERNAME": "alice", "UV_INDEX_PRIVATE_PASSWORD": PASSWORD})
    # The lock keeps every group (PEP 751 markers) and names dev as default: pipkey installs
    # the default groups as PEP 751 says; `uv pip sync` needs them named.
    proc = subprocess.run(
        [uv_bin(), "pip", "sync", "--python", str(theirs_venv), "pylock.toml", "--group", "dev"],
        cwd=mine, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    expected = {"alpha", "beta", "zeta", "gamma", "delta"}
    assert installed(target) == installed(theirs_venv) == expected


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("this is [not toml", "not valid TOML"),
        ("version = 7\n", "version 7 is not supported"),
        ('version = 1\n[[package]]\nversion = "1.0"\n', "has no name"),
    ],
)
def test_a_bad_uv_lock_is_a_clear_error(
    tmp_path: Path, venv: Path, content: str, message: str
) -> None:
    (tmp_path / "uv.lock").write_text(content)
    result = run_pipkey("sync", tmp_path / "uv.lock", "--python", venv)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_requirements_txt_sync_removes_what_it_does_not_list(
    project: Project, creds: dict[str, str], tmp_path: Path, venv: Path
) -> None:
    """pip-sync semantics: exactly the listed set (pip, setuptools, wheel stay)."""
    cache = tmp_path / "cache"
    url = ["--index-url", project.index_url]
    assert run_pipkey("install", "--python", venv, "--cache-dir", cache, "intruder", *url,
                      env=creds).returncode == 0  # fmt: skip
    reqs = tmp_path / "requirements.txt"
    reqs.write_text(f"--index-url {project.index_url}\nalpha==1.0\nbeta==1.0\n")
    result = run_pipkey("sync", reqs, "--python", venv, "--cache-dir", cache, env=creds)
    assert result.returncode == 0, result.stderr
    assert installed(venv) == {"alpha", "beta"}
