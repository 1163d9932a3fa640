"""Issue 22: index pages are cached between runs and revalidated, with no secret in the cache.

Real parts: nginx serving a static PEP 503 tree behind ``auth_basic`` — it sends ``ETag`` and
``Last-Modified`` for static files, and ``Cache-Control: max-age`` when configured with
``expires`` (as PyPI sends ``max-age=600``); its access log says what was asked and answered.
A page with ``Last-Modified`` and no stated lifetime is fresh for ten minutes, as uv assumes
(``aged`` moves a stored page past that, as the next day's run finds it).
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import assert_no_secret, run_pipkey
from tests.support.servers import NginxAuth
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.e2e

USER, PASSWORD = "alice", "s3cret-Pa55-pages"


@dataclass
class Static:
    root: Path
    nginx: NginxAuth

    @property
    def index(self) -> str:  # the password in the URL: the cache must still not hold it
        return self.nginx.url.replace("http://", f"http://{USER}:{PASSWORD}@")

    def publish(self, name: str, *versions: str, signed: str = "") -> None:
        """``signed``: one more file whose link carries that query string (a signed URL)."""
        files = self.root / "files"
        anchors = []
        for version in versions:
            wheel = build_wheel(files, name, version)
            digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
            href = f"../../files/{wheel.name}#sha256={digest}"
            anchors.append(f'<a href="{html.escape(href)}">{wheel.name}</a>')
        if signed:
            href = f"../../files/{name}-0.1.tar.gz?{signed}"
            anchors.append(f'<a href="{html.escape(href)}">{name}-0.1.tar.gz</a>')
        page = self.root / "simple" / name / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text("<!DOCTYPE html><html><body>\n" + "\n".join(anchors) + "\n</body></html>\n")

    def page_answers(self, name: str) -> list[str]:
        return [e["status"] for e in self.nginx.access_log_entries()
                if e["uri"] == f"/simple/{name}/" and e["user"] == USER]  # fmt: skip


def _static(tmp_path_factory: pytest.TempPathFactory, extra: str) -> Iterator[Static]:
    root = tmp_path_factory.mktemp("static-index")
    os.chmod(root, 0o755)  # nginx's worker reads it
    with NginxAuth(f"static:{root}", {USER: PASSWORD}, workdir=tmp_path_factory.mktemp("ng"),
                   extra=extra) as nginx:  # fmt: skip
        yield Static(root, nginx)


@pytest.fixture(scope="module")
def revalidating(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Static]:
    """nginx's default for static files: validators, no freshness lifetime."""
    yield from _static(tmp_path_factory, "")


@pytest.fixture(scope="module")
def fresh_for_an_hour(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Static]:
    yield from _static(tmp_path_factory, "expires 1h;")


def aged(cache: Path, seconds: float = 601) -> None:
    """Every stored page as if received ``seconds`` earlier (the entry's first line holds the
    time it was stored)."""
    for entry in (p for p in (cache / "pages-v1").rglob("*") if p.is_file()):
        head, _, body = entry.read_bytes().partition(b"\n")
        fields = json.loads(head)
        fields["stored"] -= seconds
        entry.write_bytes(json.dumps(fields).encode() + b"\n" + body)


def install(static: Static, tmp_path: Path, cache: Path, *packages: str) -> str:
    venv = tmp_path / f"venv-{len(list(tmp_path.glob('venv-*')))}"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    result = run_pipkey("install", "--python", venv, "--cache-dir", cache, "--index-url",
                        static.index, *packages)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout + result.stderr


def test_a_page_with_last_modified_is_fresh_for_ten_minutes_then_revalidated(
    revalidating: Static, tmp_path: Path
) -> None:
    """uv's heuristic: no Cache-Control, but Last-Modified: used without a request for ten
    minutes. Past them, pip's and uv's revalidation (If-None-Match / If-Modified-Since): nginx
    answers 304 without a body, the stored page is used and fresh for ten more minutes."""
    revalidating.publish("steady", "1.0")
    cache = tmp_path / "cache"
    install(revalidating, tmp_path, cache, "steady")
    assert "steady==1.0" in install(revalidating, tmp_path, cache, "steady")
    assert revalidating.page_answers("steady") == ["200"]  # within ten minutes: not asked
    aged(cache)
    assert "steady==1.0" in install(revalidating, tmp_path, cache, "steady")
    assert revalidating.page_answers("steady") == ["200", "304"]
    assert "steady==1.0" in install(revalidating, tmp_path, cache, "steady")
    assert revalidating.page_answers("steady") == ["200", "304"]  # the 304 renewed it


def test_refresh_asks_about_a_page_still_fresh(revalidating: Static, tmp_path: Path) -> None:
    """uv's ``--refresh``: every stored page is revalidated, as pip does on every run."""
    revalidating.publish("refreshed", "1.0")
    cache = tmp_path / "cache"
    install(revalidating, tmp_path, cache, "refreshed")
    install(revalidating, tmp_path, cache, "refreshed", "--refresh")
    assert revalidating.page_answers("refreshed") == ["200", "304"]


def test_a_changed_page_is_fetched_again(revalidating: Static, tmp_path: Path) -> None:
    revalidating.publish("moving", "1.0")
    cache = tmp_path / "cache"
    install(revalidating, tmp_path, cache, "moving")
    revalidating.publish("moving", "1.0", "2.0")  # a new release: new ETag and Last-Modified
    os.utime(revalidating.root / "simple" / "moving" / "index.html", (2e9, 2e9))
    aged(cache)
    second = install(revalidating, tmp_path, cache, "moving")
    assert "moving==2.0" in second
    assert revalidating.page_answers("moving") == ["200", "200"]


def test_a_page_fresh_by_max_age_is_used_without_a_request(
    fresh_for_an_hour: Static, tmp_path: Path
) -> None:
    """``Cache-Control: max-age`` (nginx ``expires 1h``; PyPI sends 600 s): uv uses the page
    without asking while it is fresh; so does pipkey."""
    fresh_for_an_hour.publish("quick", "1.0")
    cache = tmp_path / "cache"
    install(fresh_for_an_hour, tmp_path, cache, "quick")
    second = install(fresh_for_an_hour, tmp_path, cache, "quick")
    assert "quick==1.0" in second
    assert fresh_for_an_hour.page_answers("quick") == ["200"]


def test_cached_pages_hold_no_credential(revalidating: Static, tmp_path: Path) -> None:
    revalidating.publish("private-pkg", "1.0")
    cache = tmp_path / "cache"
    output = install(revalidating, tmp_path, cache, "private-pkg")
    pages = [p for p in (cache / "pages-v1").rglob("*") if p.is_file()]
    assert pages, "the page was not cached"
    assert all(p.stat().st_mode & 0o077 == 0 for p in pages)  # 0600: not for other users
    text = "\n".join(p.read_bytes().decode("latin-1") for p in pages)
    assert "private-pkg" in text  # the page itself is there...
    assert_no_secret(PASSWORD, text, output, username=USER)  # ...but no password or username


def test_a_page_with_signed_download_urls_is_not_stored(
    revalidating: Static, tmp_path: Path
) -> None:
    """A file link with a query string may be a signed, expiring URL: never written to disk."""
    revalidating.publish("signed", "1.0", signed="X-Signature=abc123token")
    cache = tmp_path / "cache"
    install(revalidating, tmp_path, cache, "signed")
    install(revalidating, tmp_path, cache, "signed")
    stored = "\n".join(
        p.read_bytes().decode("latin-1") for p in (cache / "pages-v1").rglob("*") if p.is_file()
    )
    assert "abc123token" not in stored
    assert revalidating.page_answers("signed") == ["200", "200"]


def test_offline_uses_a_stored_page_whatever_its_age(revalidating: Static, tmp_path: Path) -> None:
    """uv's ``--offline``: a stored page is used without a request even when it would need
    revalidating; a page never stored is a one-line error, not "no versions found"."""
    revalidating.publish("travels", "1.0")
    cache = tmp_path / "cache"
    install(revalidating, tmp_path, cache, "travels")
    second = install(revalidating, tmp_path, cache, "travels", "--offline")
    assert "travels==1.0" in second
    assert revalidating.page_answers("travels") == ["200"]  # no request at all the second time
    venv = tmp_path / "venv-unknown"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    never = run_pipkey("install", "--python", venv, "--cache-dir", cache, "--index-url",
                       revalidating.index, "--offline", "unseen")  # fmt: skip
    assert never.returncode == 1
    assert "offline (--offline): this index page is not in the page cache" in never.stderr
    assert_no_secret(PASSWORD, second, never.stdout, never.stderr, username=USER)


def _parsed_entries(cache: Path) -> list[Path]:
    return [p for p in (cache / "parsed-v1").rglob("*") if p.is_file()]


def test_a_page_is_parsed_once_per_content(revalidating: Static, tmp_path: Path) -> None:
    """uv keeps its parsed Simple API answers; pipkey keeps a page's parsed rows, used only for
    the byte-identical answer (here the 304's stored body), never rewritten while it stands,
    and holding no credential."""
    revalidating.publish("parsed-once", "1.0", "1.1")
    cache = tmp_path / "cache"
    output = install(revalidating, tmp_path, cache, "parsed-once")
    (entry,) = _parsed_entries(cache)
    before = entry.stat()
    assert before.st_mode & 0o077 == 0
    text = entry.read_bytes().decode("latin-1")
    assert "parsed_once-1.1-py3-none-any.whl" in text
    assert_no_secret(PASSWORD, text, output, username=USER)
    second = install(revalidating, tmp_path, cache, "parsed-once", "--refresh")
    assert "parsed-once==1.1" in second
    assert revalidating.page_answers("parsed-once") == ["200", "304"]
    after = entry.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_corrupted_parsed_page_is_parsed_afresh(revalidating: Static, tmp_path: Path) -> None:
    """A torn or damaged entry is never half used: its digest fails, the page is parsed again
    and the entry replaced."""
    revalidating.publish("torn", "1.0")
    cache = tmp_path / "cache"
    install(revalidating, tmp_path, cache, "torn")
    (entry,) = _parsed_entries(cache)
    data = bytearray(entry.read_bytes())
    data[-5] ^= 0xFF  # inside the rows, after the header line
    entry.write_bytes(bytes(data))
    damaged = entry.stat().st_ino
    second = install(revalidating, tmp_path, cache, "torn")
    assert "torn==1.0" in second
    (fresh,) = _parsed_entries(cache)
    assert fresh.stat().st_ino != damaged and bytes(data) != fresh.read_bytes()


def test_a_page_with_signed_urls_is_not_kept_parsed(revalidating: Static, tmp_path: Path) -> None:
    revalidating.publish("signed-rows", "1.0", signed="X-Signature=rows456token")
    cache = tmp_path / "cache"
    install(revalidating, tmp_path, cache, "signed-rows")
    stored = "\n".join(p.read_bytes().decode("latin-1") for p in _parsed_entries(cache))
    assert "rows456token" not in stored and "signed" not in stored


def test_a_release_newer_than_a_fresh_stored_page_is_found_by_asking_again(
    revalidating: Static, tmp_path: Path
) -> None:
    """uv answers a pin the stored page lacks with "no version found" until its ten minutes
    pass (or --refresh); pipkey asks the index again before failing: a release published a
    minute after the last install is found. A pin no page has fails, after one more ask."""
    revalidating.publish("just-out", "1.0")
    cache = tmp_path / "cache"
    install(revalidating, tmp_path, cache, "just-out")
    revalidating.publish("just-out", "1.0", "1.1")
    os.utime(revalidating.root / "simple" / "just-out" / "index.html", (2e9, 2e9))
    assert "just-out==1.1" in install(revalidating, tmp_path, cache, "just-out==1.1")
    assert revalidating.page_answers("just-out") == ["200", "200"]
    venv = tmp_path / "venv-missing"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    aged(cache, -3600)  # stored "in the future": the clock went back, the page is not fresh
    missing = run_pipkey("install", "--python", venv, "--cache-dir", cache, "--index-url",
                         revalidating.index, "just-out==9.0")  # fmt: skip
    assert missing.returncode == 1 and "just-out" in missing.stderr
    assert revalidating.page_answers("just-out") == ["200", "200", "304"]
    again = run_pipkey("install", "--python", venv, "--cache-dir", cache, "--index-url",
                       revalidating.index, "just-out==9.0")  # fmt: skip
    assert again.returncode == 1
    assert revalidating.page_answers("just-out") == ["200", "200", "304", "304"]
    assert_no_secret(PASSWORD, missing.stdout, missing.stderr, again.stderr, username=USER)


def test_a_warm_install_on_fresh_pages_asks_neither_the_index_nor_the_keyring(
    revalidating: Static, tmp_path: Path, json_keyring: Any, keyring_cli: Any
) -> None:
    """uv's warm install on a private index: no request, no keyring call. pipkey's too — the
    look-ahead waits for a first request that never comes, and neither the HTTP stack nor the
    auth engine nor keyring is even imported. The first run's keyring answer is not stored."""
    revalidating.publish("quiet", "1.0")
    json_keyring.set(revalidating.nginx.url, USER, PASSWORD)
    url = revalidating.nginx.url.replace("http://", f"http://{USER}@")
    cache = tmp_path / "cache"
    env = {**os.environ, "PIPKEY_KEYRING_PATH": str(keyring_cli.path)}
    runs = []
    for name in ("first", "second"):
        venv = tmp_path / name
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        runs.append(run_pipkey("install", "--python", venv, "--cache-dir", cache, "--index-url",
                               url, "--keyring-provider", "subprocess", "quiet",
                               env={**env, "PYTHONPROFILEIMPORTTIME": "1"}))  # fmt: skip
        assert runs[-1].returncode == 0, runs[-1].stderr
        assert (venv / "lib").exists()
    lookups = json_keyring.calls("get_credential") + json_keyring.calls("get_password")
    assert len(lookups) == 1  # the first run's, after its 401
    assert revalidating.page_answers("quiet") == ["200"]
    imported = {line.rsplit("|", 1)[1].strip() for line in runs[1].stderr.splitlines()
                if line.startswith("import time:") and "|" in line}  # fmt: skip
    assert "pipkey.install.commit.linker" in imported  # the probe saw the install itself
    heavy = {m for m in imported if m.split(".")[0] in ("httpx", "httpcore", "keyring", "ssl")}
    assert heavy | ({"pipkey.auth.engine"} & imported) == set()
    for result in runs:
        assert_no_secret(PASSWORD, result.stdout, result.stderr, username=USER)
