"""A 304 rewrites a stored page only when something it holds changes (issue 22)."""

from __future__ import annotations

import os
from pathlib import Path

from pipkey.index.page_cache import PageCache

URL = "https://index.example/simple/pkg/"


def _stored(tmp_path: Path, headers: dict[str, str]) -> tuple[PageCache, Path]:
    cache = PageCache(tmp_path, secrets=lambda: set())
    cache.store(URL, URL, {"content-type": "text/html", **headers}, b"<a>x</a>", [])
    entries = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(entries) == 1
    return cache, entries[0]


def test_a_304_for_a_page_without_max_age_and_the_same_validators_writes_nothing(
    tmp_path: Path,
) -> None:
    cache, entry = _stored(tmp_path, {"etag": '"v1"', "last-modified": "Tue, 01 Dec 2026"})
    before = os.stat(entry)
    page = cache.load(URL)
    assert page is not None
    cache.revalidated(URL, page, {"etag": '"v1"'})
    after = os.stat(entry)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert cache.load(URL) == page


def test_a_304_with_a_new_etag_or_a_max_age_is_kept(tmp_path: Path) -> None:
    cache, _ = _stored(tmp_path, {"etag": '"v1"'})
    page = cache.load(URL)
    assert page is not None
    cache.revalidated(URL, page, {"etag": '"v2"'})
    newer = cache.load(URL)
    assert newer is not None and newer.etag == '"v2"'
    cache.revalidated(URL, newer, {"cache-control": "max-age=600"})
    fresh = cache.load(URL)
    assert fresh is not None and fresh.max_age == 600 and fresh.fresh()
    assert fresh.stored >= newer.stored


def test_a_304_saying_no_store_forgets_the_page(tmp_path: Path) -> None:
    cache, entry = _stored(tmp_path, {"etag": '"v1"'})
    page = cache.load(URL)
    assert page is not None
    cache.revalidated(URL, page, {"cache-control": "no-store"})
    assert not entry.exists() and cache.load(URL) is None
