"""Issue 9, VCS: ``name @ git+http://…@rev#subdirectory=…`` from a private git server (real
``git http-backend`` behind nginx ``auth_basic`` via fcgiwrap), credentials from keyring — never
in argv, output, ``direct_url.json`` or the cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import assert_no_secret, run_pipkey
from tests.support.git_server import GitServer
from tests.support.isolation import MACHINE_ENV

pytestmark = pytest.mark.e2e

PASSWORD = "s3cret-Pa55-git"


def git(*args: str, cwd: Path | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.test",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.test"}  # fmt: skip
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True,
                          text=True).stdout.strip()  # fmt: skip


@pytest.fixture(scope="module")
def setuptools_wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("st-wheels")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:", "-d", str(out),
         "setuptools"],
        env=dict(MACHINE_ENV), capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture
def repo_server(tmp_path: Path) -> Any:
    work = tmp_path / "work"
    (work / "pkg" / "gitpkg").mkdir(parents=True)
    (work / "pkg" / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "gitpkg"\nversion = "1.0"\n'
    )
    (work / "pkg" / "gitpkg" / "__init__.py").write_text("VALUE = 'v1'\n")
    git("init", "-q", "-b", "main", cwd=work)
    git("add", ".", cwd=work)
    git("commit", "-q", "-m", "v1", cwd=work)
    git("tag", "v1", cwd=work)
    (work / "pkg" / "gitpkg" / "__init__.py").write_text("VALUE = 'v2'\n")
    git("commit", "-q", "-am", "v2", cwd=work)
    repos = tmp_path / "repos"
    repos.mkdir()
    git("clone", "-q", "--bare", str(work), str(repos / "gitpkg.git"))
    repos.chmod(0o755)
    with GitServer(repos, {"gitter": PASSWORD}) as server:
        yield server, git("rev-parse", "v1", cwd=work)


def test_git_https_with_credentials_from_keyring(
    repo_server: Any, venv: Path, setuptools_wheels: Path, json_keyring: Any, keyring_cli: Any
) -> None:
    server, v1 = repo_server
    json_keyring.set(server.root.split("//", 1)[1], "gitter", PASSWORD)  # pip: bare netloc
    url = f"{server.root}/gitpkg.git"
    env = {**os.environ, "PIPKEY_KEYRING_PATH": str(keyring_cli.path),
           "PIPKEY_KEYRING_PROVIDER": "subprocess"}  # fmt: skip
    result = run_pipkey(
        "install", "--python", venv, "--cache-dir", venv.parent / "cache", "--no-index",
        "-f", setuptools_wheels, f"gitpkg @ git+{url}@v1#subdirectory=pkg", env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = subprocess.run([str(venv / "bin" / "python"), "-c", "import gitpkg; print(gitpkg.VALUE)"],
                         capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    assert out == "v1"
    site = next((venv / "lib").glob("python3*/site-packages"))
    record = json.loads((site / "gitpkg-1.0.dist-info" / "direct_url.json").read_text())
    assert record == {"url": url, "subdirectory": "pkg",  # PEP 610 records it
                      "vcs_info": {"vcs": "git", "commit_id": v1,
                                   "requested_revision": "v1"}}  # fmt: skip
    cached = "\n".join(p.read_bytes().decode("latin-1")
                       for p in (venv.parent / "cache").rglob("*") if p.is_file())  # fmt: skip
    assert_no_secret(PASSWORD, result.stdout, result.stderr, cached, username="gitter")
    users = {e["user"] for e in server.nginx.access_log_entries() if e["status"] == "200"}
    assert users == {"gitter"}


def test_git_without_credentials_is_a_clear_error(
    repo_server: Any, venv: Path, setuptools_wheels: Path
) -> None:
    server, _ = repo_server
    result = run_pipkey(
        "install", "--python", venv, "--no-index", "-f", setuptools_wheels,
        f"gitpkg @ git+{server.root}/gitpkg.git", "--keyring-provider", "disabled",
    )  # fmt: skip
    assert result.returncode != 0
    assert "git clone of" in result.stderr and "failed" in result.stderr
    assert "Traceback" not in result.stderr
