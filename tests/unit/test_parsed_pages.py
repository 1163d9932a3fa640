"""index/parsed_pages.py: rows kept per page URL, used only for the byte-identical answer,
never holding a secret (the page cache's rules)."""

from __future__ import annotations

import json
from pathlib import Path

from pipkey.index.page import JSON_TYPE, parse_page
from pipkey.index.parsed_pages import ParsedPages

URL = "https://user:pw@index.example/simple/p/"
BASE = "https://index.example/simple/p/"


def _body(token: str = "") -> bytes:
    files = [{"filename": "p-1.0-py3-none-any.whl", "url": f"https://f.example/p-1.0-py3-none-any.whl{token}",
              "hashes": {"sha256": "ab" * 32}}]  # fmt: skip
    return json.dumps({"meta": {"api-version": "1.0"}, "name": "p", "files": files}).encode()


def _cached(tmp_path: Path, body: bytes, secrets: frozenset[str] = frozenset()) -> ParsedPages:
    pages = ParsedPages(tmp_path, secrets=lambda: set(secrets))
    pages.store(URL, body, JSON_TYPE, BASE, parse_page(body, JSON_TYPE, BASE))
    return pages


def test_the_same_answer_reads_back_the_same_rows(tmp_path: Path) -> None:
    body = _body()
    pages = _cached(tmp_path, body)
    again = pages.load(URL, body, JSON_TYPE, BASE)
    assert again is not None and again == parse_page(body, JSON_TYPE, BASE)
    # another password for the same user and URL: the same key (no password in it)
    assert pages.load(URL.replace(":pw@", ":other@"), body, JSON_TYPE, BASE) is not None


def test_any_other_answer_misses(tmp_path: Path) -> None:
    body = _body()
    pages = _cached(tmp_path, body)
    assert pages.load(URL, body + b" ", JSON_TYPE, BASE) is None
    assert pages.load(URL, body, "text/html", BASE) is None
    assert pages.load(URL, body, JSON_TYPE, BASE + "moved/") is None
    assert pages.load(URL.replace("user:", "someone:"), body, JSON_TYPE, BASE) is None


def test_a_body_with_a_known_secret_or_a_signed_file_is_never_written(tmp_path: Path) -> None:
    _cached(tmp_path / "a", _body(), secrets=frozenset({"f.example/p-1.0"}))
    _cached(tmp_path / "b", _body("?X-Amz-Signature=tok"))
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_a_truncated_entry_is_not_used(tmp_path: Path) -> None:
    body = _body()
    pages = _cached(tmp_path, body)
    (entry,) = [p for p in tmp_path.rglob("*") if p.is_file()]
    entry.write_bytes(entry.read_bytes()[:-3])
    assert pages.load(URL, body, JSON_TYPE, BASE) is None
