"""Issue 20.2 and 20.3 through the command line: the yanked warning, PIP_PRE / UV_PRERELEASE,
-P on install, --no-build, --resolution, --override (a real ``file://`` index, a real venv)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.cli import run_pipkey
from tests.support.local_index import LocalIndex
from tests.support.wheels import build_sdist

pytestmark = pytest.mark.e2e


@pytest.fixture
def index(tmp_path: Path) -> LocalIndex:
    index = LocalIndex(tmp_path / "index")
    index.wheel("pkg", "1.0")
    index.wheel("pkg", "2.0", attrs='data-yanked="Yanked due to CVE-2024-0001"')
    index.wheel("pkg", "3.0b1")
    index.wheel("app", "1.0", requires=["lib<2"])
    index.wheel("lib", "1.0")
    index.wheel("lib", "2.0")
    index.add(build_sdist(index.files, "srconly", "1.0"))
    return index


def _install(venv: Path, index: LocalIndex, *args: str, env: dict[str, str] | None = None):
    return run_pipkey("install", "--python", venv, "--index-url", index.url, "--no-progress",
                      "--cache-dir", venv.parent / "cache", *args,
                      env={**os.environ, **(env or {})})  # fmt: skip


def _site(venv: Path) -> set[str]:
    site = next((venv / "lib").glob("python3*/site-packages"))
    return {p.name for p in site.glob("*.dist-info")}


def test_an_exact_pin_installs_a_yanked_release_with_a_warning_and_its_reason(
    venv: Path, index: LocalIndex
) -> None:
    """pip and uv both warn; uv: "`requests==2.32.0` is yanked (reason: …)"."""
    out = _install(venv, index, "pkg==2.0")
    assert out.returncode == 0, out.stderr
    assert "pkg==2.0 is yanked (reason: Yanked due to CVE-2024-0001)" in out.stderr
    assert "pkg-2.0.dist-info" in _site(venv)


@pytest.mark.parametrize(
    "env", [{"PIP_PRE": "1"}, {"UV_PRERELEASE": "allow"}], ids=["PIP_PRE", "UV_PRERELEASE"]
)
def test_prerelease_variables_are_honoured(venv: Path, index: LocalIndex, env: dict[str, str]):
    out = _install(venv, index, "pkg", env=env)
    assert out.returncode == 0, out.stderr
    assert "pkg-3.0b1.dist-info" in _site(venv)


def test_by_default_a_range_takes_the_newest_final_release(venv: Path, index: LocalIndex):
    out = _install(venv, index, "pkg")
    assert out.returncode == 0, out.stderr
    assert "pkg-1.0.dist-info" in _site(venv)  # 2.0 is yanked, 3.0b1 a pre-release
    assert "yanked" not in out.stderr


def test_upgrade_package_moves_only_that_package_on_install(venv: Path, index: LocalIndex):
    assert _install(venv, index, "pkg==1.0", "lib==1.0").returncode == 0
    out = _install(venv, index, "pkg", "lib", "-P", "lib", "--prerelease", "allow")
    assert out.returncode == 0, out.stderr
    assert {"pkg-1.0.dist-info", "lib-2.0.dist-info"} <= _site(venv)


def test_no_build_refuses_an_sdist_only_package(venv: Path, index: LocalIndex) -> None:
    out = _install(venv, index, "srconly", "--no-build")
    assert out.returncode == 1
    assert "srconly 1.0 has only a source distribution" in out.stderr


def test_override_file_and_lowest_resolution(venv: Path, index: LocalIndex, tmp_path: Path):
    overrides = tmp_path / "overrides.txt"
    overrides.write_text("lib>=2\n")
    out = _install(venv, index, "app", "--override", overrides)
    assert out.returncode == 0, out.stderr
    assert "lib-2.0.dist-info" in _site(venv)
    low = _install(venv, index, "lib", "--resolution", "lowest", "--reinstall")
    assert low.returncode == 0, low.stderr
    assert "lib-1.0.dist-info" in _site(venv)


def test_exclude_newer_that_is_not_a_date_is_a_one_line_error(venv: Path, index: LocalIndex):
    out = _install(venv, index, "pkg", "--exclude-newer", "soon")
    assert out.returncode == 2
    assert "'soon' is not a date" in out.stderr
