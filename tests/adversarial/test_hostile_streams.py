"""Wheels unpack while they download: a download that is cut short, or whose bytes do not
match the index's hash, must leave no cache entry and reach no environment (the streamed tree
is taken only after the whole file's hash is checked)."""

from __future__ import annotations

import hashlib
import json
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from tests.support.cli import run_pipkey
from tests.support.hostile import HostileServer, anchor, html_page, send, serve_file
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.e2e


def site_packages(venv: Path) -> Path:
    return next((venv / "lib").glob("python3*/site-packages"))


def cache_entries(cache: Path) -> list[Path]:
    """Everything a later run would trust: unpacked trees, wheel files (not the run's tmp)."""
    return [p for kind in ("unpacked-v1", "wheels-v1") for p in (cache / kind).glob("*/*/*")]


def index_with(server: HostileServer, wheel: Path, sha256: str) -> str:
    base = server.url.rstrip("/").removesuffix("/simple")
    server.route(
        "/simple/streamed/",
        html_page([anchor(f"{base}/files/{wheel.name}#sha256={sha256}", wheel.name)]),
    )
    return f"{base}/simple/"


@pytest.fixture
def wheel(packages_dir: Path) -> Path:
    files = {f"streamed/m{i}.py": f"X = {i}\n" * 200 for i in range(40)}
    return build_wheel(packages_dir, "streamed", "1.0", files=files)


def install(venv: Path, index: str) -> tuple[int, str]:
    result = run_pipkey("install", "--python", venv, "--cache-dir", venv.parent / "cache",
                        "--retries", "0", "--index-url", index, "streamed")  # fmt: skip
    return result.returncode, result.stderr


def test_a_wheel_with_a_bad_hash_leaves_no_cache_entry(venv: Path, wheel: Path) -> None:
    with HostileServer() as server:
        index = index_with(server, wheel, hashlib.sha256(b"another file").hexdigest())
        server.route(f"/files/{wheel.name}", serve_file(wheel))

        code, stderr = install(venv, index)

        assert len(server.seen(f"/files/{wheel.name}")) == 2  # one fresh copy is asked for
    assert code != 0 and "Traceback" not in stderr
    assert "hash" in stderr.lower()
    assert cache_entries(venv.parent / "cache") == []
    assert not list((venv.parent / "cache" / "tmp").glob("*/stream-*"))
    assert not list(site_packages(venv).glob("streamed*"))


def cut_short(wheel: Path) -> object:
    body = wheel.read_bytes()

    def reply(h: BaseHTTPRequestHandler) -> None:
        send(h, 200, body[: len(body) * 2 // 3], {"Connection": "close"},
             content_type="application/octet-stream", length=len(body))  # fmt: skip

    return reply


def test_a_download_cut_short_leaves_no_cache_entry(venv: Path, wheel: Path) -> None:
    with HostileServer() as server:
        index = index_with(server, wheel, hashlib.sha256(wheel.read_bytes()).hexdigest())
        server.route(f"/files/{wheel.name}", cut_short(wheel))  # type: ignore[arg-type]

        code, stderr = install(venv, index)

    assert code != 0 and "Traceback" not in stderr
    assert cache_entries(venv.parent / "cache") == []
    assert not list(site_packages(venv).glob("streamed*"))


def test_a_streamed_wheel_installs_and_its_cache_entry_is_complete(venv: Path, wheel: Path) -> None:
    with HostileServer() as server:
        index = index_with(server, wheel, hashlib.sha256(wheel.read_bytes()).hexdigest())
        server.route(f"/files/{wheel.name}", serve_file(wheel))

        code, stderr = install(venv, index)

    assert code == 0, stderr
    assert (site_packages(venv) / "streamed" / "m39.py").read_text() == "X = 39\n" * 200
    manifest = next((venv.parent / "cache").glob("unpacked-v1/*/*/*/pipkey-unpacked.json"))
    listed = {f[0] for f in json.loads(manifest.read_text())["files"]}
    assert {f"streamed/m{i}.py" for i in range(40)} <= listed
    assert not list((venv.parent / "cache" / "tmp").glob("*/stream-*"))
