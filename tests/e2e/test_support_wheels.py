"""The built distributions are real: pip installs them and their metadata parses."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import pytest
from installer.sources import WheelFile

from tests.support.wheels import build_sdist, build_wheel

pytestmark = pytest.mark.e2e


def test_pip_installs_a_built_wheel_with_its_entry_point(tmp_path: Path) -> None:
    wheel = build_wheel(
        tmp_path / "dist",
        "Hello.World",
        "2.0",
        entry_points={"console_scripts": {"hello-world": "hello_world:main"}},
        files={"hello_world/__init__.py": "def main():\n    print('hi')\n"},
    )
    assert wheel.name == "hello_world-2.0-py3-none-any.whl"
    target = tmp_path / "target"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--target", str(target), str(wheel)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    assert (target / "hello_world" / "__init__.py").is_file()
    assert (target / "bin" / "hello-world").is_file()
    assert (target / "hello_world-2.0.dist-info" / "RECORD").is_file()


def test_wheel_record_hashes_every_file(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path, "demo", "1.0", files={"demo/data.bin": bytes(range(256))})
    with WheelFile.open(wheel) as source:
        source.validate_record()


def test_wheel_metadata_carries_requirements_python_and_extras(tmp_path: Path) -> None:
    wheel = build_wheel(
        tmp_path,
        "demo",
        "1.0",
        requires=["dep>=1"],
        requires_python=">=3.9",
        extras={"cli": ["click; python_version >= '3.8'"]},
    )
    with zipfile.ZipFile(wheel) as archive:
        metadata = HeaderParser().parsestr(archive.read("demo-1.0.dist-info/METADATA").decode())
    assert metadata["Requires-Python"] == ">=3.9"
    assert metadata.get_all("Provides-Extra") == ["cli"]
    assert metadata.get_all("Requires-Dist") == [
        "dep>=1",
        "click; (python_version >= '3.8') and extra == \"cli\"",
    ]


def test_sdist_holds_pkg_info_under_its_versioned_root(tmp_path: Path) -> None:
    sdist = build_sdist(tmp_path, "My-Pkg", "0.1")
    assert sdist.name == "my_pkg-0.1.tar.gz"
    with tarfile.open(sdist) as archive:
        assert "my_pkg-0.1/PKG-INFO" in archive.getnames()
