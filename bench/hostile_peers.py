"""Run pip and uv against the hostile servers of tests/adversarial (issue 19) and print, per
attack, whether each tool held or broke, with its wall time and peak RSS.

    .venv/bin/python bench/hostile_peers.py

Local servers only; each tool runs in a fresh HOME with no config. This is a measurement for
the report, not a test: peers' behaviour is theirs to change.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.hostile import (
    HostileServer,
    anchor,
    drip,
    endless,
    fixed,
    gzip_bomb,
    gzip_bomb_body,
    html_page,
    send,
    serve_file,
    unauthorized,
)
from tests.support.wheels import build_wheel

VENV_BIN = Path(sys.executable).parent
SECRET = "Hunter2-peer-s3cret"


def tool_commands(index: str, target: Path) -> dict[str, list[str]]:
    uv = str(VENV_BIN / "uv")
    pip = [str(VENV_BIN / "python"), "-m", "pip"]
    return {
        "pip": [*pip, "install", "--no-cache-dir", "--no-deps", "--target", str(target),
                "--index-url", index, "--timeout", "5", "--retries", "0", "victim"],
        "uv": [uv, "pip", "install", "--no-cache", "--no-deps", "--target", str(target),
               "--index-url", index, "victim"],
        "pipkey": [str(VENV_BIN / "python"), "-m", "pipkey", "install", "--no-cache", "--no-deps",
                   "--target", str(target), "--index-url", index, "--timeout", "5", "victim"],
    }  # fmt: skip


def run(command: list[str], home: Path, cap: float) -> tuple[int | None, float, int, str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "PIP_CONFIG_FILE": "/dev/null",
        "UV_NO_CONFIG": "1",
        "UV_HTTP_TIMEOUT": "5",
        "UV_HTTP_RETRIES": "0",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }
    probe = (
        "import resource, subprocess, sys\n"
        "try:\n"
        f"    done = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout={cap})\n"
        "    out, rc = done.stdout + done.stderr, done.returncode\n"
        "except subprocess.TimeoutExpired:\n"
        "    out, rc = 'TIMEOUT', -1\n"
        "print(out[-400:]); print('MAXRSS=%d' % resource.getrusage(resource.RUSAGE_CHILDREN)"
        ".ru_maxrss); print('RC=%d' % rc)\n"
    )
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True,
                          text=True, env=env)  # fmt: skip
    seconds = time.monotonic() - started
    text = done.stdout
    rss = int(text.rsplit("MAXRSS=", 1)[1].split()[0])
    rc = int(text.rsplit("RC=", 1)[1].split()[0])
    return (None if rc == -1 else rc), seconds, rss // 1024, text.rsplit("MAXRSS=", 1)[0]


Attack = Callable[[HostileServer, HostileServer, Path], Callable[..., bool]]


def attack_gzip_bomb(h: HostileServer, _o: HostileServer, _w: Path) -> Callable[..., bool]:
    h.route("/simple/victim/", gzip_bomb(gzip_bomb_body(1024)))
    return lambda tool, rc, out, rss: rc is not None and "Traceback" not in out and rss < 500


def attack_slow_drip(h: HostileServer, _o: HostileServer, _w: Path) -> Callable[..., bool]:
    h.route("/simple/victim/", drip(b"<html><body>" + b" " * 4096, every=1.0))
    return lambda tool, rc, out, rss: rc is not None


def attack_unknown_hash(h: HostileServer, _o: HostileServer, w: Path) -> Callable[..., bool]:
    wheel = build_wheel(w, "victim", "1.0")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    entry = {"filename": wheel.name, "url": f"/files/{wheel.name}",
             "hashes": {"blake3": "00" * 32, "sha256": digest}}  # fmt: skip
    body = json.dumps({"meta": {"api-version": "1.1"}, "name": "victim", "files": [entry]})
    h.route(
        "/simple/victim/",
        fixed(200, body.encode(), content_type="application/vnd.pypi.simple.v1+json"),
    )
    h.route(f"/files/{wheel.name}", serve_file(wheel))
    return lambda tool, rc, out, rss: rc == 0


def attack_slash_filename(h: HostileServer, _o: HostileServer, w: Path) -> Callable[..., bool]:
    wheel = build_wheel(w, "victim", "1.0")
    entry = {"filename": "../../victim-1.0-py3-none-any.whl", "url": f"/files/{wheel.name}",
             "hashes": {}}  # fmt: skip
    body = json.dumps({"meta": {"api-version": "1.1"}, "name": "victim", "files": [entry]})
    h.route(
        "/simple/victim/",
        fixed(200, body.encode(), content_type="application/vnd.pypi.simple.v1+json"),
    )
    h.route(f"/files/{wheel.name}", serve_file(wheel))
    return lambda tool, rc, out, rss: rc is not None and "Traceback" not in out


def attack_query_string(h: HostileServer, _o: HostileServer, w: Path) -> Callable[..., bool]:
    wheel = build_wheel(w, "victim", "1.0")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    href = f"/files/{wheel.name}?X-Amz-Signature=abc123#sha256={digest}"

    def signed(handler: object) -> None:
        if "X-Amz-Signature=abc123" in handler.path:  # type: ignore[attr-defined]
            serve_file(wheel)(handler)  # type: ignore[arg-type]
        else:
            send(handler, 403, b"signature missing\n")  # type: ignore[arg-type]

    h.route("/simple/victim/", html_page([anchor(href, wheel.name)]))
    h.route(f"/files/{wheel.name}", signed)
    return lambda tool, rc, out, rss: rc == 0


def attack_netrc_default(h: HostileServer, o: HostileServer, w: Path) -> Callable[..., bool]:
    wheel = build_wheel(w, "victim", "1.0")
    href = f"http://127.0.0.1:{o.port}/files/{wheel.name}"
    h.route("/simple/victim/", html_page([anchor(href, wheel.name)]))
    o.route(f"/files/{wheel.name}", serve_file(wheel))
    (w / "home" / ".netrc").write_text(f"default login alice password {SECRET}\n")
    (w / "home" / ".netrc").chmod(0o600)
    return lambda tool, rc, out, rss: all("Authorization" not in r.headers for r in o.requests)


def attack_token_username(h: HostileServer, _o: HostileServer, _w: Path) -> Callable[..., bool]:
    h.route("/simple/victim/", unauthorized())
    h.index_override = h.url.replace("http://", "http://glpat-sh0rt-t0ken@")  # type: ignore[attr-defined]
    return lambda tool, rc, out, rss: "glpat-sh0rt-t0ken" not in out


def attack_header_drip(h: HostileServer, _o: HostileServer, _w: Path) -> Callable[..., bool]:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Padding: " + b"a" * 200

    def reply(handler: object) -> None:
        try:
            for i in range(len(head)):
                handler.wfile.write(head[i : i + 1])  # type: ignore[attr-defined]
                handler.wfile.flush()  # type: ignore[attr-defined]
                time.sleep(1.0)
        except OSError:
            pass

    h.route("/simple/victim/", reply)
    return lambda tool, rc, out, rss: rc is not None


def attack_huge_metadata(h: HostileServer, _o: HostileServer, w: Path) -> Callable[..., bool]:
    wheel = build_wheel(w, "victim", "1.0")
    h.route("/simple/victim/", html_page([anchor(f"/files/{wheel.name}", wheel.name,
                                                 data_dist_info_metadata="true")]))  # fmt: skip
    h.route(f"/files/{wheel.name}.metadata", endless(b"Requires-Dist: x\n" * 4096))
    h.route(f"/files/{wheel.name}", serve_file(wheel))
    return lambda tool, rc, out, rss: rc is not None and rss < 500


ATTACKS: dict[str, Attack] = {
    "headers dripped at 1 byte/s, timeout 5": attack_header_drip,
    "endless PEP 658 metadata": attack_huge_metadata,
    "gzip bomb page (1 GiB inflated)": attack_gzip_bomb,
    "slow drip page, 1 byte/s, timeout 5": attack_slow_drip,
    "unknown hash algorithm (PEP 691)": attack_unknown_hash,
    "filename with '/' (PEP 691)": attack_slash_filename,
    "signed file URL with a query string": attack_query_string,
    "netrc default sent to a linked host": attack_netrc_default,
    "short token in the URL username shown": attack_token_username,
}


def main() -> None:
    rows = []
    only = os.environ.get("HOSTILE_PEERS_ONLY")
    for name, attack in ATTACKS.items():
        if only and only not in name:
            continue
        for tool in ("pip", "uv", "pipkey"):
            work = Path(tempfile.mkdtemp(prefix="hostile-peers-"))
            (work / "home").mkdir()
            with HostileServer() as h, HostileServer() as o:
                held = attack(h, o, work)
                index = getattr(h, "index_override", h.url)
                command = tool_commands(index, work / "target")[tool]
                rc, seconds, rss, out = run(command, work / "home", cap=40)
                ok = held(tool, rc, out, rss)
            rows.append((name, tool, "held" if ok else "broke", rc, seconds, rss, out))
            shutil.rmtree(work, ignore_errors=True)
            print(f"{name:42} {tool:7} {'held' if ok else 'BROKE':6} rc={rc} "
                  f"{seconds:5.1f}s {rss:5d} MiB", flush=True)  # fmt: skip
    if os.environ.get("HOSTILE_PEERS_VERBOSE"):
        for row in rows:
            print("----", row[0], row[1], "\n", row[-1])


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_AS, (8 << 30, 8 << 30))
    main()
