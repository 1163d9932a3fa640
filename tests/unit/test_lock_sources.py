"""Locked packages built from source: how uv.lock and PEP 751 name them, the link pipkey builds
from, and when an installed build still matches (PEP 610 ``direct_url.json``)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from packaging.version import Version

from pipkey.index.models import Link
from pipkey.install.env.sources import is_current
from pipkey.lock.model import LockError
from pipkey.lock.pylock import read_pylock
from pipkey.lock.select import source_link
from pipkey.lock.uvlock import read_uv_lock
from pipkey.resolve.candidates import Installed

UV_LOCK = """\
version = 1
requires-python = ">=3.11"

[[package]]
name = "app"
version = "0.1"
source = { editable = "." }
dependencies = [{ name = "lib" }, { name = "gitdep" }]

[[package]]
name = "lib"
version = "2.0"
source = { directory = "libs/lib" }

[[package]]
name = "gitdep"
version = "1.0"
source = { git = "https://git.example/org/repo?subdirectory=pkgs%2Fgitdep&rev=v1#0123abcd" }
"""


@pytest.fixture
def lock_dir(tmp_path: Path) -> Path:
    (tmp_path / "libs" / "lib").mkdir(parents=True)
    (tmp_path / "uv.lock").write_text(UV_LOCK)
    return tmp_path


def test_uv_lock_sources_become_links_relative_to_the_lock(lock_dir: Path) -> None:
    lock = read_uv_lock(lock_dir / "uv.lock")
    assert lock.root is not None and lock.root.name == "app"
    links = {p.name: source_link(p, lock_dir) for p in lock.packages}
    assert links["app"] == Link.from_url(lock_dir.as_uri(), origin=str(lock_dir), editable=True)
    lib = links["lib"]
    assert lib is not None and not lib.editable and lib.url == (lock_dir / "libs/lib").as_uri()
    gitdep = links["gitdep"]
    assert gitdep is not None
    assert gitdep.url == "git+https://git.example/org/repo@0123abcd#subdirectory=pkgs/gitdep"


def test_the_root_is_the_project_at_the_lock_even_beside_path_dependencies(
    lock_dir: Path,
) -> None:
    lock = read_uv_lock(lock_dir / "uv.lock")
    assert [p.name for p in lock.packages if p.is_project] == ["app", "lib"]
    assert lock.root is not None and lock.root.location == "."


def test_a_missing_source_directory_names_the_entry(lock_dir: Path) -> None:
    (lock_dir / "libs" / "lib").rmdir()
    lock = read_uv_lock(lock_dir / "uv.lock")
    with pytest.raises(LockError, match=r"package 'lib' 2\.0: source directory .* does not exist"):
        source_link(lock.by_name(lock.packages[1].name)[0], lock_dir)


def test_a_git_source_without_a_commit_is_refused(tmp_path: Path) -> None:
    (tmp_path / "uv.lock").write_text(
        'version = 1\n[[package]]\nname = "g"\nversion = "1"\n'
        'source = { git = "https://git.example/r?rev=main" }\n'
    )
    package = read_uv_lock(tmp_path / "uv.lock").packages[0]
    with pytest.raises(LockError, match="names no commit"):
        source_link(package, tmp_path)


def test_pep751_directory_and_vcs_entries_read_as_uv_lock_sources(tmp_path: Path) -> None:
    (tmp_path / "libs" / "lib").mkdir(parents=True)
    path = tmp_path / "pylock.toml"
    path.write_text(
        'lock-version = "1.0"\ncreated-by = "test"\n'
        '[[packages]]\nname = "app"\ndirectory = { path = ".", editable = true }\n'
        '[[packages]]\nname = "lib"\nversion = "2.0"\ndirectory = { path = "libs/lib" }\n'
        '[[packages]]\nname = "gitdep"\nversion = "1.0"\n'
        'vcs = { type = "git", url = "https://git.example/org/repo", '
        'commit-id = "0123abcd", subdirectory = "pkgs/gitdep" }\n'
        '[[packages]]\nname = "hgdep"\nversion = "1.0"\n'
        'vcs = { type = "hg", url = "https://hg.example/r", commit-id = "1" }\n'
    )
    with pytest.raises(LockError, match="'hg' repositories are not supported yet"):
        read_pylock(path)
    path.write_text(path.read_text().split('[[packages]]\nname = "hgdep"')[0])
    links = {p.name: source_link(p, tmp_path) for p in read_pylock(path).packages}
    app, lib, gitdep = links["app"], links["lib"], links["gitdep"]
    assert app is not None and app.editable
    assert lib is not None and not lib.editable
    assert gitdep is not None
    assert gitdep.url == "git+https://git.example/org/repo@0123abcd#subdirectory=pkgs/gitdep"


def installed(direct_url: object, dist_info: str = "") -> Installed:
    return Installed("app", Version("0.1"), dist_info=dist_info, direct_url=json.dumps(direct_url))


def test_a_git_build_is_current_only_at_the_locked_commit() -> None:
    link = Link.from_url("git+https://git.example/org/repo@0123abcd#subdirectory=x")
    record = {"url": "https://git.example/org/repo", "subdirectory": "x",
              "vcs_info": {"vcs": "git", "commit_id": "0123abcd"}}  # fmt: skip
    assert is_current(installed(record), link, None)
    record["vcs_info"] = {"vcs": "git", "commit_id": "ffff"}
    assert not is_current(installed(record), link, None)


def test_an_editable_is_current_until_its_build_inputs_change(tmp_path: Path) -> None:
    tree, dist_info = tmp_path / "app", tmp_path / "app-0.1.dist-info"
    tree.mkdir()
    (tree / "pyproject.toml").write_text("[project]\n")
    dist_info.mkdir()
    past = time.time() - 60
    os.utime(tree / "pyproject.toml", (past, past))
    link = Link.from_url(tree.as_uri(), editable=True)
    record = {"url": tree.as_uri(), "dir_info": {"editable": True}}
    assert is_current(installed(record, str(dist_info)), link, str(dist_info))
    assert not is_current(installed({**record, "dir_info": {}}), link, None)  # not editable
    (tree / "pyproject.toml").write_text("[project]\nname = 'changed'\n")
    os.utime(tree / "pyproject.toml", (past + 120, past + 120))
    assert not is_current(installed(record, str(dist_info)), link, str(dist_info))
    assert not is_current(installed(record), Link.from_url((tmp_path / "x").as_uri()), None)


def test_a_path_source_is_the_local_file_with_its_locked_hash(tmp_path: Path) -> None:
    """uv.lock's `source = { path = "dist/x.whl" }`: file entries hold filename and hash only."""
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "six-1.17.0-py2.py3-none-any.whl").write_bytes(b"wheel")
    (tmp_path / "uv.lock").write_text(
        'version = 1\n[[package]]\nname = "six"\nversion = "1.17.0"\n'
        'source = { path = "dist/six-1.17.0-py2.py3-none-any.whl" }\n'
        'wheels = [{ filename = "six-1.17.0-py2.py3-none-any.whl", hash = "sha256:abc" }]\n'
    )
    (wheel,) = read_uv_lock(tmp_path / "uv.lock").packages[0].wheels
    assert wheel.url == (tmp_path / "dist" / "six-1.17.0-py2.py3-none-any.whl").as_uri()
    assert wheel.hashes == {"sha256": "abc"}
    (tmp_path / "dist" / "six-1.17.0-py2.py3-none-any.whl").unlink()
    with pytest.raises(LockError, match=r"six' 1\.17\.0: the locked file .* does not exist"):
        read_uv_lock(tmp_path / "uv.lock")
