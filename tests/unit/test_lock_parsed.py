"""A lock's parsed tables are kept by content (lock/parsed.py): the same Lock as a fresh parse,
an edited lock parsed afresh, and a lock with a credential in a URL never stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipkey.lock.parsed import DIRECTORY
from pipkey.lock.uvlock import read_uv_lock

LOCK = """version = 1
requires-python = ">=3.11"

[[package]]
name = "alpha"
version = "1.0"
source = {{ registry = "https://{host}/simple" }}
wheels = [
    {{ url = "https://{host}/alpha-1.0-py3-none-any.whl", hash = "sha256:{digest}", size = 10 }},
]
"""


def _lock(tmp_path: Path, host: str = "pypi.example", digest: str = "a" * 64) -> Path:
    path = tmp_path / "uv.lock"
    path.write_text(LOCK.format(host=host, digest=digest))
    return path


def test_a_cached_parse_reads_back_the_same_lock(tmp_path: Path) -> None:
    path, cache = _lock(tmp_path), tmp_path / "cache"
    fresh = read_uv_lock(path)
    first = read_uv_lock(path, cache)
    assert len(list((cache / DIRECTORY).glob("*.json"))) == 1
    again = read_uv_lock(path, cache)
    assert first == fresh and again == fresh


def test_an_edited_lock_is_parsed_afresh(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    read_uv_lock(_lock(tmp_path), cache)
    edited = read_uv_lock(_lock(tmp_path, digest="b" * 64), cache)
    assert edited.packages[0].wheels[0].hashes == {"sha256": "b" * 64}
    assert len(list((cache / DIRECTORY).glob("*.json"))) == 2


def test_a_lock_with_a_credential_in_a_url_is_never_stored(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    lock = read_uv_lock(_lock(tmp_path, host="alice:s3cret@pypi.example"), cache)
    assert lock.packages[0].name == "alpha"
    assert not (cache / DIRECTORY).exists()


def test_a_broken_cache_entry_is_parsed_again(tmp_path: Path) -> None:
    path, cache = _lock(tmp_path), tmp_path / "cache"
    read_uv_lock(path, cache)
    (entry,) = (cache / DIRECTORY).glob("*.json")
    entry.write_text("{not json")
    assert read_uv_lock(path, cache) == read_uv_lock(path)


@pytest.mark.parametrize(
    "url",
    [
        "https://files.pythonhosted.org/packages/aa/bb/x-1.0-py3-none-any.whl",
        "https://h/x%2B1.whl#sha256=1",
        "https://h/a/b?x=/c",
        "https://h",
        "https://h?x=/a",
        "file:///tmp/a%20b.whl",
        "https://u:p@h:8/a/b.whl",
        "https://h/a/",
        "git+https://h/x.git",
        "HTTPS://H/A.whl",
        "https://[::1]:8/a.whl",
        "relative/x.whl",
        "https://h/#frag/x",
    ],
)
def test_a_locked_file_s_name_is_the_last_segment_of_its_url_path(url: str) -> None:
    from urllib.parse import unquote, urlsplit

    from pipkey.lock.uvlock import file_name

    assert file_name(url) == unquote(urlsplit(url).path.rsplit("/", 1)[-1])
