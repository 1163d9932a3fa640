"""Issue 20.1: an impossible request fails fast and explains itself, as uv does.

A real pypiserver holds the shape of ``django<4`` + ``djangorestframework>=3.16`` on PyPI: many
old sdist-only versions of ``pkg`` (each build sleeps, then fails — any attempt to build one
blows the time budget) and wheels of the newer ones; ``fw`` wheels whose new versions need
``pkg>=4.2``. The derivation must name the clashing requirements, in well under 2 s.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import run_pipkey
from tests.support.servers import PyPIServer
from tests.support.wheels import build_wheel, make_sdist

pytestmark = pytest.mark.e2e

SLOW_FAILING_BACKEND = (
    "import time\n"
    "def _fail(*args, **kwargs):\n"
    "    with open({log!r}, 'a') as log:\n"
    "        log.write('built\\n')\n"
    "    time.sleep(3)\n"
    "    raise SystemExit('this old sdist cannot be built here')\n"
    "get_requires_for_build_wheel = prepare_metadata_for_build_wheel = build_wheel = _fail\n"
)
FAILING_BACKEND = (
    "def _fail(*args, **kwargs):\n"
    "    raise SystemExit('compiler exploded: missing libfoo.h')\n"
    "get_requires_for_build_wheel = prepare_metadata_for_build_wheel = build_wheel = _fail\n"
)
IN_TREE = '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n'
OLD_PKG = [f"{major}.{minor}" for major in (1, 2, 3) for minor in range(9)]  # 27 sdists


def _sdist(out: Path, name: str, version: str, backend: str) -> None:
    make_sdist(out, name, version, {"pyproject.toml": IN_TREE, "backend.py": backend})


@pytest.fixture(scope="module")
def build_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every build attempt of an old pkg sdist appends a line here."""
    return tmp_path_factory.mktemp("builds") / "attempts.log"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, build_log: Path) -> Iterator[str]:
    packages = tmp_path_factory.mktemp("conflict-index")
    for version in OLD_PKG:
        _sdist(packages, "pkg", version, SLOW_FAILING_BACKEND.format(log=str(build_log)))
    for version in ("3.9", "4.2", "5.0"):
        build_wheel(packages, "pkg", version)
    for version in ("3.14.0", "3.15.0"):
        build_wheel(packages, "fw", version, requires=["pkg>=3"])
    for version in ("3.16.0", "3.16.1"):
        build_wheel(packages, "fw", version, requires=["pkg>=4.2"])
    for minor in range(30):  # more versions than pkg<4 has: pkg is decided first
        build_wheel(packages, "plugin", f"1.{minor}", requires=["pkg>=4.2"])
    build_wheel(packages, "flaky", "1.0")
    _sdist(packages, "flaky", "2.0", FAILING_BACKEND)
    server = PyPIServer(packages).start()
    try:
        yield server.url
    finally:
        server.stop()


def _install(venv: Path, index: str, *reqs: str) -> tuple[str, float]:
    """stderr, and the CPU seconds pipkey used (wall time on a loaded 2-core CI box measures
    the neighbours; an attempted build is caught by the build log, not by the clock)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    out = run_pipkey("install", "--python", venv, "--index-url", index, "--no-progress",
                     "--cache-dir", venv.parent / "cache", *reqs, timeout=60)  # fmt: skip
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert out.returncode == 1, out.stdout + out.stderr
    assert wall < 10, (wall, out.stderr)
    return out.stderr, cpu


def test_conflict_of_direct_requirements_ends_fast_with_uvs_derivation(
    venv: Path, index: str, build_log: Path
) -> None:
    """uv: "Because djangorestframework>=3.16.0 depends on django>=4.2 … and you require
    django<4 … your requirements are unsatisfiable" — no sdist of pkg is built."""
    text, seconds = _install(venv, index, "pkg<4", "fw>=3.16")
    assert seconds < 2, (seconds, text)
    assert (
        "Because fw>=3.16 (every version it allows: 3.16.0, 3.16.1) depends on pkg>=4.2 and "
        "you require pkg<4, we can conclude that fw>=3.16 and pkg<4 are incompatible." in text
    )
    assert "And because you require fw>=3.16 and pkg<4" in text
    assert "unsatisfiable" in text
    assert "cannot be built" not in text and "build" not in text.lower()
    assert not build_log.exists()


def test_the_versions_listed_are_the_ones_the_requirement_allows(venv: Path, index: str) -> None:
    """Not the newest ten: pkg<4 allows 3.9 and the 1.x to 3.x sdists, and that is what is said."""
    text, _ = _install(venv, index, "pkg<4", "fw>=3.16")
    assert "note: pkg<4 allows 3.9, 3.8, 3.7" in text
    assert "1.0 (28 versions)" in text
    assert "5.0" not in text


def test_conflict_proven_from_wheel_metadata_builds_no_old_sdist(
    venv: Path, index: str, build_log: Path
) -> None:
    """pkg (fewer versions) is decided first; once plugin's 30 wheels all turn out to need
    pkg>=4.2, every pkg<4 is ruled out at once (PubGrub's learned incompatibility) instead
    of building 27 old sdists one after the other (3 s each)."""
    text, seconds = _install(venv, index, "pkg<4", "plugin")
    assert seconds < 2, (seconds, text)
    assert "every version it allows" not in text  # plugin is unconstrained
    assert "every version of plugin (1.0, 1.1," in text
    assert "depends on pkg>=4.2 and you require pkg<4" in text
    assert "unsatisfiable" in text
    assert not build_log.exists()


def test_a_version_whose_build_fails_is_skipped_with_a_note(venv: Path, index: str) -> None:
    """pip's behaviour: a candidate whose metadata cannot be built is discarded, and the next
    version is tried; the user is told which one was skipped and why."""
    out = run_pipkey("install", "--python", venv, "--index-url", index, "--no-progress",
                     "--cache-dir", venv.parent / "cache", "flaky", timeout=60)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "flaky==1.0" in out.stdout + out.stderr
    assert "skipped flaky 2.0: its build failed" in out.stderr
    assert "missing libfoo.h" in out.stderr


def test_when_only_a_failing_build_fits_its_error_is_the_answer(venv: Path, index: str) -> None:
    text, _ = _install(venv, index, "flaky>=2")
    assert "missing libfoo.h" in text
    assert "Because" not in text
