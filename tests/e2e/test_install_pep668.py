"""PEP 668: Debian's own python3 is externally managed; pipkey refuses to touch it, as pip does,
unless --break-system-packages. Uses the machine's real /usr/bin/python3 and its real marker;
the refusal happens before anything is written (checked with --dry-run for the allowed case)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import run_pipkey
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.e2e

SYSTEM_PYTHON = Path("/usr/bin/python3")


def _marker() -> Path | None:
    found = sorted(Path("/usr/lib").glob("python3*/EXTERNALLY-MANAGED"))
    return found[0] if found else None


@pytest.fixture
def open_index(packages_dir: Path, pypiserver_factory: Callable[..., Any]) -> Any:
    build_wheel(packages_dir, "pkg0", "1.0")
    return pypiserver_factory(packages_dir)


def test_externally_managed_interpreter_is_refused(open_index: Any) -> None:
    if not SYSTEM_PYTHON.exists() or _marker() is None:
        pytest.fail("this test needs Debian's python3 with its EXTERNALLY-MANAGED marker")
    result = run_pipkey("install", "--python", SYSTEM_PYTHON, "--index-url", open_index.url, "pkg0")
    assert result.returncode != 0
    assert "externally managed" in result.stderr.lower()
    assert "--break-system-packages" in result.stderr
    assert "Traceback" not in result.stderr


def test_break_system_packages_lets_the_plan_through(open_index: Any) -> None:
    result = run_pipkey(
        "install",
        "--python",
        SYSTEM_PYTHON,
        "--break-system-packages",
        "--dry-run",
        "--index-url",
        open_index.url,
        "pkg0",
    )
    assert result.returncode == 0, result.stderr
    assert "pkg0" in result.stdout + result.stderr
