"""A stored page's lifetime (uv's rules) and what a 304 rewrites (issue 22)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from pipkey.index.page_cache import CachedPage, PageCache, cache_control

URL = "https://index.example/simple/pkg/"


def _stored(tmp_path: Path, headers: dict[str, str]) -> tuple[PageCache, Path]:
    cache = PageCache(tmp_path, secrets=lambda: set())
    cache.store(URL, URL, {"content-type": "text/html", **headers}, b"<a>x</a>", [])
    entries = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(entries) == 1
    return cache, entries[0]


def test_a_304_for_a_page_that_is_never_fresh_and_the_same_validators_writes_nothing(
    tmp_path: Path,
) -> None:
    """An ETag and no lifetime: revalidated on every run, so the time stored means nothing."""
    cache, entry = _stored(tmp_path, {"etag": '"v1"'})
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


def test_a_304_renews_a_page_fresh_by_its_last_modified(tmp_path: Path) -> None:
    cache, _ = _stored(tmp_path, {"last-modified": "Tue, 01 Dec 2026 10:00:00 GMT"})
    page = cache.load(URL)
    assert page is not None and page.fresh()
    old = replace(page, stored=page.stored - 3600)
    assert not old.fresh()
    cache.revalidated(URL, old, {})
    renewed = cache.load(URL)
    assert renewed is not None and renewed.fresh() and renewed.stored >= page.stored


def _page(**fields: object) -> CachedPage:
    base = CachedPage(URL, "text/html", b"", None, None, 1000.0, None, False)
    return replace(base, **fields)  # type: ignore[arg-type]


def test_lifetimes_as_uv_computes_them() -> None:
    """uv's crates/uv-client httpcache: max-age, else Expires minus Date, else ten minutes
    when Last-Modified is present, else none; no-cache is never fresh."""
    modified = "Tue, 01 Dec 2026 10:00:00 GMT"
    assert _page(max_age=60.0).fresh(now=1059) and not _page(max_age=60.0).fresh(now=1061)
    assert _page(last_modified=modified).fresh(now=1599)
    assert not _page(last_modified=modified).fresh(now=1601)
    assert not _page(last_modified=modified, max_age=0.0).fresh(now=1001)  # max-age wins
    assert not _page(last_modified=modified, no_cache=True).fresh(now=1001)
    assert not _page(etag='"x"').fresh(now=1000.5)
    assert not _page(last_modified=modified).fresh(now=900)  # the clock went back


def test_expires_gives_a_lifetime_and_a_bad_one_none() -> None:
    date = "Tue, 01 Dec 2026 10:00:00 GMT"
    assert cache_control({"expires": "Tue, 01 Dec 2026 10:05:00 GMT", "date": date}) == (
        True,
        False,
        300.0,
    )
    assert cache_control({"expires": "0", "date": date}) == (True, False, 0.0)
    assert cache_control({"cache-control": "max-age=5", "expires": "0"})[2] == 5.0
