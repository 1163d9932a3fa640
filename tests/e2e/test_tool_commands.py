"""``pipkey venv / hash / cache / compile / index versions / pip …`` on real parts: the stdlib
venv and uv's own ``uv venv`` as the control, pip's ``hash`` as the control, a password-protected
pypiserver for ``index versions`` and ``venv --seed``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.cli import assert_no_secret, run_pipkey
from tests.support.servers import PyPIServer
from tests.support.wheels import build_wheel, copy_wheels

pytestmark = pytest.mark.e2e

UV = Path(sys.executable).parent / "uv"
PASSWORD = "s3cret-Pa55-tools"


@dataclass(frozen=True)
class Index:
    url: str  # with alice's password in it (redacted in every output)
    packages: Path


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, registry_wheels: Path) -> Iterator[Index]:
    packages = tmp_path_factory.mktemp("tool-packages")
    for version in ("1.0", "1.5", "2.0b1"):
        build_wheel(packages, "Widget", version, requires=["gear"])
    build_wheel(packages, "gear", "0.9")
    build_wheel(packages, "futuristic", "1.0", tag="cp99-cp99-manylinux_2_17_x86_64")
    copy_wheels(registry_wheels, packages, "pip", "setuptools", "wheel")
    with PyPIServer(packages, users={"alice": PASSWORD}) as server:
        yield Index(server.url.replace("http://", f"http://alice:{PASSWORD}@"), packages)


def cfg(venv: Path) -> dict[str, str]:
    lines = (venv / "pyvenv.cfg").read_text().splitlines()
    return dict(line.split(" = ", 1) for line in lines if " = " in line)


# -- venv ---------------------------------------------------------------------------------


def test_venv_writes_uv_s_pyvenv_cfg_keys_gitignore_and_cachedir_tag(tmp_path: Path) -> None:
    ours = run_pipkey("venv", "--prompt", "hello", cwd=tmp_path)
    assert ours.returncode == 0, ours.stderr
    theirs = subprocess.run([str(UV), "venv", "-q", "--prompt", "hello", "uvenv"], cwd=tmp_path,
                            capture_output=True, text=True)  # fmt: skip
    assert theirs.returncode == 0, theirs.stderr
    venv, control = tmp_path / ".venv", tmp_path / "uvenv"
    mine, uvs = cfg(venv), cfg(control)
    assert list(mine) == [k if k != "uv" else "pipkey" for k in uvs]
    assert {k: v for k, v in mine.items() if k != "pipkey"} == {
        k: v for k, v in uvs.items() if k != "uv"
    }
    assert (venv / ".gitignore").read_text() == (control / ".gitignore").read_text() == "*"
    assert (venv / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886")
    assert "hello" in (venv / "bin" / "activate").read_text()
    runs = subprocess.run([str(venv / "bin" / "python"), "-c", "import sys; print(sys.prefix)"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    assert Path(runs.stdout.strip()) == venv
    assert not list((venv / "lib").glob("python3*/site-packages/pip"))


def test_venv_refuses_an_existing_one_and_clear_never_empties_a_non_venv(tmp_path: Path) -> None:
    assert run_pipkey("venv", "env", cwd=tmp_path).returncode == 0
    again = run_pipkey("venv", "env", cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr and "--clear" in again.stderr
    other = tmp_path / "docs"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    refused = run_pipkey("venv", "docs", "--clear", cwd=tmp_path)
    assert refused.returncode == 2, refused.stderr
    assert "not a virtual environment" in refused.stderr
    assert (other / "keep.txt").read_text() == "mine"
    assert run_pipkey("venv", "env", "--clear", cwd=tmp_path).returncode == 0


def test_venv_python_from_uv_python_and_a_version_request(tmp_path: Path) -> None:
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    env = {**os.environ, "UV_PYTHON": version}
    made = run_pipkey("venv", "v", cwd=tmp_path, env=env)
    assert made.returncode == 0, made.stderr
    assert cfg(tmp_path / "v")["version_info"].startswith(version)
    missing = run_pipkey("venv", "w", "--python", "3.1", cwd=tmp_path)
    assert missing.returncode == 2 and "no Python 3.1 found" in missing.stderr


def test_venv_seed_installs_pip_from_the_authenticated_index(tmp_path: Path, index: Index) -> None:
    made = run_pipkey("venv", "--seed", "--index-url", index.url, "--cache-dir", tmp_path / "c",
                      cwd=tmp_path)  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert_no_secret(PASSWORD, made.stdout, made.stderr)
    pip = subprocess.run([str(tmp_path / ".venv" / "bin" / "python"), "-m", "pip", "--version"],
                         capture_output=True, text=True)  # fmt: skip
    assert pip.returncode == 0, pip.stderr
    if sys.version_info < (3, 12):
        assert "+ setuptools==" in made.stderr and "+ wheel==" in made.stderr


# -- hash ----------------------------------------------------------------------------------


def test_hash_prints_what_pip_hash_prints(index: Index) -> None:
    wheels = sorted(index.packages.glob("widget-*.whl"))[:2]
    ours = run_pipkey("hash", *wheels)
    theirs = subprocess.run([sys.executable, "-m", "pip", "hash", *map(str, wheels)],
                            capture_output=True, text=True, check=True)  # fmt: skip
    assert ours.returncode == 0 and ours.stdout == theirs.stdout
    sha512 = run_pipkey("hash", "-a", "sha512", wheels[0])
    assert sha512.stdout.splitlines()[1].startswith("--hash=sha512:")


# -- index versions ---------------------------------------------------------------------------


def test_index_versions_asks_the_authenticated_index(index: Index, venv: Path) -> None:
    ours = run_pipkey("index", "versions", "widget", "--index-url", index.url, "-p", venv)
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout.splitlines() == ["widget (1.5)", "Available versions: 1.5, 1.0"]
    assert_no_secret(PASSWORD, ours.stdout, ours.stderr)
    pre = run_pipkey("index", "versions", "widget", "--pre", "--json", "--index-url", index.url,
                     "-p", venv)  # fmt: skip
    assert json.loads(pre.stdout) == {"name": "widget", "versions": ["2.0b1", "1.5", "1.0"],
                                      "latest": "2.0b1"}  # fmt: skip


def test_index_versions_shows_the_installed_one_and_leaves_out_incompatible(
    index: Index, venv: Path
) -> None:
    done = run_pipkey("install", "-p", venv, "widget==1.0", "--index-url", index.url)
    assert done.returncode == 0, done.stderr
    ours = run_pipkey("index", "versions", "widget", "--index-url", index.url, "-p", venv)
    assert ours.stdout.splitlines()[2:] == ["  INSTALLED: 1.0", "  LATEST:    1.5"]
    none = run_pipkey("index", "versions", "futuristic", "--index-url", index.url, "-p", venv)
    assert none.returncode == 1 and "no versions of futuristic found" in none.stderr
    assert_no_secret(PASSWORD, none.stdout, none.stderr)


def test_index_versions_wrong_password_is_an_auth_error(index: Index, venv: Path) -> None:
    wrong = index.url.replace(PASSWORD, "nope-wrong")
    ours = run_pipkey("index", "versions", "widget", "--index-url", wrong, "-p", venv,
                      "--no-input")  # fmt: skip
    assert ours.returncode != 0
    assert "403" in ours.stderr and "nope-wrong" not in ours.stderr


# -- compile ------------------------------------------------------------------------------------


def test_compile_is_lock_r_under_uv_s_name(tmp_path: Path, index: Index, venv: Path) -> None:
    (tmp_path / "requirements.in").write_text(f"--index-url {index.url}\nwidget<2\n")
    ours = run_pipkey("compile", "requirements.in", "-o", "a.txt", "-p", venv, cwd=tmp_path)
    assert ours.returncode == 0, ours.stderr
    (tmp_path / "lock.in").write_text("widget<2\n")
    locked = run_pipkey("lock", "-r", "lock.in", "-o", "b.txt", "-p", venv, "--index-url",
                        index.url, cwd=tmp_path)  # fmt: skip
    assert locked.returncode == 0, locked.stderr
    body = (tmp_path / "a.txt").read_text().splitlines()[1:]
    assert body == (tmp_path / "b.txt").read_text().splitlines()[1:]
    assert "widget==1.5 \\" in body and "gear==0.9 \\" in body
    printed = run_pipkey("compile", "requirements.in", "-p", venv, cwd=tmp_path)
    assert printed.stdout.splitlines()[1:] == body
    assert_no_secret(PASSWORD, ours.stderr, printed.stdout, (tmp_path / "a.txt").read_text())


# -- cache ----------------------------------------------------------------------------------------


def test_cache_dir_follows_flag_and_variables(tmp_path: Path) -> None:
    assert run_pipkey("cache", "dir", "--cache-dir", tmp_path / "x").stdout.strip() == str(
        tmp_path / "x"
    )
    env = {**os.environ, "UV_CACHE_DIR": str(tmp_path / "uv")}
    assert run_pipkey("cache", "dir", env=env).stdout.strip() == str(tmp_path / "uv")
    env["PIPKEY_CACHE_DIR"] = str(tmp_path / "pk")
    assert run_pipkey("cache", "dir", env=env).stdout.strip() == str(tmp_path / "pk")


def test_cache_info_clean_package_and_clean_all(tmp_path: Path, index: Index, venv: Path) -> None:
    cache = tmp_path / "cache"
    done = run_pipkey("install", "-p", venv, "widget", "--index-url", index.url, "--cache-dir",
                      cache)  # fmt: skip
    assert done.returncode == 0, done.stderr
    info = run_pipkey("cache", "info", "--cache-dir", cache).stdout
    assert "downloaded wheels: 2 files" in info
    on_disk = sum(p.lstat().st_size for p in cache.rglob("*") if p.is_file())
    assert run_pipkey("cache", "size", "--cache-dir", cache).stdout == f"{on_disk}\n"
    cleaned = run_pipkey("cache", "clean", "gear", "--cache-dir", cache)
    assert cleaned.returncode == 0, cleaned.stderr
    left = [p.name for p in (cache / "wheels-v1").rglob("*.whl")]
    assert left == ["widget-1.5-py3-none-any.whl"]
    (cache / "notes.txt").write_text("not pipkey's")
    assert run_pipkey("cache", "purge", "--cache-dir", cache).returncode == 0
    assert sorted(p.name for p in cache.iterdir()) == ["notes.txt"]


def test_cache_prune_keeps_fresh_in_flight_downloads(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    old, fresh = cache / "tmp" / "old", cache / "tmp" / "fresh"
    for path in (old, fresh):
        path.mkdir(parents=True)
        (path / "x.whl.part").write_bytes(b"x" * 10)
    hours_ago = time.time() - 7200
    os.utime(old, (hours_ago, hours_ago))
    facts = cache / "interpreters-v1"
    facts.mkdir()
    (facts / "gone.json").write_text(json.dumps({"executable": str(tmp_path / "no-python")}))
    (facts / "here.json").write_text(json.dumps({"executable": sys.executable}))
    pruned = run_pipkey("cache", "prune", "--cache-dir", cache)
    assert pruned.returncode == 0, pruned.stderr
    assert "Removed 2 files" in pruned.stderr
    assert not old.exists() and (fresh / "x.whl.part").exists()
    assert [p.name for p in facts.iterdir()] == ["here.json"]


# -- pip aliases ----------------------------------------------------------------------------------


def test_pip_aliases_are_the_same_commands(index: Index, venv: Path) -> None:
    installed = run_pipkey("pip", "install", "-p", venv, "widget", "--index-url", index.url)
    assert installed.returncode == 0, installed.stderr
    alias, direct = run_pipkey("pip", "tree", "-p", venv), run_pipkey("tree", "-p", venv)
    assert alias.returncode == 0 and alias.stdout == direct.stdout == "widget v1.5\n└── gear v0.9\n"
    removed = run_pipkey("pip", "uninstall", "-p", venv, "gear")
    assert removed.returncode == 0
    assert run_pipkey("pip", "freeze", "-p", venv).stdout == "Widget==1.5\n"
    unknown = run_pipkey("pip", "wheel")
    assert unknown.returncode == 2 and "No such command 'wheel'" in unknown.stderr


# -- -v trace -------------------------------------------------------------------------------------


def test_verbose_traces_requests_auth_decisions_cache_and_timing(
    tmp_path: Path, index: Index, venv: Path
) -> None:
    """Like uv's -v: each request with its answer and time, each auth decision, cache hits."""
    args = ("install", "-p", venv, "gear", "--index-url", index.url, "--cache-dir", tmp_path / "c")
    first = run_pipkey(*args, "-v")
    assert first.returncode == 0, first.stderr
    lines = first.stderr.splitlines()
    assert any("pipkey.auth: auth" in line and "sending user 'alice'" in line for line in lines)
    assert any("pipkey.net: GET" in line and "/simple/gear/ -> 200 in" in line for line in lines)
    assert any("cache miss: gear-0.9-py3-none-any.whl" in line for line in lines)
    assert any(line.lstrip().split("ms", 1)[0].isdigit() for line in lines)  # time since start
    again = run_pipkey(*args, "--reinstall", "-v")
    assert "cache hit: gear-0.9-py3-none-any.whl" in again.stderr
    quiet = run_pipkey(*args, "--reinstall")
    assert "pipkey.net" not in quiet.stderr and "cache hit" not in quiet.stderr
    assert_no_secret(PASSWORD, first.stderr, again.stderr, username="alice")


def test_report_to_stdout_carries_no_credential(index: Index, venv: Path) -> None:
    """``--dry-run --report -`` (pip's idiom) from an index whose URL holds a password."""
    result = run_pipkey("install", "-p", venv, "widget", "--index-url", index.url, "--dry-run",
                        "--report", "-", "-q")  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    urls = [entry["download_info"]["url"] for entry in report["install"]]
    assert sorted(url.rsplit("/", 1)[1] for url in urls) == [
        "gear-0.9-py3-none-any.whl", "widget-1.5-py3-none-any.whl"
    ]  # fmt: skip
    assert all(url.startswith("http://127.0.0.1:") for url in urls)
    assert_no_secret(PASSWORD, result.stdout, result.stderr, username="alice")
    assert not list((venv / "lib").glob("python3*/site-packages/widget"))
