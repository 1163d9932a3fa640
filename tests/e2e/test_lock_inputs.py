"""Issue 17 item 8: what ``pipkey lock`` and ``-r`` take in — a requirements file's own index
lines (as ``install -r`` takes them: no same-named public package shadows the private one), an
sdist-only dependency (built for its metadata, as install builds it), direct-URL requirements
kept as ``name @ URL`` in a requirements.txt output, and ``-r https://…`` fetched with the same
credentials as any request (nginx ``auth_basic`` serving the files, netrc for the password).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.cli import assert_no_secret, run_pipkey
from tests.support.isolation import MACHINE_ENV
from tests.support.servers import NginxAuth, PyPIServer
from tests.support.uvtool import installed, uv_bin, uv_env
from tests.support.wheels import build_wheel, make_sdist

pytestmark = pytest.mark.e2e

PASSWORD = "s3cret-Pa55-lockinputs"
FLIT = '[build-system]\nrequires = ["flit_core>=3.4"]\nbuild-backend = "flit_core.buildapi"\n'


@dataclass
class Indexes:
    public: str  # open pypiserver: shadowed 9.0, flit_core, onlysdist (sdist only), directpkg
    private: str  # nginx auth_basic in front of a pypiserver with shadowed 1.0
    files: str  # nginx auth_basic serving requirements files
    files_dir: Path
    direct_url: str  # a wheel by URL (not via an index page)


@pytest.fixture(scope="module")
def indexes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Indexes]:
    public = tmp_path_factory.mktemp("public")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:", "-d",
         str(public), "flit_core"],
        env=dict(MACHINE_ENV), capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    build_wheel(public, "shadowed", "9.0", files={"shadowed/__init__.py": "WHO = 'public'\n"})
    build_wheel(public, "alpha", "1.0")
    build_wheel(public, "directpkg", "1.0")
    onlysdist = {
        "pyproject.toml": f'{FLIT}\n[project]\nname = "onlysdist"\nversion = "1.0"\n'
        'description = "x"\ndependencies = ["alpha"]\n',
        "onlysdist/__init__.py": '"""only an sdist."""\n',
    }
    make_sdist(public, "onlysdist", "1.0", onlysdist)
    private = tmp_path_factory.mktemp("private")
    build_wheel(private, "shadowed", "1.0", files={"shadowed/__init__.py": "WHO = 'private'\n"})
    # nginx workers read the static tree: not under pytest's 0700 temp root
    files_dir = Path(tempfile.mkdtemp(prefix="pipkey-reqfiles-"))
    files_dir.chmod(0o755)
    try:
        with (
            PyPIServer(public, users=None, authenticate=".") as pub,
            PyPIServer(private, users=None, authenticate=".") as upstream,
            NginxAuth(upstream.root, {"alice": PASSWORD},
                      workdir=tmp_path_factory.mktemp("ng")) as ng,
            NginxAuth(f"static:{files_dir}", {"alice": PASSWORD},
                      workdir=tmp_path_factory.mktemp("ngf")) as files,
        ):  # fmt: skip
            direct = f"{pub.root.rstrip('/')}/packages/directpkg-1.0-py3-none-any.whl"
            yield Indexes(pub.url, ng.url, files.root.rstrip("/"), files_dir, direct)
    finally:
        shutil.rmtree(files_dir, ignore_errors=True)


@pytest.fixture
def creds(netrc_file: Callable[[str], Path]) -> None:
    """The password for 127.0.0.1 from netrc (sent on a 401 only)."""
    netrc_file(f"machine 127.0.0.1 login alice password {PASSWORD}\n")


def _venv(where: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    return where


def test_lock_r_honours_the_files_index_lines_as_install_r_does(
    indexes: Indexes, creds: None, tmp_path: Path
) -> None:
    """``--extra-index-url`` in the file is searched first (first-index): the private 1.0, not
    the public 9.0 a merge of both indexes would pick."""
    req = tmp_path / "requirements.in"
    req.write_text(f"--index-url {indexes.public}\n--extra-index-url {indexes.private}\nshadowed\n")
    out = tmp_path / "requirements.txt"
    made = run_pipkey("lock", "-r", req, "-o", out, "--cache-dir", tmp_path / "c", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "shadowed==1.0 \\" in out.read_text()
    assert indexes.public.split("//")[1] not in out.read_text()
    venv = _venv(tmp_path / "venv")
    control = run_pipkey("install", "--python", venv, "-r", req, "--cache-dir", tmp_path / "c")
    assert control.returncode == 0, control.stderr
    code = "import shadowed; print(shadowed.WHO)"
    who = subprocess.run([venv / "bin" / "python", "-c", code], capture_output=True, text=True)
    assert who.stdout.strip() == "private"
    assert_no_secret(PASSWORD, made.stdout, made.stderr, out.read_text(), username="alice")


def test_lock_keeps_a_direct_url_requirement_and_both_installers_read_it_back(
    indexes: Indexes, tmp_path: Path
) -> None:
    req = tmp_path / "requirements.in"
    req.write_text(f"--index-url {indexes.public}\ndirectpkg @ {indexes.direct_url}\nalpha\n")
    out = tmp_path / "requirements.txt"
    made = run_pipkey("lock", "-r", req, "-o", out, "--cache-dir", tmp_path / "c", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    text = out.read_text()
    assert f"directpkg @ {indexes.direct_url} \\" in text
    assert "directpkg==" not in text
    mine = _venv(tmp_path / "mine")
    ours = run_pipkey("sync", out, "--python", mine, "--index-url", indexes.public,
                      "--cache-dir", tmp_path / "c")  # fmt: skip
    assert ours.returncode == 0, ours.stderr
    theirs = _venv(tmp_path / "theirs")
    proc = subprocess.run(
        [uv_bin(), "pip", "sync", "--python", str(theirs / "bin" / "python"), "--index-url",
         indexes.public, str(out)],
        env=uv_env(), capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert installed(mine) == installed(theirs) == {"alpha", "directpkg"}

    pylock = tmp_path / "pylock.toml"
    made = run_pipkey("lock", "-r", req, "-o", pylock, "--cache-dir", tmp_path / "c")
    assert made.returncode == 0, made.stderr
    assert "[packages.archive]" in pylock.read_text()
    again = _venv(tmp_path / "again")
    synced = run_pipkey("sync", pylock, "--python", again, "--cache-dir", tmp_path / "c")
    assert synced.returncode == 0, synced.stderr
    assert installed(again) == {"alpha", "directpkg"}


def test_lock_builds_an_sdist_only_dependency_for_its_metadata(
    indexes: Indexes, tmp_path: Path
) -> None:
    """onlysdist's PKG-INFO (Metadata 2.1) is not reliable: its dependencies come from a
    build, as ``install`` gets them; the lock records the sdist itself."""
    req = tmp_path / "requirements.in"
    req.write_text(f"--index-url {indexes.public}\nonlysdist\n")
    target = _venv(tmp_path / "target")
    pylock = tmp_path / "pylock.toml"
    made = run_pipkey("lock", "-r", req, "-o", pylock, "--python", target,
                      "--cache-dir", tmp_path / "c")  # fmt: skip
    assert made.returncode == 0, made.stderr
    text = pylock.read_text()
    assert "onlysdist-1.0.tar.gz" in text and 'name = "alpha"' in text
    synced = run_pipkey("sync", pylock, "--python", target, "--cache-dir", tmp_path / "c")
    assert synced.returncode == 0, synced.stderr
    assert installed(target) == {"alpha", "onlysdist"}


def test_a_remote_requirements_file_is_fetched_with_the_same_credentials(
    indexes: Indexes, creds: None, tmp_path: Path
) -> None:
    """``-r URL`` (nginx auth_basic; the password from netrc on its 401), a nested ``-r``
    relative to it on the same server, and its index line applied."""
    (indexes.files_dir / "common.txt").write_text("alpha\n")
    (indexes.files_dir / "reqs.txt").write_text(f"--index-url {indexes.public}\n-r common.txt\n"
                                                "directpkg\n")  # fmt: skip
    for name in ("common.txt", "reqs.txt"):
        (indexes.files_dir / name).chmod(0o644)
    venv = _venv(tmp_path / "venv")
    url = f"{indexes.files}/reqs.txt"
    result = run_pipkey("install", "--python", venv, "-r", url, "--cache-dir", tmp_path / "c")
    assert result.returncode == 0, result.stderr
    assert installed(venv) == {"alpha", "directpkg"}
    assert_no_secret(PASSWORD, result.stdout, result.stderr, username="alice")
    locked = run_pipkey("lock", "-r", url, "-o", tmp_path / "out.txt", "--cache-dir",
                        tmp_path / "c")  # fmt: skip
    assert locked.returncode == 0, locked.stderr
    assert "directpkg==1.0" in (tmp_path / "out.txt").read_text()
    # uv pip compile takes a URL too
    compiled = run_pipkey("compile", url, "-o", tmp_path / "compiled.txt")
    assert compiled.returncode == 0, compiled.stderr
    assert "directpkg==1.0" in (tmp_path / "compiled.txt").read_text()
    assert_no_secret(PASSWORD, compiled.stderr, (tmp_path / "compiled.txt").read_text())


def test_a_remote_requirements_file_without_credentials_fails_clearly(
    indexes: Indexes, tmp_path: Path
) -> None:
    (indexes.files_dir / "reqs.txt").write_text("alpha\n")
    (indexes.files_dir / "reqs.txt").chmod(0o644)
    venv = _venv(tmp_path / "venv")
    result = run_pipkey("install", "--python", venv, "-r", f"{indexes.files}/reqs.txt",
                        "--no-input")  # fmt: skip
    assert result.returncode != 0
    assert "401" in result.stderr or "credentials" in result.stderr
    assert "Traceback" not in result.stderr
    assert installed(venv) == set()
