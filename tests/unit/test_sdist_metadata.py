"""PEP 643: when an sdist's PKG-INFO may stand in for a build's metadata."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from pipkey.build.sdist import static_metadata

STATIC = "Metadata-Version: 2.2\nName: p\nVersion: 1.0\nRequires-Dist: q\n"


def tar(tmp_path: Path, members: dict[str, str]) -> Path:
    path = tmp_path / "p-1.0.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for name, text in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(text.encode())
            archive.addfile(info, io.BytesIO(text.encode()))
    return path


@pytest.mark.parametrize(
    ("pkg_info", "trusted"),
    [
        (STATIC, True),
        ("Metadata-Version: 2.4\nName: p\nVersion: 1.0\nDynamic: Description\n", True),
        ("Metadata-Version: 2.1\nName: p\nVersion: 1.0\n", False),  # before PEP 643
        (STATIC + "Dynamic: Requires-Dist\n", False),
        (STATIC + "Dynamic: requires-python\n", False),
        (STATIC + "Dynamic: Provides-Extra\n", False),
        ("Metadata-Version: 2.2\nName: p\n", False),  # no Version
        ("Metadata-Version: banana\nName: p\nVersion: 1\n", False),
    ],
)
def test_pkg_info_is_trusted_only_when_pep_643_says_so(
    tmp_path: Path, pkg_info: str, trusted: bool
) -> None:
    result = static_metadata(tar(tmp_path, {"p-1.0/PKG-INFO": pkg_info}))
    assert (result == pkg_info.encode()) is trusted


def test_only_the_top_level_pkg_info_counts(tmp_path: Path) -> None:
    """A vendored project's PKG-INFO deeper in the tree is not the sdist's own."""
    assert static_metadata(tar(tmp_path, {"p-1.0/vendor/x/PKG-INFO": STATIC})) is None


def test_zip_sdists_and_damaged_archives(tmp_path: Path) -> None:
    path = tmp_path / "p-1.0.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("p-1.0/PKG-INFO", STATIC)
    assert static_metadata(path) == STATIC.encode()
    broken = tmp_path / "q-1.0.tar.gz"
    broken.write_bytes(b"not a tarball")
    assert static_metadata(broken) is None
