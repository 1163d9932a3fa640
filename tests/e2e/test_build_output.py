"""Issue 21, Output: a successful source build prints nothing from its backend (its warnings
come with -v); a failed one shows the error lines even when pages of output follow them.

Real setuptools (its wheel from the registry, served from a find-links directory)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.cli import run_pipkey
from tests.support.wheels import copy_wheels, make_sdist

pytestmark = pytest.mark.e2e

NOISY = (
    "import sys\nfrom setuptools import setup\n"
    "print('NOISY-STDOUT: this project uses a deprecated option')\n"
    "print('NOISY-STDERR: SetuptoolsDeprecationWarning: License classifiers', file=sys.stderr)\n"
    "setup(name='noisy', version='1.0', py_modules=[])\n"
)
FAILING = (
    "import sys\n"
    "print('src/ext.c:3:10: fatal error: libfoo.h: No such file or directory', file=sys.stderr)\n"
    "for n in range(40):\n    print(f'note: compiler chatter line {n}', file=sys.stderr)\n"
    "sys.exit(1)\n"
)


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory, registry_wheels: Path) -> Path:
    out = tmp_path_factory.mktemp("build-output")
    copy_wheels(registry_wheels, out, "setuptools")
    make_sdist(out, "noisy", "1.0", {"setup.py": NOISY})
    make_sdist(out, "failing", "1.0", {"setup.py": FAILING})
    return out


def install(venv: Path, packages: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_pipkey("install", "-p", venv, "--no-index", "-f", packages, "--no-cache", *args)


def test_a_successful_sdist_build_prints_nothing_from_the_backend(
    venv: Path, packages: Path
) -> None:
    quiet = install(venv, packages, "noisy")
    assert quiet.returncode == 0, quiet.stderr
    assert "NOISY" not in quiet.stdout + quiet.stderr
    assert "Installed 1 package" in quiet.stderr


def test_with_v_the_build_output_is_shown(venv: Path, packages: Path) -> None:
    loud = install(venv, packages, "noisy", "-v")
    assert loud.returncode == 0, loud.stderr
    assert "NOISY-STDOUT" in loud.stderr and "NOISY-STDERR" in loud.stderr


def test_a_failed_build_shows_its_error_line_before_the_last_lines(
    venv: Path, packages: Path
) -> None:
    failed = install(venv, packages, "failing")
    assert failed.returncode != 0
    assert "fatal error: libfoo.h" in failed.stderr
    assert "compiler chatter line 39" in failed.stderr
    assert "compiler chatter line 5\n" not in failed.stderr
    assert "the error lines and the last 25 of" in failed.stderr
