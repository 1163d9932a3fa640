"""Issue 19, "bounded and repairable" on the network side: hostile index servers — gzip bombs,
slow drips, endless or oversized bodies, huge PEP 658 metadata, odd pages — and runs killed
mid-download or out of disk. One test per attack; each failed (or hung, or crashed) before its
fix. The hostile server (tests/support/hostile.py) plays what no real server does.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import run_pipkey
from tests.support.hostile import (
    HostileServer,
    anchor,
    drip,
    endless,
    file_href,
    fixed,
    gzip_bomb,
    gzip_bomb_body,
    html_page,
    send,
    serve_file,
)
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.e2e

BOMB_MIB = 1024  # 1 GiB decompressed, about 1 MiB on the wire


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return gzip_bomb_body(BOMB_MIB)


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


def install(venv: Path, *args: str | Path, env: dict[str, str] | None = None) -> Any:
    return run_pipkey(
        "install", "--python", venv, "--cache-dir", venv.parent / "cache", *args, env=env
    )


def measured(*args: str | Path, env: dict[str, str] | None = None) -> tuple[Any, int, float]:
    """Run pipkey as a grandchild and return (result, its peak RSS in KiB, wall seconds)."""
    probe = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "sys.stdout.write(done.stdout); sys.stderr.write(done.stderr)\n"
        "print(f'MAXRSS={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}',"
        " file=sys.stderr)\n"
        "sys.exit(done.returncode)\n"
    )
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", probe, sys.executable, "-m", "pipkey", *map(str, args)],
        env=dict(os.environ if env is None else env),
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    seconds = time.monotonic() - started
    rss = int(result.stderr.rsplit("MAXRSS=", 1)[1].strip())
    return result, rss, seconds


def one_line_error(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr
    assert "error:" in stderr, stderr


# -- memory: decompressed page size, PEP 658 metadata size ---------------------------------------


def test_a_gzip_bomb_index_page_is_refused_in_bounded_memory(
    venv: Path, hostile: HostileServer, bomb: bytes
) -> None:
    """An index page of 1 MiB on the wire that inflates to 1 GiB. pip, uv (and pipkey) used to
    inflate it whole and die; pipkey now inflates in 1 MiB steps and stops at 100 MiB."""
    hostile.route("/simple/victim/", gzip_bomb(bomb))
    cache = venv.parent / "cache"

    result, rss_kib, _ = measured(
        "install", "--python", venv, "--cache-dir", cache, "--index-url", hostile.url, "victim"
    )

    assert result.returncode != 0
    one_line_error(result.stderr)
    assert "larger than 100 MiB decompressed" in result.stderr, result.stderr
    assert rss_kib < 400 * 1024, f"peak RSS {rss_kib // 1024} MiB"


def test_huge_pep658_metadata_is_refused_in_bounded_memory(
    venv: Path, packages_dir: Path, hostile: HostileServer
) -> None:
    """A page promises PEP 658 metadata, and the .metadata file never ends (100 MB used to cost
    1.6 GiB). Metadata is bounded at 16 MiB."""
    wheel = build_wheel(packages_dir, "victim", "1.0")
    href = file_href(hostile.root + "/files", wheel)
    page = html_page([anchor(href, wheel.name, data_dist_info_metadata="true")])
    hostile.route("/simple/victim/", page)
    hostile.route(f"/files/{wheel.name}.metadata", endless(b"Requires-Dist: x\n" * 4096))
    hostile.route(f"/files/{wheel.name}", serve_file(wheel))

    result, rss_kib, _ = measured(
        "install", "--python", venv, "--cache-dir", venv.parent / "cache",
        "--index-url", hostile.url, "victim",
    )  # fmt: skip

    assert result.returncode != 0
    one_line_error(result.stderr)
    assert "larger than 16 MiB" in result.stderr, result.stderr
    assert rss_kib < 300 * 1024, f"peak RSS {rss_kib // 1024} MiB"


# -- time: slow-drip servers -----------------------------------------------------------------------


def test_a_slow_drip_page_ends_near_the_timeout(venv: Path, hostile: HostileServer) -> None:
    """A page served at 1 byte/s (every read arrives well within --timeout, so a per-read
    timeout never fires: this ran 90 s+). Fewer than 1 KiB per --timeout window ends it."""
    body = b"<html><body>" + b" " * 4096 + b"</body></html>"
    hostile.route("/simple/victim/", drip(body, every=1.0))

    started = time.monotonic()
    result = install(venv, "--timeout", "3", "--index-url", hostile.url, "victim")
    seconds = time.monotonic() - started

    assert result.returncode != 0
    one_line_error(result.stderr)
    assert "slow-drip" in result.stderr, result.stderr
    assert seconds < 12, f"took {seconds:.1f} s with --timeout 3"


def test_a_server_dripping_its_headers_ends_near_the_timeout(
    venv: Path, hostile: HostileServer
) -> None:
    """The status line and headers at 1 byte/s: h11 waits for up to 16 KiB of headers, so this
    held a run for hours. Headers must be complete within 2 x --timeout."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Padding: " + b"a" * 200

    def reply(handler: Any) -> None:
        try:
            for i in range(len(head)):
                handler.wfile.write(head[i : i + 1])
                handler.wfile.flush()
                time.sleep(1.0)
        except OSError:
            pass

    hostile.route("/simple/victim/", reply)

    started = time.monotonic()
    result = install(venv, "--timeout", "2", "--index-url", hostile.url, "victim")
    seconds = time.monotonic() - started

    assert result.returncode != 0
    one_line_error(result.stderr)
    assert "response headers within 4 s" in result.stderr, result.stderr
    assert seconds < 15, f"took {seconds:.1f} s with --timeout 2"


# -- size: downloads ------------------------------------------------------------------------------


def _page_for(hostile: HostileServer, wheel: Path, reply: Any) -> None:
    hostile.route("/simple/victim/", html_page([anchor(f"/files/{wheel.name}", wheel.name)]))
    hostile.route(f"/files/{wheel.name}", reply)


def test_a_download_without_content_length_stops_at_the_limit(
    venv: Path, packages_dir: Path, hostile: HostileServer
) -> None:
    """A wheel that never ends (no Content-Length): the cache disk used to fill up."""
    wheel = build_wheel(packages_dir, "victim", "1.0")
    _page_for(hostile, wheel, endless())
    env = {**os.environ, "PIPKEY_MAX_DOWNLOAD_BYTES": str(4 << 20)}

    result = install(venv, "--index-url", hostile.url, "victim", env=env)

    assert result.returncode != 0
    one_line_error(result.stderr)
    assert "larger than 4 MiB" in result.stderr, result.stderr
    leftovers = [p for p in (venv.parent / "cache").rglob("*") if p.is_file()]
    assert all(p.stat().st_size < 1 << 20 for p in leftovers), leftovers


def test_a_download_declaring_more_than_the_limit_is_refused_before_it_starts(
    venv: Path, packages_dir: Path, hostile: HostileServer
) -> None:
    wheel = build_wheel(packages_dir, "victim", "1.0")
    _page_for(hostile, wheel, endless(claimed=50 << 30))
    env = {**os.environ, "PIPKEY_MAX_DOWNLOAD_BYTES": str(4 << 20)}

    result = install(venv, "--index-url", hostile.url, "victim", env=env)

    assert result.returncode != 0
    one_line_error(result.stderr)
    assert "declares 51200 MiB" in result.stderr, result.stderr


# -- repair: .part files of killed runs, a full disk ----------------------------------------------


def test_the_partial_download_of_a_killed_run_is_swept_by_the_next_run(
    venv: Path, packages_dir: Path, hostile: HostileServer
) -> None:
    """SIGKILL in the middle of a download leaves ``cache/tmp/<run>/.part-…``; nothing removed it.
    The next run sweeps staging directories whose run is gone (their lock is free)."""
    wheel = build_wheel(packages_dir, "victim", "1.0", files={"victim/big.bin": os.urandom(4096)})
    data = wheel.read_bytes()

    def slow(handler: Any) -> None:
        if handler.headers.get("Range"):  # no range reads here: the download is what drips
            handler.send_response(416)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        try:
            handler.wfile.write(data[:2048])
            handler.wfile.flush()
            time.sleep(30)
        except OSError:
            pass

    _page_for(hostile, wheel, slow)
    cache = venv.parent / "cache"
    argv = [sys.executable, "-m", "pipkey", "install", "--python", str(venv)]
    argv += ["--cache-dir", str(cache), "--index-url", hostile.url, "victim"]
    run = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not list((cache / "tmp").rglob(".part-*")) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait()
    assert list((cache / "tmp").rglob(".part-*")), "the download never started"

    hostile.route(f"/files/{wheel.name}", serve_file(wheel))
    result = install(venv, "--index-url", hostile.url, "victim")

    assert result.returncode == 0, result.stderr
    assert list((cache / "tmp").rglob(".part-*")) == []
    assert list((cache / "tmp").iterdir()) == []


@pytest.fixture
def tiny_cache(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs as the cache directory (needs root, as the test machine has)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_cache_disk_is_a_clear_error(
    venv: Path, packages_dir: Path, hostile: HostileServer, tiny_cache: Path
) -> None:
    """ENOSPC while downloading into the cache was a traceback."""
    big = {"victim/blob.bin": os.urandom(3 << 20)}  # incompressible: 3 MiB > the 1 MiB disk
    wheel = build_wheel(packages_dir, "victim", "1.0", files=big)
    _page_for(hostile, wheel, serve_file(wheel))

    result = run_pipkey(
        "install", "--python", venv, "--cache-dir", tiny_cache, "--index-url", hostile.url, "victim"
    )

    assert result.returncode != 0
    one_line_error(result.stderr)
    assert "no space left" in result.stderr.lower(), result.stderr
    assert not (venv / "lib").exists() or not list((venv / "lib").glob("*/site-packages/victim"))


# -- page oddities --------------------------------------------------------------------------------


def _json_page(files: list[dict[str, Any]]) -> Any:
    body = json.dumps({"meta": {"api-version": "1.1"}, "name": "victim", "files": files})
    return fixed(200, body.encode(), content_type="application/vnd.pypi.simple.v1+json")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_unknown_hash_algorithm_on_a_pep691_page_is_ignored_not_a_traceback(
    venv: Path, packages_dir: Path, hostile: HostileServer
) -> None:
    """PEP 691 lets a client choose which of the hashes it checks; a name hashlib does not know
    (``blake3``) used to crash the download check."""
    wheel = build_wheel(packages_dir, "victim", "1.0")
    entry = {
        "filename": wheel.name,
        "url": f"/files/{wheel.name}",
        "hashes": {"blake3": "00" * 32, "sha256": _sha256(wheel)},
    }
    hostile.route("/simple/victim/", _json_page([entry]))
    hostile.route(f"/files/{wheel.name}", serve_file(wheel))

    result = install(venv, "--index-url", hostile.url, "victim")

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_a_pep691_page_with_only_an_unknown_hash_is_not_a_traceback(
    venv: Path, packages_dir: Path, hostile: HostileServer
) -> None:
    wheel = build_wheel(packages_dir, "victim", "1.0")
    entry = {"filename": wheel.name, "url": f"/files/{wheel.name}", "hashes": {"md6": "ab"}}
    hostile.route("/simple/victim/", _json_page([entry]))
    hostile.route(f"/files/{wheel.name}", serve_file(wheel))

    result = install(venv, "--index-url", hostile.url, "victim")

    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "filename",
    ["../victim-1.0-py3-none-any.whl", "sub/victim-1.0-py3-none-any.whl"],
)
def test_a_filename_with_a_slash_on_a_page_is_one_clear_line(
    venv: Path, packages_dir: Path, hostile: HostileServer, filename: str
) -> None:
    """A PEP 691 ``filename`` is a name, never a path: one with ``/`` is left out (named in the
    error), not written under the cache's staging directory or a crash."""
    wheel = build_wheel(packages_dir, "victim", "1.0")
    entry = {"filename": filename, "url": f"/files/{wheel.name}", "hashes": {}}
    hostile.route("/simple/victim/", _json_page([entry]))
    hostile.route(f"/files/{wheel.name}", serve_file(wheel))

    result = install(venv, "--index-url", hostile.url, "victim")

    assert result.returncode != 0
    one_line_error(result.stderr)
    assert "not a file name" in result.stderr, result.stderr
    assert not (venv.parent / "victim-1.0-py3-none-any.whl").exists()


def test_a_signed_file_url_with_a_query_string_is_used(
    venv: Path, packages_dir: Path, hostile: HostileServer
) -> None:
    """Registries on S3/GCS hand out signed URLs (``…/x.whl?X-Amz-Signature=…``); the file name
    is the path's last segment, and the query goes along to the download."""
    wheel = build_wheel(packages_dir, "victim", "1.0")
    href = f"/files/{wheel.name}?X-Amz-Expires=300&X-Amz-Signature=abc123#sha256={_sha256(wheel)}"

    def signed(handler: Any) -> None:
        if "X-Amz-Signature=abc123" in handler.path:
            serve_file(wheel)(handler)
        else:
            send(handler, 403, b"signature missing\n")

    hostile.route("/simple/victim/", html_page([anchor(href, wheel.name)]))
    hostile.route(f"/files/{wheel.name}", signed)

    result = install(venv, "--index-url", hostile.url, "victim")

    assert result.returncode == 0, result.stderr
    assert "Installed 1 package" in result.stderr + result.stdout


def test_a_version_with_only_yanked_files_is_not_listed_as_found(
    venv: Path, packages_dir: Path, hostile: HostileServer
) -> None:
    """``victim>=2`` when 2.0 is yanked and 1.0 is not: the error lists 1.0 as found and 2.0
    as yanked — not 2.0 among the versions a user could install."""
    old = build_wheel(packages_dir, "victim", "1.0")
    new = build_wheel(packages_dir, "victim", "2.0")
    page = html_page(
        [
            anchor(f"/files/{old.name}", old.name),
            anchor(f"/files/{new.name}", new.name, data_yanked="broken build"),
        ]
    )
    hostile.route("/simple/victim/", page)

    result = install(venv, "--index-url", hostile.url, "victim>=2")

    assert result.returncode != 0
    one_line_error(result.stderr)
    found = next(line for line in result.stderr.splitlines() if "versions found" in line)
    assert "1.0" in found and "2.0" not in found, result.stderr
    assert "victim 2.0 was yanked (reason: broken build)" in result.stderr
