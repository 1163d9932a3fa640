"""Issue 17.6, install side: PEP 376 ``REQUESTED`` for what the user asked for, as pip writes
it (a dependency pulled in gets none); headers under ``include/site/pythonX.Y/<name>/``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.support.cli import run_pipkey
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.e2e


def test_requested_is_written_for_direct_requirements_only_as_pip_does(
    venv: Path, packages_dir: Path
) -> None:
    build_wheel(packages_dir, "topa", "1.0", requires=["depb"])
    header = {"depb-1.0.data/headers/depb.h": "/* h */\n"}
    build_wheel(packages_dir, "depb", "1.0", files={"depb/__init__.py": "", **header})

    result = run_pipkey("install", "--python", venv, "--cache-dir", venv.parent / "cache",
                        "--no-index", "-f", packages_dir, "topa")  # fmt: skip

    assert result.returncode == 0, result.stderr
    site = next((venv / "lib").glob("python3*/site-packages"))
    assert (site / "topa-1.0.dist-info" / "REQUESTED").is_file()
    assert not (site / "depb-1.0.dist-info" / "REQUESTED").exists()
    major_minor = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    assert (venv / "include" / "site" / major_minor / "depb" / "depb.h").is_file()
