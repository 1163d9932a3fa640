"""Metadata by HTTP range requests when an index publishes no PEP 658 file (uv's "lazy" read
of remote wheels; pip's fast-deps): the resolver reads a wheel's METADATA out of the remote
zip instead of downloading the wheel.

Real parts where they exist: nginx serving a static index with no ``.metadata`` files (it
answers ``Range`` with ``206``, as PyPI's CDN, Artifactory and GAR do). The programmable index
stands in for a server that ignores ``Range`` (Python's http.server answers ``200``), and a
test-local server for one whose ranges disagree with its whole file.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from tests.support.cli import run_pipkey
from tests.support.programmable import ProgrammableIndex, ThreadedServer
from tests.support.servers import NginxAuth
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.e2e

USER, PASSWORD = "alice", "s3cret-ranges"
BIG = 600_000  # incompressible bytes in each wheel: far more than one range request reads


def _venv(where: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    return where


def _big_wheel(out: Path, name: str, version: str, **kwargs: object) -> Path:
    payload = {f"{name}_data/blob.bin": os.urandom(BIG)}
    return build_wheel(out, name, version, files=payload, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def static(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[NginxAuth, Path]]:
    root = tmp_path_factory.mktemp("no-pep658")
    os.chmod(root, 0o755)
    files = root / "files"
    wheels = [
        _big_wheel(files, "app", "1.0", requires=["lib>=2"]),
        _big_wheel(files, "app", "2.0", requires=["lib>=9"]),  # no lib 9: backtracks to 1.0
        _big_wheel(files, "lib", "2.0"),
    ]
    for wheel in wheels:
        page = root / "simple" / wheel.name.split("-")[0] / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        href = html.escape(f"../../files/{wheel.name}#sha256={digest}")
        with page.open("a") as out:
            out.write(f'<a href="{href}">{wheel.name}</a>\n')
    with NginxAuth(f"static:{root}", {USER: PASSWORD},
                   workdir=tmp_path_factory.mktemp("ng")) as nginx:  # fmt: skip
        yield nginx, root


def _wheel_answers(nginx: NginxAuth) -> list[tuple[str, str]]:
    return [(e["uri"].rsplit("/", 1)[-1], e["status"]) for e in nginx.access_log_entries()
            if e["uri"].endswith(".whl")]  # fmt: skip


def test_resolution_reads_metadata_with_range_requests_not_whole_wheels(
    static: tuple[NginxAuth, Path], tmp_path: Path
) -> None:
    """Backtracking past app 2.0 costs two small ranges, not a 600 kB download."""
    nginx, _ = static
    index = nginx.url.replace("http://", f"http://{USER}:{PASSWORD}@")
    out = run_pipkey("install", "--dry-run", "--python", _venv(tmp_path / "v"), "--index-url",
                     index, "--cache-dir", tmp_path / "cache", "app")  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "+ app==1.0" in out.stderr and "+ lib==2.0" in out.stderr
    answers = _wheel_answers(nginx)
    assert {name for name, _ in answers} == {
        "app-2.0-py3-none-any.whl", "app-1.0-py3-none-any.whl", "lib-2.0-py3-none-any.whl"
    }  # fmt: skip
    assert {status for _, status in answers} == {"206"}  # no wheel was downloaded whole


def test_a_real_install_after_range_metadata_checks_it_against_the_wheel(
    static: tuple[NginxAuth, Path], tmp_path: Path
) -> None:
    nginx, _ = static
    index = nginx.url.replace("http://", f"http://{USER}:{PASSWORD}@")
    venv = _venv(tmp_path / "v")
    out = run_pipkey("install", "--python", venv, "--index-url", index,
                     "--cache-dir", tmp_path / "cache", "app")  # fmt: skip
    assert out.returncode == 0, out.stderr
    site = next((venv / "lib").glob("python*/site-packages"))
    assert (site / "app_data" / "blob.bin").stat().st_size == BIG
    assert PASSWORD not in out.stdout + out.stderr


def test_a_server_that_ignores_ranges_is_asked_once_then_wheels_are_downloaded(
    tmp_path: Path,
) -> None:
    """http.server answers ``Range`` with the whole file (``200``): pipkey stops reading after
    a bound, downloads that wheel whole and asks that host for no more ranges."""
    files = tmp_path / "files"
    server = ProgrammableIndex(
        projects={
            "top": [_big_wheel(files, "top", "1.0", requires=["bottom"])],
            "bottom": [_big_wheel(files, "bottom", "1.0")],
        }
    ).start()
    try:
        out = run_pipkey("install", "--dry-run", "--python", _venv(tmp_path / "v"),
                         "--index-url", server.url,
                         "--cache-dir", tmp_path / "cache", "top")  # fmt: skip
        gets = [r.path for r in server.requests if r.path.endswith(".whl")]
    finally:
        server.stop()
    assert out.returncode == 0, out.stderr
    assert "+ bottom==1.0" in out.stderr
    assert gets.count("/files/top-1.0-py3-none-any.whl") == 2  # the range try, then the wheel
    assert gets.count("/files/bottom-1.0-py3-none-any.whl") == 1  # no range try this time


class _LyingRanges(ThreadedServer):
    """Ranges cut from one wheel, whole downloads of another with the same name."""

    def __init__(self, ranged: Path, whole: Path) -> None:
        self.ranged, self.whole = ranged.read_bytes(), whole.read_bytes()
        self.name = whole.name

    def handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                if self.path.startswith("/simple/"):
                    digest = hashlib.sha256(server.whole).hexdigest()
                    body = f'<a href="/files/{server.name}#sha256={digest}">x</a>'.encode()
                    return self._send(200, body, {})
                wanted = self.headers.get("Range")
                if wanted is None:
                    return self._send(200, server.whole, {})
                data = server.ranged
                found = re.fullmatch(r"bytes=(\d*)-(\d*)", wanted)
                assert found is not None
                first, last = found.groups()
                start = max(0, len(data) - int(last)) if not first else int(first)
                end = len(data) - 1 if not first or not last else min(int(last), len(data) - 1)
                span = f"bytes {start}-{end}/{len(data)}"
                return self._send(206, data[start : end + 1], {"Content-Range": span})

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


def test_metadata_read_in_ranges_must_agree_with_the_wheel_installed(tmp_path: Path) -> None:
    """The ranges said "no dependencies"; the wheel says it needs ``helper``: nothing is
    installed, and the error says which source disagreed (as for a lying PEP 658 file)."""
    honest = _big_wheel(tmp_path / "a", "liar", "1.0", requires=["helper"])
    forged = _big_wheel(tmp_path / "b", "liar", "1.0")
    server = _LyingRanges(forged, honest).start()
    venv = _venv(tmp_path / "v")
    try:
        out = run_pipkey("install", "--python", venv, "--index-url", server.url,
                         "--cache-dir", tmp_path / "cache", "liar")  # fmt: skip
    finally:
        server.stop()
    assert out.returncode == 1
    assert "range requests on the wheel disagrees with the wheel's METADATA" in out.stderr
    assert not list((venv / "lib").glob("python*/site-packages/liar*"))
