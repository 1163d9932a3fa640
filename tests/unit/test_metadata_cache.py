"""Wheel metadata kept between runs (keyed by the wheel's published sha256): a warm resolution
reads it with no request and no wheel opened; required hashes bypass it; an install still
checks it against the wheel's own METADATA."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipkey.index.client import IndexClient
from pipkey.index.errors import DownloadError
from pipkey.index.metadata_cache import MetadataCache
from pipkey.index.models import Link
from pipkey.install.store import WheelCache
from pipkey.install.store.agreement import MetadataMismatch
from pipkey.install.store.artifacts import Artifacts
from tests.support.local_index import LocalIndex


def _link(index: LocalIndex, wheel: Path) -> Link:
    from pipkey.index.client import _local_page

    page = _local_page(f"{index.url}demo/")
    return next(link for link in page.links if link.filename == wheel.name)


def _artifacts(cache: Path, **kw: object) -> tuple[IndexClient, Artifacts]:
    client = IndexClient(None)
    return client, Artifacts(client, WheelCache(cache), **kw)  # type: ignore[arg-type]


def test_cache_keys_are_sha256_only(tmp_path: Path) -> None:
    cache = MetadataCache(tmp_path)
    cache.put("../../etc/passwd", b"x")
    cache.put("A" * 64, b"x")
    assert not (tmp_path / "metadata-v1").exists()
    cache.put("ab" * 32, b"Name: demo\n")
    assert cache.get("ab" * 32) == b"Name: demo\n"
    assert cache.get("cd" * 32) is None


def test_second_run_reads_metadata_without_the_wheel(tmp_path: Path) -> None:
    index = LocalIndex(tmp_path / "index")
    wheel = index.wheel("demo", "1.0", requires=["dep>=2"])
    link = _link(index, wheel)
    client, first = _artifacts(tmp_path / "cache")
    with client:
        meta = first.metadata(link).result()
    assert b"Requires-Dist: dep>=2" in meta
    wheel.unlink()  # the next run may not open it: the metadata cache answers
    for entry in (tmp_path / "cache" / "wheels-v1").rglob("*.whl"):
        entry.unlink()
    client, second = _artifacts(tmp_path / "cache")
    with client:
        assert second.metadata(link).result() == meta


def test_required_hashes_bypass_the_metadata_cache(tmp_path: Path) -> None:
    """--require-hashes checks the wheel file itself, so its metadata comes from that file."""
    index = LocalIndex(tmp_path / "index")
    wheel = index.wheel("demo", "1.0")
    link = _link(index, wheel)
    client, first = _artifacts(tmp_path / "cache")
    with client:
        first.metadata(link).result()
    assert link.sha256 is not None
    wheel.unlink()
    for entry in (tmp_path / "cache" / "wheels-v1").rglob("*.whl"):
        entry.unlink()
    required = {"demo": {"sha256": {link.sha256}}}
    client, second = _artifacts(tmp_path / "cache", required_hashes=required)
    with client, pytest.raises(DownloadError):
        second.metadata(link).result()


def test_install_checks_a_cached_entry_against_the_wheel(tmp_path: Path) -> None:
    index = LocalIndex(tmp_path / "index")
    wheel = index.wheel("demo", "1.0", requires=["dep>=2"])
    link = _link(index, wheel)
    assert link.sha256 is not None
    MetadataCache(tmp_path / "cache").put(
        link.sha256, b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: other\n"
    )
    client, artifacts = _artifacts(tmp_path / "cache")
    with client:
        assert b"other" in artifacts.metadata(link).result()
        with pytest.raises(MetadataMismatch, match="cached metadata"):
            artifacts.unpacked(link).result()
